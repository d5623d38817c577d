using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Json;

namespace ReturnsHelper.Core.Tests;

/// <summary>Typed models read every documented shape; codes are normalised to the API's strings.</summary>
public class ModelTests
{
    private static readonly Uri SandboxPhotos = RrEndpoints.For(RrEnvironment.Sandbox).PhotoBase;

    // ---- Recall ----

    [Fact]
    public void Recall_flat_shape_with_ids_as_strings()
    {
        var r = Recall.Parse(Wire.Parse(@"{
                ""recallId"":""501"",""recallNumber"":""RC-2025-0001"",""recallStatusCode"":""in-progress"",
                ""warehouseId"":""20"",""warehouseRemarks"":""two boxes"",""apiId"":""3"",""createOn"":""2025-01-02T03:04:05"",
                ""recallInventoryList"":[{
                    ""recallInventoryId"":""9001"",""returnInventoryId"":""19973"",""recallInventoryStatusCode"":""in-transit"",
                    ""pickUpCode"":""pending"",""trackingNumber"":""AWB1"",""listName"":""L1"",""weight"":1.5,""amount"":""12.30"",
                    ""pickUpOn"":""2025-01-05T08:00:00+08:00"",""courierTrackingNumber"":""C1"",""remarks"":""r"",
                    ""recallServiceType"":""standard"",""rma"":""RMA1""},
                    {""recallInventoryId"":9002,""returnInventoryId"":19974}]}"), "Sandbox");

        Assert.Equal(501, r.RecallId);
        Assert.Equal("RC-2025-0001", r.RecallNumber);
        Assert.Equal("in-progress", r.RecallStatusCode);
        Assert.Equal(20, r.WarehouseId);
        Assert.Equal("two boxes", r.WarehouseRemarks);
        Assert.Equal(3, r.ApiId);
        Assert.Equal(new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc), r.CreateOn);
        Assert.Equal(TimeSpan.Zero, r.CreateOn.Value.Offset);
        Assert.Equal("Sandbox", r.Environment);
        Assert.Equal(new long[] { 19973, 19974 }, r.ReturnInventoryIds);
        Assert.Equal("RC-2025-0001", r.ToString());

        var i = r.RecallInventoryList[0];
        Assert.Equal(9001, i.RecallInventoryId);
        Assert.Equal(19973, i.ReturnInventoryId);
        Assert.Equal("in-transit", i.RecallInventoryStatusCode);
        Assert.Equal("pending", i.PickUpCode);
        Assert.Equal("AWB1", i.TrackingNumber);
        Assert.Equal("L1", i.ListName);
        Assert.Equal(1.5m, i.Weight);
        Assert.Equal(12.30m, i.Amount);
        Assert.Equal(new DateTime(2025, 1, 5, 0, 0, 0, DateTimeKind.Utc), i.PickUpOn);
        Assert.Equal("C1", i.CourierTrackingNumber);
        Assert.Equal("r", i.Remarks);
        Assert.Equal("standard", i.RecallServiceType);
        Assert.Equal("RMA1", i.Rma);
    }

    [Fact]
    public void Recall_2022_nested_shape_with_misspelt_remarks()
    {
        var r = Recall.Parse(Wire.Parse(@"{
                ""recall"":{""recallId"":502,""recallNumber"":""RC2"",""recallStatusCode"":""pending"",""warehosueRemarks"":""misspelt"",""warehouseId"":7},
                ""recallInventoryList"":[{""recallInventoryId"":1,""returnInventoryId"":11},{""recallInventoryId"":2,""returnInventoryId"":""12""}]}"), "Production");

        Assert.Equal(502, r.RecallId);
        Assert.Equal("RC2", r.RecallNumber);
        Assert.Equal("pending", r.RecallStatusCode);
        Assert.Equal("misspelt", r.WarehouseRemarks);
        Assert.Equal(7, r.WarehouseId);
        Assert.Equal(new long[] { 11, 12 }, r.ReturnInventoryIds);
        Assert.Equal("Production", r.Environment);
    }

    [Fact]
    public void Recall_nested_with_the_inventory_list_inside_the_recall_object()
    {
        var r = Recall.Parse(Wire.Parse(@"{""recall"":{""recallId"":503,""recallInventoryList"":[{""returnInventoryId"":31}]}}"), "Sandbox");
        Assert.Equal(503, r.RecallId);
        Assert.Equal(new long[] { 31 }, r.ReturnInventoryIds);
    }

    [Fact]
    public void Recall_correct_spelling_wins_over_misspelling_and_recall_code_is_a_fallback_number()
    {
        var r = Recall.Parse(Wire.Parse(@"{""recallId"":1,""recallCode"":""RCODE"",""warehouseRemarks"":""right"",""warehosueRemarks"":""wrong""}"), "Sandbox");
        Assert.Equal("right", r.WarehouseRemarks);
        Assert.Equal("RCODE", r.RecallNumber);
        Assert.Empty(r.RecallInventoryList);
        Assert.Empty(r.ReturnInventoryIds);
    }

    [Theory]
    [InlineData("0", "pending")]
    [InlineData("1", "in-progress")]
    [InlineData("2", "completed")]
    [InlineData("3", "canceled")]
    [InlineData("\"COMPLETED\"", "completed")]
    [InlineData("\"in-progress\"", "in-progress")]
    [InlineData("9", "9")]
    [InlineData("\"shipped\"", "shipped")]
    [InlineData("null", null)]
    public void Recall_status_code_as_int_or_string(string wire, string expected)
    {
        var r = Recall.Parse(Wire.Parse($"{{\"recallId\":1,\"recallStatusCode\":{wire}}}"), "Sandbox");
        Assert.Equal(expected, r.RecallStatusCode);
    }

    [Fact]
    public void Recall_inventory_lines_carry_their_recall()
    {
        var r = Recall.Parse(Wire.Parse(@"{""recallId"":601,""recallNumber"":""RCL261130-0000001"",""warehouseId"":1034,
                ""recallInventoryList"":[{""recallInventoryId"":1,""returnInventoryId"":11},{""recallInventoryId"":2,""returnInventoryId"":12}]}"), "Sandbox");

        Assert.All(r.RecallInventoryList, i =>
        {
            Assert.Equal(601, i.RecallId);
            Assert.Equal("RCL261130-0000001", i.RecallNumber);
            Assert.Equal(1034, i.WarehouseId);
        });
        Assert.Equal("11;12", r.ReturnInventoryIdText);
        Assert.Equal(2, r.Items);

        r.RecallNumber = "RCL-LATER"; // the ledger fills a number an older answer lacked: the lines follow
        Assert.Equal("RCL-LATER", r.RecallInventoryList[1].RecallNumber);
    }

    [Fact]
    public void Recall_after_a_partial_cancel_shows_removed_inventories_apart()
    {
        var r = Recall.Parse(Wire.Parse(@"{""recallId"":602,""recallStatusCode"":""pending"",""recallInventoryList"":[
                {""returnInventoryId"":21,""recallInventoryStatusCode"":""in-progress""},
                {""returnInventoryId"":22,""recallInventoryStatusCode"":""canceled""},
                {""returnInventoryId"":23,""recallInventoryStatusCode"":""in-progress""}]}"), "Sandbox");

        Assert.Equal(new long[] { 21, 23 }, r.ReturnInventoryIds);
        Assert.Equal(new long[] { 21, 23 }, r.RecallInventoryList.Select(i => i.ReturnInventoryId));
        Assert.Equal(2, r.Items);
        Assert.Equal("21;23", r.ReturnInventoryIdText);
        Assert.Equal("21;23", r.ReturnInventoryIds.ToString()); // what Export-Csv writes for the lists
        Assert.Equal("21;23", r.RecallInventoryList.ToString());
        Assert.Equal("22", r.RemovedInventoryList.ToString());
        Assert.Equal(22, Assert.Single(r.RemovedInventoryList).ReturnInventoryId);
        Assert.Equal("22", r.RemovedReturnInventoryIdText);
        Assert.Equal(602, r.RemovedInventoryList[0].RecallId);
        Assert.True(r.Holds(22)); // Stop-RrRecall -ReturnInventoryId 22 finds its answer
        Assert.Equal(3, r.AllLines.Length);
    }

    [Fact]
    public void Recall_cancelled_as_a_whole_keeps_every_inventory()
    {
        var r = Recall.Parse(Wire.Parse(@"{""recallId"":603,""recallStatusCode"":""canceled"",""recallInventoryList"":[
                {""returnInventoryId"":31,""recallInventoryStatusCode"":""canceled""},
                {""returnInventoryId"":32,""recallInventoryStatusCode"":""canceled""}]}"), "Sandbox");

        Assert.Equal(new long[] { 31, 32 }, r.ReturnInventoryIds);
        Assert.Equal(2, r.Items);
        Assert.Empty(r.RemovedInventoryList);
        Assert.Equal("", r.RemovedReturnInventoryIdText);
    }

    [Fact]
    public void Recall_times_are_utc_with_offset()
    {
        var r = Recall.Parse(Wire.Parse(@"{""recallId"":604,""createOn"":""2025-01-02T11:04:05+08:00"",
                ""recallInventoryList"":[{""returnInventoryId"":41,""pickUpOn"":""2025-01-05T08:00:00""}]}"), "Sandbox");
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), r.CreateOn);
        Assert.Equal(TimeSpan.Zero, r.CreateOn.Value.Offset);
        Assert.Equal(new DateTimeOffset(2025, 1, 5, 8, 0, 0, TimeSpan.Zero), r.RecallInventoryList[0].PickUpOn);
        Assert.Equal(TimeSpan.Zero, r.RecallInventoryList[0].PickUpOn.Value.Offset);
    }

    // ---- Inventory ----

    private const string FullInventory = @"{
            ""returnInventoryId"":""19973"",""rma"":""TWN-20-230101-D12345-36"",""sku"":""SKU-1"",""warehouseId"":""20"",
            ""handlingCode"":""ohd"",""handlingStatusCode"":""pending"",""createOn"":""2023-11-07T05:31:56Z"",""description"":""Shoes"",
            ""apiId"":3,""returnRequestId"":""777"",""returnRequestLineItemId"":""LI-1"",""sellerReferenceNumber"":""SR-9"",
            ""quantity"":""2"",""weight"":""1.25"",""weightUom"":""kg"",""dimension1"":10,""dimension2"":20.5,""dimension3"":""30"",
            ""dimensionUom"":""cm"",""value"":99.95,""valueCurrencyCode"":""USD"",""warehouseRemarks"":""dented"",
            ""handlingUpdatedOn"":""2023-11-08T00:00:00"",""completeOn"":null,""modifyOn"":""2023-11-09T01:02:03+02:00"",
            ""returnRequestLineItemImages"":[
                {""s3OriginalFileKey"":""img/returns/2023/a-orig.jpg"",""s3LargeFileKey"":""img/returns/2023/a-large.jpg"",""s3SmallFileKey"":""img/returns/2023/a-small.jpg""},
                {""s3LargeFileKey"":""/images/returns/b-large.jpg"",""s3SmallFileKey"":""/images/returns/b-small.jpg""},
                {""s3OriginalFileKey"":""https://cdn.example.com/c.jpg"",""s3SmallFileKey"":null}],
            ""returnRequestLineItemVasList"":[{""vasCode"":""req-pic"",""isFinished"":true},{""vasCode"":""repack"",""isFinished"":false}],
            ""returnInventoryMetaList"":[
                {""metaType"":""EAN"",""metaMap"":{""ean"":""4006381333931""}},
                {""metaType"":""IMEI"",""metaMap"":{""imei1"":""356938035643809"",""imei2"":356938035643817}},
                {""metaMap"":{""custom"":""x""}}]
        }";

    [Fact]
    public void Inventory_full_record()
    {
        var inv = Inventory.Parse(Wire.Parse(FullInventory), "Sandbox", SandboxPhotos);

        Assert.Equal(19973, inv.ReturnInventoryId);
        Assert.Equal("TWN-20-230101-D12345-36", inv.Rma);
        Assert.Equal("SKU-1", inv.Sku);
        Assert.Equal(20, inv.WarehouseId);
        Assert.Equal("ohd", inv.HandlingCode);
        Assert.Equal("pending", inv.HandlingStatusCode);
        Assert.Equal(new DateTime(2023, 11, 7, 5, 31, 56, DateTimeKind.Utc), inv.CreateOn);
        Assert.Equal("Shoes", inv.Description);
        Assert.Equal(3, inv.ApiId);
        Assert.Equal(777, inv.ReturnRequestId);
        Assert.Equal("LI-1", inv.ReturnRequestLineItemId);
        Assert.Equal("SR-9", inv.SellerReferenceNumber);
        Assert.Equal(2, inv.Quantity);
        Assert.Equal(1.25m, inv.Weight);
        Assert.Equal("kg", inv.WeightUom);
        Assert.Equal(10m, inv.Dimension1);
        Assert.Equal(20.5m, inv.Dimension2);
        Assert.Equal(30m, inv.Dimension3);
        Assert.Equal("cm", inv.DimensionUom);
        Assert.Equal(99.95m, inv.Value);
        Assert.Equal("USD", inv.ValueCurrencyCode);
        Assert.Equal("dented", inv.WarehouseRemarks);
        Assert.Equal(new DateTime(2023, 11, 8, 0, 0, 0, DateTimeKind.Utc), inv.HandlingUpdatedOn);
        Assert.Null(inv.CompleteOn);
        Assert.Equal(new DateTime(2023, 11, 8, 23, 2, 3, DateTimeKind.Utc), inv.ModifyOn);
        Assert.Equal("Sandbox", inv.Environment);
        Assert.Equal("19973", inv.ToString());
    }

    [Fact]
    public void Inventory_image_urls_from_photo_base_and_keys_absolute_keys_kept()
    {
        var inv = Inventory.Parse(Wire.Parse(FullInventory), "Sandbox", SandboxPhotos);
        Assert.Equal(new[]
        {
            "https://rr-dev-files.returnshelper.com/img/returns/2023/a-orig.jpg",  // original preferred over large
            "https://rr-dev-files.returnshelper.com/images/returns/b-large.jpg",   // large when no original; leading '/' kept on the host
            "https://cdn.example.com/c.jpg",                                       // absolute key kept
        }, inv.ImageUrls);
        Assert.Equal(new[]
        {
            "https://rr-dev-files.returnshelper.com/img/returns/2023/a-small.jpg",
            "https://rr-dev-files.returnshelper.com/images/returns/b-small.jpg",
        }, inv.ThumbnailUrls);
    }

    [Fact]
    public void Inventory_photo_host_follows_the_environment_and_keeps_a_base_path()
    {
        var json = Wire.Parse(@"{""returnInventoryId"":1,""returnRequestLineItemImages"":[{""s3OriginalFileKey"":""img/a b.jpg""}]}");
        Assert.Equal("https://file.returnhelpercentre.com/img/a%20b.jpg",
            Inventory.Parse(json, "Production", RrEndpoints.For(RrEnvironment.Production).PhotoBase).ImageUrls.Single());
        Assert.Equal("https://photos.example/rr/img/a%20b.jpg",
            Inventory.Parse(json, "Custom", new Uri("https://photos.example/rr/")).ImageUrls.Single());
    }

    [Fact]
    public void Inventory_webhook_image_list_shape()
    {
        var inv = Inventory.Parse(Wire.Parse(@"{""returnInventoryId"":""5"",""imageList"":[
                {""imageUrl"":""https://rr-dev-files.returnshelper.com/img/x.jpg"",""imageKey"":""img/x.jpg""},
                {""imageKey"":""img/y.jpg""},
                {""imageUrl"":null,""imageKey"":null}]}"), "Sandbox", SandboxPhotos);
        Assert.Equal(new[] { "https://rr-dev-files.returnshelper.com/img/x.jpg", "https://rr-dev-files.returnshelper.com/img/y.jpg" }, inv.ImageUrls);
        Assert.Empty(inv.ThumbnailUrls);
    }

    [Fact]
    public void Inventory_meta_map_keyed_by_type_and_key()
    {
        var inv = Inventory.Parse(Wire.Parse(FullInventory), "Sandbox", SandboxPhotos);
        Assert.Equal(4, inv.Meta.Count);
        Assert.Equal("4006381333931", inv.Meta["EAN.ean"]);
        Assert.Equal("356938035643809", inv.Meta["IMEI.imei1"]);
        Assert.Equal("356938035643817", inv.Meta["IMEI.imei2"]);
        Assert.Equal("x", inv.Meta["meta.custom"]);
    }

    [Theory]
    [InlineData("[{\"isFinished\":true},{\"isFinished\":false}]", true)]
    [InlineData("[{\"isFinished\":\"false\"}]", true)]
    [InlineData("[{\"isFinished\":0}]", true)]
    [InlineData("[{\"isFinished\":true},{\"isFinished\":1}]", false)]
    [InlineData("[{\"vasCode\":\"repack\"}]", false)]
    [InlineData("[]", false)]
    [InlineData("null", false)]
    public void Inventory_pending_vas_detection(string vasList, bool pending)
    {
        var inv = Inventory.Parse(Wire.Parse($"{{\"returnInventoryId\":1,\"returnRequestLineItemVasList\":{vasList}}}"), "Sandbox", SandboxPhotos);
        Assert.Equal(pending, inv.HasPendingVas);
    }

    [Fact]
    public void Inventory_minimal_record_has_empty_collections_and_rma_fallbacks()
    {
        var a = Inventory.Parse(Wire.Parse(@"{""returnInventoryId"":1,""itemRma"":""ITEM-RMA""}"), "Sandbox", SandboxPhotos);
        var b = Inventory.Parse(Wire.Parse(@"{""returnInventoryId"":2,""warehouseRma"":""WH-RMA""}"), "Sandbox", SandboxPhotos);
        Assert.Equal("ITEM-RMA", a.Rma);
        Assert.Equal("WH-RMA", b.Rma);
        Assert.Empty(a.ImageUrls);
        Assert.Empty(a.ThumbnailUrls);
        Assert.Empty(a.Meta);
        Assert.False(a.HasPendingVas);
        Assert.False(a.IsPartial);
        Assert.Equal("", a.ImageUrlText);
        Assert.Equal("", a.MetaText);
        Assert.Null(a.HandlingCode);
    }

    [Fact]
    public void Inventory_list_row_leaves_what_the_listing_does_not_return_null()
    {
        // The documented ReturnInventory/list row (API notes 4.4): nothing about VAS, photos or metadata.
        var row = Inventory.Parse(Wire.Parse(@"{""returnInventoryId"":123,""returnRequestId"":77,""returnRequestLineItemId"":""LI-9"",
                ""rma"":""USE-2-231107-D00001-12"",""itemRma"":""old"",""sku"":""SKU-1"",""handlingCode"":""ohd"",
                ""handlingStatusCode"":""pending"",""warehouseId"":2,""createOn"":""2023-11-07T05:31:56Z""}"), "Sandbox", SandboxPhotos, listRow: true);

        Assert.True(row.IsPartial);
        Assert.Equal("ohd", row.HandlingCode);
        Assert.Equal(new DateTimeOffset(2023, 11, 7, 5, 31, 56, TimeSpan.Zero), row.CreateOn);
        Assert.Null(row.HasPendingVas); // unknown, not "no pending VAS"
        Assert.Null(row.ImageUrls);
        Assert.Null(row.ThumbnailUrls);
        Assert.Null(row.Meta);
        Assert.Null(row.ImageUrlText);
        Assert.Null(row.ThumbnailUrlText);
        Assert.Null(row.MetaText);
        Assert.Null(row.Description);
        Assert.Null(row.Quantity);
        Assert.Null(row.ModifyOn);
    }

    [Fact]
    public void Inventory_lists_as_text_for_csv()
    {
        var inv = Inventory.Parse(Wire.Parse(FullInventory), "Sandbox", SandboxPhotos);
        Assert.Equal(string.Join(";", inv.ImageUrls), inv.ImageUrlText);
        Assert.Equal(string.Join(";", inv.ThumbnailUrls), inv.ThumbnailUrlText);
        Assert.Equal("EAN.ean=4006381333931;IMEI.imei1=356938035643809;IMEI.imei2=356938035643817;meta.custom=x", inv.MetaText);
        // Export-Csv writes ToString(): the lists themselves read as their values, not as a type name.
        Assert.Equal(inv.ImageUrlText, inv.ImageUrls.ToString());
        Assert.Equal(inv.MetaText, inv.Meta.ToString());
    }

    [Fact]
    public void Inventory_times_keep_their_offset_as_utc()
    {
        var inv = Inventory.Parse(Wire.Parse(FullInventory), "Sandbox", SandboxPhotos);
        // A zone-less time is UTC; one with an offset is the same instant, shown in UTC.
        Assert.Equal(TimeSpan.Zero, inv.HandlingUpdatedOn.Value.Offset);
        Assert.Equal(new DateTimeOffset(2023, 11, 8, 0, 0, 0, TimeSpan.Zero), inv.HandlingUpdatedOn);
        Assert.Equal(TimeSpan.Zero, inv.ModifyOn.Value.Offset);
        Assert.Equal(new DateTimeOffset(2023, 11, 8, 23, 2, 3, TimeSpan.Zero), inv.ModifyOn);
    }

    [Theory]
    [InlineData(0, "tbc")]
    [InlineData(1, "rtn")]
    [InlineData(2, "dis")]
    [InlineData(3, "rsd")]
    [InlineData(4, "ohd")]
    [InlineData(5, "oth")]
    public void Inventory_handling_code_as_int(int wire, string code)
        => Assert.Equal(code, Inventory.Parse(Wire.Parse($"{{\"returnInventoryId\":1,\"handlingCode\":{wire}}}"), "Sandbox", SandboxPhotos).HandlingCode);

    [Theory]
    [InlineData("0", "pending")]
    [InlineData("1", "inProgress")]
    [InlineData("2", "completed")]
    [InlineData("\"in-progress\"", "inProgress")]
    [InlineData("\"INPROGRESS\"", "inProgress")]
    [InlineData("\"Completed\"", "completed")]
    public void Inventory_handling_status_as_int_or_string(string wire, string status)
        => Assert.Equal(status, Inventory.Parse(Wire.Parse($"{{\"returnInventoryId\":1,\"handlingStatusCode\":{wire}}}"), "Sandbox", SandboxPhotos).HandlingStatusCode);

    [Fact]
    public void Handling_type_and_warehouse()
    {
        var t = HandlingType.Parse(Wire.Parse(@"{""handlingCode"":""OHD"",""handlingDescription"":""On Hold""}"));
        Assert.Equal("ohd", t.HandlingCode);
        Assert.Equal("On Hold", t.HandlingDescription);

        var w = Warehouse.Parse(Wire.Parse(@"{""warehouseId"":""20"",""description"":""Taiwan"",""countryCode"":""TW"",""companyName"":""RR"",
                ""contactName"":""Ann"",""phone"":""1"",""email"":""a@b.c"",""street1"":""s1"",""street2"":""s2"",""street3"":""s3"",
                ""city"":""Taipei"",""state"":""TP"",""postalCode"":""100"",""addressType"":""warehouse""}"));
        Assert.Equal(20, w.WarehouseId);
        Assert.Equal("Taiwan", w.ToString());
        Assert.Equal(("TW", "RR", "Ann", "1", "a@b.c"), (w.CountryCode, w.CompanyName, w.ContactName, w.Phone, w.Email));
        Assert.Equal(("s1", "s2", "s3", "Taipei", "TP", "100", "warehouse"), (w.Street1, w.Street2, w.Street3, w.City, w.State, w.PostalCode, w.AddressType));
    }

    // ---- Codes ----

    [Theory]
    [InlineData("updateTrackingNumber", "updateTrackingNumber")]
    [InlineData("recallUpdateTrackingNumber", "updateTrackingNumber")]
    [InlineData("0", "updateTrackingNumber")]
    [InlineData("readyToPickUp", "markReadyToPickUp")]
    [InlineData("markReadyToPickUp", "markReadyToPickUp")]
    [InlineData("recallMarkReadyToPickUp", "markReadyToPickUp")]
    [InlineData("1", "markReadyToPickUp")]
    [InlineData("pickupBySelf", "pickUpToSelfPickUp")]
    [InlineData("pickUpToSelfPickUp", "pickUpToSelfPickUp")]
    [InlineData("recallPickUpToSelfPickUp", "pickUpToSelfPickUp")]
    [InlineData("2", "pickUpToSelfPickUp")]
    [InlineData("pickupByCourier", "pickUpToCourierPickUp")]
    [InlineData("pickUpToCourierPickUp", "pickUpToCourierPickUp")]
    [InlineData("recallPickUpToCourierPickUp", "pickUpToCourierPickUp")]
    [InlineData("3", "pickUpToCourierPickUp")]
    [InlineData("pickupByOthers", "pickUpToOthers")]
    [InlineData("pickUpToOthers", "pickUpToOthers")]
    [InlineData("recallPickUpToOthers", "pickUpToOthers")]
    [InlineData("4", "pickUpToOthers")]
    [InlineData("PICKUPBYCOURIER", "pickUpToCourierPickUp")]
    [InlineData("UpdateTrackingNumber", "updateTrackingNumber")]
    [InlineData("5", "5")]
    [InlineData("somethingNew", "somethingNew")]
    [InlineData("", "")]
    [InlineData(null, null)]
    public void Recall_update_type_spellings(string raw, string canonical) => Assert.Equal(canonical, Codes.RecallUpdateType(raw));

    [Theory]
    [InlineData("TBC", "tbc")]
    [InlineData("Ohd", "ohd")]
    [InlineData("6", "6")]
    [InlineData("-1", "-1")]
    [InlineData("rst", "rst")]
    [InlineData(null, null)]
    public void Handling_code_normalisation(string raw, string expected) => Assert.Equal(expected, Codes.Handling(raw));

    [Fact]
    public void Handling_code_vocabulary_and_forbidden_updates()
    {
        Assert.Equal(new[] { "tbc", "rtn", "dis", "rsd", "ohd", "oth" }, Codes.HandlingCodes.Select(c => c.Key));
        Assert.All(Codes.HandlingCodes, c => Assert.False(string.IsNullOrWhiteSpace(c.Value)));
        Assert.True(Codes.ForbiddenHandlingUpdates.ContainsKey("TBC"));
        Assert.True(Codes.ForbiddenHandlingUpdates.ContainsKey("rsd"));
        Assert.True(Codes.ForbiddenHandlingUpdates.ContainsKey("rtn"));
        Assert.False(Codes.ForbiddenHandlingUpdates.ContainsKey("ohd"));
        Assert.False(Codes.ForbiddenHandlingUpdates.ContainsKey("dis"));
    }

    // ---- tolerant readers ----

    [Fact]
    public void Json_readers_accept_numbers_or_strings_and_read_wrong_types_as_missing()
    {
        var e = Wire.Parse(@"{""a"":""42"",""b"":42.0,""c"":""x"",""d"":true,""e"":null,""f"":[1],""g"":9999999999,""h"":""2025-01-02"",""i"":""garbage""}");
        Assert.Equal(42, JsonRead.Long(e, "a"));
        Assert.Equal(42, JsonRead.Long(e, "b"));
        Assert.Null(JsonRead.Long(e, "c"));
        Assert.Null(JsonRead.Long(e, "d"));
        Assert.Null(JsonRead.Long(e, "e"));
        Assert.Null(JsonRead.Long(e, "f"));
        Assert.Null(JsonRead.Long(e, "missing"));
        Assert.Null(JsonRead.Int(e, "g")); // out of int range reads as missing, never wraps
        Assert.Equal("true", JsonRead.String(e, "d"));
        Assert.Equal("42.0", JsonRead.String(e, "b"));
        Assert.Null(JsonRead.String(e, "f"));
        Assert.Equal(new DateTime(2025, 1, 2, 0, 0, 0, DateTimeKind.Utc), JsonRead.Time(e, "h"));
        Assert.Null(JsonRead.Time(e, "i"));
        Assert.Null(JsonRead.Long(Wire.Parse("[1]"), "a"));
    }
}
