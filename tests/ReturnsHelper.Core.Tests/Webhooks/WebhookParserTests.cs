using System.Security.Cryptography;
using System.Text;
using ReturnsHelper.Webhooks;
using Xunit;

namespace ReturnsHelper.Tests.Webhooks;

public class WebhookParserTests
{
    private static WebhookEvent Parse(string body) => WebhookParser.Parse(Encoding.UTF8.GetBytes(body));

    private static T Parse<T>(string body) where T : WebhookEvent
    {
        var e = Parse(body);
        return Assert.IsType<T>(e);
    }

    private static DateTime Utc(int y, int mo, int d, int h, int mi, int s) => new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc);

    [Fact]
    public void NewInventoryCreated_documented_sample_with_empty_category_and_string_ids()
    {
        var e = Parse<NewInventoryCreatedEvent>(WebhookSamples.NewInventoryCreatedDocs);
        Assert.Equal("newInventoryCreated", e.Category);
        Assert.Equal("newInventoryCreated", e.Action);
        Assert.Equal(19973, e.ReturnInventoryId);
        Assert.Equal("USE-2-240715-D00003-30", e.Rma);
        Assert.Equal("202207", e.Version);
        Assert.Equal(Utc(2024, 7, 15, 3, 30, 5), e.EventTime.Value.AddTicks(-(e.EventTime.Value.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal(TimeSpan.Zero, e.EventTime.Value.Offset);
        Assert.Equal("tbc", e.Inventory.HandlingCode);
        Assert.Equal("pending", e.Inventory.HandlingStatusCode);
        Assert.Equal(2, e.Inventory.WarehouseId);
        Assert.Equal(300m, e.Inventory.Weight);
        Assert.Single(e.Inventory.ImageUrls);
        Assert.Equal("AAA", e.Inventory.Meta["shipmentCustomField.CSA01"]);
        Assert.Equal(9999, e.ShipmentId);
        Assert.Equal(1234, e.Shipment.ReturnRequestId);
        Assert.Equal(2, e.Shipment.ShipToWarehouseId);
        Assert.Equal("fedex", e.Shipment.ServiceType);
        Assert.Equal("BBB", e.Shipment.CustomFields["CSB02"]);
        Assert.Null(e.NotificationId);
        Assert.StartsWith("sha256:", e.DedupeKey);
        Assert.Contains("19973", e.Summary);
    }

    [Fact]
    public void NewInventoryCreated_with_category_notificationId_and_the_table_spelling_shipToWarehouse()
    {
        var e = Parse<NewInventoryCreatedEvent>(WebhookSamples.NewInventoryCreated);
        Assert.Equal(100042, e.ReturnInventoryId);
        Assert.Equal(2, e.Inventory.WarehouseId); // "2" as a string
        Assert.Equal(2, e.Shipment.ShipToWarehouseId);
        Assert.Equal("9400000000000000000500", e.TrackingNumber);
        Assert.Equal("01J9B2C2B8HNR1DRGA74BJQQB5", e.NotificationId);
        Assert.Equal("01J9B2C2B8HNR1DRGA74BJQQB5", e.DedupeKey);
        Assert.Equal(WebhookSamples.NewInventoryCreated, e.RawBody);
    }

    [Fact]
    public void RecallUpdateStatus_documented_example()
    {
        var e = Parse<RecallUpdateEvent>(WebhookSamples.RecallUpdateTracking);
        Assert.Equal("recall", e.Category);
        Assert.Equal("recallUpdateStatus", e.Action);
        Assert.Equal("updateTrackingNumber", e.UpdateType);
        Assert.Equal(938, e.RecallId);
        Assert.Equal("RCL240423-0000001", e.RecallNumber);
        Assert.Equal("in-progress", e.RecallStatusCode);
        var item = Assert.Single(e.Inventories);
        Assert.Equal(18600, item.ReturnInventoryId);
        Assert.Equal("in-transit", item.RecallInventoryStatusCode);
        Assert.Equal(new long[] { 18600 }, e.ReturnInventoryIds);
        Assert.Equal("S240423-0000018-AWB", e.TrackingNumber); // from the recall inventory
        Assert.Contains("RCL240423-0000001", e.Summary);
    }

    [Fact]
    public void RecallUpdateStatus_2021_form_with_integers_string_ids_and_top_level_tracking_number()
    {
        var e = Parse<RecallUpdateEvent>(WebhookSamples.RecallUpdate2021);
        Assert.Equal("updateTrackingNumber", e.UpdateType);    // 0
        Assert.Equal("in-progress", e.RecallStatusCode);       // 1
        Assert.Equal(77, e.RecallId);
        Assert.Equal(3, e.Recall.WarehouseId);
        Assert.Equal("on its way", e.Recall.WarehouseRemarks); // warehosueRemarks
        Assert.Equal(3929, e.Inventories[0].ReturnInventoryId);
        Assert.Equal("AWB-2021-0801", e.TrackingNumber);
    }

    [Theory]
    // 2024 table
    [InlineData("\"updateTrackingNumber\"", "updateTrackingNumber")]
    [InlineData("\"readyToPickUp\"", "markReadyToPickUp")]
    [InlineData("\"pickupBySelf\"", "pickUpToSelfPickUp")]
    [InlineData("\"pickupByCourier\"", "pickUpToCourierPickUp")]
    [InlineData("\"pickupByOthers\"", "pickUpToOthers")]
    // 2024 samples and the inferred wire values
    [InlineData("\"markReadyToPickUp\"", "markReadyToPickUp")]
    [InlineData("\"pickUpToCourierPickUp\"", "pickUpToCourierPickUp")]
    [InlineData("\"pickUpToSelfPickUp\"", "pickUpToSelfPickUp")]
    [InlineData("\"pickUpToOthers\"", "pickUpToOthers")]
    // 2021 integers, as numbers and as strings, and the 2021 names
    [InlineData("0", "updateTrackingNumber")]
    [InlineData("1", "markReadyToPickUp")]
    [InlineData("2", "pickUpToSelfPickUp")]
    [InlineData("3", "pickUpToCourierPickUp")]
    [InlineData("4", "pickUpToOthers")]
    [InlineData("\"3\"", "pickUpToCourierPickUp")]
    [InlineData("\"recallPickUpToOthers\"", "pickUpToOthers")]
    [InlineData("\"recallMarkReadyToPickUp\"", "markReadyToPickUp")]
    // case-insensitive; unknown values pass through
    [InlineData("\"PICKUPBYCOURIER\"", "pickUpToCourierPickUp")]
    [InlineData("\"recallDelivered\"", "recallDelivered")]
    [InlineData("9", "9")]
    public void RecallUpdateStatus_recognises_every_documented_update_type_vocabulary(string typeJson, string expected)
    {
        var e = Parse<RecallUpdateEvent>(WebhookSamples.RecallUpdateWithType(typeJson));
        Assert.Equal(expected, e.UpdateType);
        Assert.Equal("completed", e.RecallStatusCode);
        Assert.Equal("courier-pick-up", e.Inventories[0].PickUpCode);
    }

    [Fact]
    public void CompleteInventoryHandling_normalises_integer_codes()
    {
        var e = Parse<InventoryHandlingEvent>(WebhookSamples.CompleteInventoryHandling);
        Assert.Equal("rinv", e.Category);
        Assert.Equal(18203, e.ReturnInventoryId);
        Assert.Equal("dis", e.Inventory.HandlingCode);
        Assert.Equal("completed", e.Inventory.HandlingStatusCode);
        Assert.Equal(64004, e.Inventory.ReturnRequestId);
        Assert.Equal("38348", e.Inventory.ReturnRequestLineItemId);
        Assert.NotNull(e.CompleteOn);
        Assert.Contains("dis/completed", e.Summary);
    }

    [Theory]
    [InlineData(0, "tbc")]
    [InlineData(1, "rtn")]
    [InlineData(3, "rsd")]
    [InlineData(4, "ohd")]
    [InlineData(5, "oth")]
    public void Integer_handling_codes_map_to_the_documented_strings(int code, string expected)
    {
        var body = WebhookSamples.CompleteInventoryHandling.Replace("\"handlingCode\": 2", $"\"handlingCode\": {code}");
        Assert.Equal(expected, Parse<InventoryHandlingEvent>(body).Inventory.HandlingCode);
    }

    [Fact]
    public void CancelInventoryHandling_is_a_handling_event()
    {
        var body = WebhookSamples.CompleteInventoryHandling.Replace("completeInventoryHandling", "cancelInventoryHandling");
        Assert.Equal(18203, Parse<InventoryHandlingEvent>(body).ReturnInventoryId);
    }

    [Fact]
    public void LabelGenerated_success()
    {
        var e = Parse<LabelGeneratedEvent>(WebhookSamples.LabelSuccess);
        Assert.True(e.Succeeded);
        Assert.Equal(10825, e.ShipmentId);
        Assert.Equal(11345, e.LabelId);
        Assert.Equal("ystest07110001", e.ReferenceNumber);
        Assert.Equal("success", e.LabelRequestStatusCode);
        Assert.Equal("9201994884299101443342", e.TrackingNumber);
        Assert.EndsWith(".pdf", e.LabelUrl);
        Assert.Null(e.Error);
        Assert.Equal("S210904-0000202", e.Label.RefKey);
        Assert.EndsWith(".png", e.Label.QrcodeUrl);
        Assert.Equal("https://label.returnhelperchina.com/label/202401/x.pdf", e.Label.Regions["RHCN"]);
        Assert.NotNull(e.Label.CancelCutoffTime);
    }

    [Fact]
    public void LabelGenerated_failure_keeps_the_carrier_error_and_reads_string_ids()
    {
        var e = Parse<LabelGeneratedEvent>(WebhookSamples.LabelFailed);
        Assert.False(e.Succeeded);
        Assert.Equal(10833, e.ShipmentId);
        Assert.Equal(11352, e.LabelId);
        Assert.Contains("postcode doesn't match", e.Error);
        Assert.Contains("fail", e.Summary);
    }

    [Fact]
    public void MarkShipmentArrive_version_1_carries_inventories_and_label()
    {
        var e = Parse<ShipmentArrivedEvent>(WebhookSamples.ShipmentArrivedV1);
        Assert.True(e.IsVersion1);
        Assert.Equal(33838, e.ShipmentId);
        Assert.Equal(64945, e.ReturnRequestId);
        Assert.Equal("6", e.Shipment.ShipmentStatusCode);
        Assert.Equal("nrhl", e.Shipment.ServiceType);
        Assert.Equal(1005, e.Shipment.ShipToWarehouseId);
        var inventory = Assert.Single(e.Inventories);
        Assert.Equal(19078, inventory.ReturnInventoryId);
        Assert.Equal("tbc", inventory.HandlingCode);
        Assert.Equal("pending", inventory.HandlingStatusCode);
        Assert.Equal(new long[] { 19078 }, e.ReturnInventoryIds);
        Assert.Equal("3", e.Label.LabelRequestStatusCode); // undocumented integer: passes through
        Assert.Equal("T-20240523010504", e.Label.TrackingNumber);
        Assert.Null(e.TrackingNumber); // the v1 shipment has none; the label has it
    }

    [Fact]
    public void MarkShipmentArrive_version_2_with_string_ids()
    {
        var e = Parse<ShipmentArrivedEvent>(WebhookSamples.ShipmentArrivedV2);
        Assert.False(e.IsVersion1);
        Assert.Equal(9999, e.ShipmentId);
        Assert.Equal(1234, e.ReturnRequestId);
        Assert.Equal("tracking1234", e.TrackingNumber);
        Assert.Equal(3, e.Shipment.ShipToWarehouseId);
        Assert.Equal("Value02", e.Shipment.CustomFields["Key02"]);
        Assert.Empty(e.Inventories);
        Assert.Null(e.Label);
        Assert.Equal(Utc(2024, 1, 1, 1, 0, 0), e.Shipment.ReceiveDate);
    }

    [Fact]
    public void Other_events_with_a_return_inventory_are_inventory_events()
    {
        var e = Parse<InventoryWebhookEvent>(WebhookSamples.WarehouseRemarks);
        Assert.Equal(13790, e.ReturnInventoryId);
        Assert.Equal("cool", e.Inventory.WarehouseRemarks);
        Assert.Equal("rtn", e.Inventory.HandlingCode);
    }

    [Theory]
    [InlineData(nameof(WebhookSamples.RmaSwapped), "notifyUserRmaSwapped", "notifyUserRmaSwapped")]
    [InlineData(nameof(WebhookSamples.ConsolidatedShipped), "consolidateShippingShipmentShipped", "consolidateShippingShipmentShipped")]
    public void Any_other_event_is_a_generic_event_never_an_error(string sample, string category, string action)
    {
        var body = (string)typeof(WebhookSamples).GetField(sample).GetValue(null);
        var e = Parse(body);
        Assert.Equal(typeof(WebhookEvent), e.GetType());
        Assert.Equal(category, e.Category);
        Assert.Equal(action, e.Action);
        Assert.Equal(body, e.RawBody);
    }

    [Fact]
    public void An_unknown_category_without_action_is_generic()
    {
        var e = Parse("{\"category\":\"somethingNew\",\"eventTime\":\"2030-01-01T00:00:00Z\",\"data\":{\"x\":1}}");
        Assert.Equal("somethingNew", e.Category);
        Assert.Null(e.Action);
        Assert.Equal(Utc(2030, 1, 1, 0, 0, 0), e.EventTime);
    }

    [Fact]
    public void A_typed_action_without_its_payload_object_is_generic()
    {
        var e = Parse("{\"category\":\"recall\",\"action\":\"recallUpdateStatus\",\"recallUpdateTypeStatus\":\"readyToPickUp\"}");
        Assert.Equal(typeof(WebhookEvent), e.GetType());
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{\"category\":\"rsl\"", "not valid JSON")]
    [InlineData("[1,2]", "JSON array")]
    [InlineData("\"rsl\"", "JSON string")]
    [InlineData("{}", "no 'category'")]
    [InlineData("{\"action\":\"markShipmentArrive\",\"shipment\":{}}", "no 'category'")]
    [InlineData("{\"category\":null}", "no 'category'")]
    [InlineData("{\"category\":\"\",\"action\":\"\"}", "empty 'category'")]
    [InlineData("", "empty")]
    [InlineData("  \r\n", "empty")]
    public void Malformed_bodies_are_clear_errors(string body, string expected)
    {
        var e = Assert.Throws<WebhookFormatException>(() => Parse(body));
        Assert.Equal(WebhookField.Body, e.Field);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_dedupe_key_without_notificationId_is_the_SHA256_of_the_raw_body()
    {
        var body = WebhookSamples.CompleteInventoryHandling;
        var expected = "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body))).ToLowerInvariant();
        Assert.Equal(expected, Parse(body).DedupeKey);
        Assert.Equal(expected, WebhookParser.DedupeKeyOf(Encoding.UTF8.GetBytes(body)));
        Assert.NotEqual(expected, Parse(body + " ").DedupeKey); // any byte counts
    }

    [Fact]
    public void A_byte_order_mark_is_ignored_for_parsing_but_kept_for_the_hash()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(WebhookSamples.VasUpdated)).ToArray();
        var e = WebhookParser.Parse(bytes);
        Assert.Equal("rrliv", e.Category);
        Assert.NotEqual(Parse(WebhookSamples.VasUpdated).DedupeKey, e.DedupeKey);
    }

    [Fact]
    public void The_payload_is_made_from_the_parse_that_makes_the_event()
    {
        var roots = new List<string>();
        var e = WebhookParser.Parse(Encoding.UTF8.GetBytes(WebhookSamples.VasUpdated), root =>
        {
            roots.Add(root.GetProperty("category").GetString());
            return "payload";
        });
        Assert.Equal(new[] { "rrliv" }, roots);
        Assert.Equal("payload", e.Payload);
        Assert.Null(Parse(WebhookSamples.VasUpdated).Payload); // not asked for: nothing kept beside the RawBody
    }

    [Fact]
    public void A_body_that_is_not_an_event_still_gives_its_notificationId_as_the_dedupe_key_from_the_same_read()
    {
        // JSON, but not valid UTF-8 (in a field the event would read): no event, yet the key is the notificationId.
        var bytes = Encoding.UTF8.GetBytes("{\"category\":\"rsl\",\"notificationId\":\"N-7\",\"note\":\"x\"}");
        bytes[bytes.Length - 3] = 0xFF;
        using var body = WebhookBody.Read(bytes);
        Assert.Contains("not valid UTF-8", Assert.Throws<WebhookFormatException>(() => WebhookParser.Parse(body)).Message);
        Assert.Equal("N-7", WebhookParser.DedupeKeyOf(body));
        Assert.Equal("N-7", WebhookParser.DedupeKeyOf(bytes));
    }
}
