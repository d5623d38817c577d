using System.Net;
using ReturnsHelper.Api;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>Each endpoint's path, body, query names and payload extraction.</summary>
public class ApiShapeTests
{
    private const string UserBase = "https://api.returnshelper.com/uat/user/api/";
    private const string PublicBase = "https://api.returnshelper.com/uat/public/api/";
    private static readonly CancellationToken None = CancellationToken.None;

    // ---- recalls ----

    public static TheoryData<string, string, string, string> RecallCalls => new()
    {
        // method, path, list name, response payload
        { "create", "Recall/createRecallByReturnInventoryId", "returnInventoryIdList", "\"recallList\":[{\"recallId\":1,\"recallInventoryList\":[{\"returnInventoryId\":11}]}]" },
        { "cancel", "Recall/cancelRecall", "recallIdList", "\"data\":{\"recallList\":[{\"recallId\":1,\"recallInventoryList\":[{\"returnInventoryId\":11}]}]}" },
        { "cancelByInventory", "Recall/cancelRecallByReturnInventoryId", "returnInventoryIdList", "\"data\":[{\"recallId\":1,\"recallInventoryList\":[{\"returnInventoryId\":11}]}]" },
    };

    private static Task<IReadOnlyList<Recall>> CallRecall(string which, RrSession session, IReadOnlyList<long> ids, IRrLog log) => which switch
    {
        "create" => RecallApi.CreateAsync(session, ids, log, None),
        "cancel" => RecallApi.CancelAsync(session, ids, log, None),
        _ => RecallApi.CancelByInventoryAsync(session, ids, log, None),
    };

    [Theory]
    [MemberData(nameof(RecallCalls))]
    public async Task Recall_calls_post_an_id_list_and_read_the_recall_list(string which, string path, string listName, string payload)
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok(payload));
        var recalls = await CallRecall(which, h.Session, new long[] { 11, 12, 9007199254740993 }, h.Log);

        var r = h.Handler.Requests.Single();
        Assert.Equal("POST", r.Method);
        Assert.Equal(UserBase + path, r.Uri.AbsoluteUri);
        Assert.Equal($"{{\"{listName}\":[11,12,9007199254740993]}}", r.BodyText);
        Assert.False(string.IsNullOrEmpty(r.Header("x-returnhelper-idempotency-key")));
        var recall = Assert.Single(recalls);
        Assert.Equal(1, recall.RecallId);
        Assert.Equal(new long[] { 11 }, recall.ReturnInventoryIds);
        Assert.Equal("Sandbox", recall.Environment);
    }

    [Theory]
    [MemberData(nameof(RecallCalls))]
    public async Task Recall_calls_without_a_recall_list_are_InvalidResponse(string which, string path, string listName, string payload)
    {
        _ = listName; _ = payload;
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"recallId\":1", correlationId: "corr-missing"));
        var e = await Assert.ThrowsAsync<RrApiException>(() => CallRecall(which, h.Session, new long[] { 1 }, h.Log));

        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Equal(path, e.Path);
        Assert.Equal("corr-missing", e.CorrelationId);
        Assert.Contains("recallList", e.Message);
    }

    [Fact]
    public async Task Recall_empty_list_is_a_valid_answer()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"recallList\":[]"));
        Assert.Empty(await RecallApi.CancelAsync(h.Session, new long[] { 1 }, h.Log, None));
    }

    [Fact]
    public async Task Recall_soft_error_propagates_as_RrApiException()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Error(400, "VALIDATION_FAILED", Wire.Map(("recallIdList[0]", "Recall 5 cannot be cancelled."))));
        var e = await Assert.ThrowsAsync<RrApiException>(() => RecallApi.CancelAsync(h.Session, new long[] { 5 }, h.Log, None));
        Assert.Equal(RrErrorKind.SoftError, e.Kind);
        Assert.True(e.HasPerEntryErrors);
    }

    // ---- inventories ----

    [Fact]
    public async Task Inventory_get_sends_the_id_and_reads_the_top_level_record()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"returnInventoryId\":19973,\"sku\":\"S\",\"returnRequestLineItemImages\":[{\"s3OriginalFileKey\":\"img/a.jpg\"}]"));
        var inv = await InventoryApi.GetAsync(h.Session, 19973, h.Log, None);

        var r = h.Handler.Requests.Single();
        Assert.Equal("GET", r.Method);
        Assert.Equal(UserBase + "ReturnInventory/GetReturnInventory", r.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal(new[] { new KeyValuePair<string, string>("returnInventoryId", "19973") }, r.Query);
        Assert.Equal(19973, inv.ReturnInventoryId);
        Assert.Equal("S", inv.Sku);
        Assert.Equal("Sandbox", inv.Environment);
        Assert.Equal("https://rr-dev-files.returnshelper.com/img/a.jpg", inv.ImageUrls.Single());
    }

    [Fact]
    public async Task Inventory_get_reads_a_record_under_data()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"data\":{\"returnInventoryId\":\"42\",\"handlingCode\":4}"));
        var inv = await InventoryApi.GetAsync(h.Session, 42, h.Log, None);
        Assert.Equal(42, inv.ReturnInventoryId);
        Assert.Equal("ohd", inv.HandlingCode);
    }

    [Fact]
    public async Task Inventory_get_without_a_record_is_InvalidResponse()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok());
        var e = await Assert.ThrowsAsync<RrApiException>(() => InventoryApi.GetAsync(h.Session, 1, h.Log, None));
        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Contains("returnInventoryId", e.Message);
    }

    [Fact]
    public async Task Inventory_list_page_sends_window_and_paging_and_reads_data_and_total()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"data\":[{\"returnInventoryId\":1},{\"returnInventoryId\":\"2\"}],\"totalNumberOfRecords\":\"120\""));
        var from = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2025, 3, 4, 12, 30, 15, DateTimeKind.Utc);
        var page = await InventoryApi.ListPageAsync(h.Session, from, to, 50, 100, h.Log, None);

        var r = h.Handler.Requests.Single();
        Assert.Equal("GET", r.Method);
        Assert.Equal(UserBase + "ReturnInventory/list", r.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal(new[] { "createFrom", "createTo", "pageSize", "offset" }, r.Query.Select(q => q.Key));
        Assert.Equal("2025-01-01T00:00:00.0000000Z", r.QueryValue("createFrom"));
        Assert.Equal("2025-03-04T12:30:15.0000000Z", r.QueryValue("createTo"));
        Assert.Equal("50", r.QueryValue("pageSize"));
        Assert.Equal("100", r.QueryValue("offset"));
        Assert.Equal(new long[] { 1, 2 }, page.Items.Select(i => i.ReturnInventoryId));
        Assert.Equal(120, page.TotalNumberOfRecords);
    }

    [Fact]
    public async Task Inventory_list_page_without_data_list_is_InvalidResponse()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"data\":{}"));
        var e = await Assert.ThrowsAsync<RrApiException>(() => InventoryApi.ListPageAsync(h.Session, DateTime.UtcNow.AddDays(-1), DateTime.UtcNow, 50, 0, h.Log, None));
        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
    }

    [Fact]
    public async Task Inventory_handling_update_and_cancel_post_their_bodies_as_separate_writes()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok()).Ok(Wire.Ok());
        await InventoryApi.UpdateHandlingAsync(h.Session, 19973, "dis", h.Log, None);
        await InventoryApi.CancelHandlingAsync(h.Session, 19973, h.Log, None);

        var sent = h.Handler.Requests;
        Assert.Equal(UserBase + "ReturnInventory/UpdateReturnInventoryHandling", sent[0].Uri.AbsoluteUri);
        Assert.Equal("{\"returnInventoryId\":19973,\"handlingCode\":\"dis\"}", sent[0].BodyText);
        Assert.Equal(UserBase + "ReturnInventory/CancelReturnInventoryHandling", sent[1].Uri.AbsoluteUri);
        Assert.Equal("{\"returnInventoryId\":19973}", sent[1].BodyText);
        Assert.All(sent, r => Assert.Equal("POST", r.Method));
        Assert.NotEqual(sent[0].Header("x-returnhelper-idempotency-key"), sent[1].Header("x-returnhelper-idempotency-key"));
    }

    [Theory]
    [InlineData(150)]
    [InlineData(62)]
    [InlineData(124)]
    [InlineData(125)]
    [InlineData(1)]
    [InlineData(400)]
    public void Inventory_windows_cover_the_range_with_shared_edges_and_no_gaps(int days)
    {
        var from = new DateTime(2024, 1, 1, 6, 0, 0, DateTimeKind.Utc);
        var to = from.AddDays(days).AddHours(days % 2 == 0 ? 0 : 7);
        var windows = InventoryApi.Windows(from, to).ToList();

        Assert.Equal(from, windows.First().Key);
        Assert.Equal(to, windows.Last().Value);
        for (var i = 0; i < windows.Count; i++)
        {
            Assert.True(windows[i].Key < windows[i].Value);
            Assert.True(windows[i].Value - windows[i].Key <= InventoryApi.MaxWindow);
            if (i < windows.Count - 1) Assert.Equal(InventoryApi.MaxWindow, windows[i].Value - windows[i].Key); // 150 days: 62, 62, 26
            if (i > 0) Assert.Equal(windows[i - 1].Value, windows[i].Key);
        }
        var expected = (int)Math.Ceiling((to - from).TotalDays / 62);
        Assert.Equal(expected, windows.Count);
    }

    [Fact]
    public void Inventory_windows_of_an_empty_or_reversed_range_are_empty()
    {
        var t = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Empty(InventoryApi.Windows(t, t));
        Assert.Empty(InventoryApi.Windows(t, t.AddDays(-3)));
    }

    // ---- reference data ----

    [Fact]
    public async Task Handling_types_come_from_the_public_api_and_are_cached()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"handlings\":[{\"handlingCode\":\"tbc\",\"handlingDescription\":\"To be confirmed\"},{\"handlingCode\":4,\"handlingDescription\":\"On hold\"}]"));
        var first = await ReferenceApi.GetHandlingTypesAsync(h.Session, false, h.Log, None);
        var second = await ReferenceApi.GetHandlingTypesAsync(h.Session, false, h.Log, None);

        var r = h.Handler.Requests.Single();
        Assert.Equal("GET", r.Method);
        Assert.Equal(PublicBase + "handling/getAllHandlings", r.Uri.AbsoluteUri);
        Assert.Equal(Harness.ApiKey, r.Header("x-rr-apikey"));
        Assert.Equal(new[] { "tbc", "ohd" }, first.Select(t => t.HandlingCode));
        Assert.Same(first, second);
        Assert.Same(first, ReferenceApi.Cached<HandlingType>(h.Session, ReferenceApi.HandlingTypesKey));
    }

    [Fact]
    public async Task Refresh_bypasses_the_cache_and_replaces_it()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"warehouses\":[{\"warehouseId\":1,\"description\":\"Old\"}]"))
                 .Ok(Wire.Ok("\"warehouses\":[{\"warehouseId\":2,\"description\":\"New\"}]"));
        var first = await ReferenceApi.GetWarehousesAsync(h.Session, false, h.Log, None);
        var refreshed = await ReferenceApi.GetWarehousesAsync(h.Session, true, h.Log, None);
        var cached = await ReferenceApi.GetWarehousesAsync(h.Session, false, h.Log, None);

        Assert.Equal(2, h.Handler.Count);
        Assert.All(h.Handler.Requests, r => Assert.Equal(UserBase + "warehouse/getAllWarehouse", r.Uri.AbsoluteUri));
        Assert.Equal(1, first.Single().WarehouseId);
        Assert.Equal(2, refreshed.Single().WarehouseId);
        Assert.Same(refreshed, cached);
    }

    [Fact]
    public async Task Expired_cache_is_refetched_but_stays_available_for_tab_completion()
    {
        using var h = new Harness();
        h.Session.ReferenceCacheDuration = TimeSpan.Zero;
        h.Handler.Ok(Wire.Ok("\"warehouses\":[{\"warehouseId\":1}]")).Ok(Wire.Ok("\"warehouses\":[{\"warehouseId\":2}]"));
        var first = await ReferenceApi.GetWarehousesAsync(h.Session, false, h.Log, None);
        Assert.Same(first, ReferenceApi.Cached<Warehouse>(h.Session, ReferenceApi.WarehousesKey)); // stale allowed
        var second = await ReferenceApi.GetWarehousesAsync(h.Session, false, h.Log, None);

        Assert.Equal(2, h.Handler.Count);
        Assert.Equal(2, second.Single().WarehouseId);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_cached_list()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 1 });
        h.Handler.Ok(Wire.Ok("\"warehouses\":[{\"warehouseId\":1}]")).Status(HttpStatusCode.ServiceUnavailable);
        var first = await ReferenceApi.GetWarehousesAsync(h.Session, false, h.Log, None);
        await Assert.ThrowsAsync<RrApiException>(() => ReferenceApi.GetWarehousesAsync(h.Session, true, h.Log, None));
        Assert.Same(first, await ReferenceApi.GetWarehousesAsync(h.Session, false, h.Log, None));
    }

    [Fact]
    public void Nothing_cached_reads_as_null()
    {
        using var h = new Harness();
        Assert.Null(ReferenceApi.Cached<Warehouse>(h.Session, ReferenceApi.WarehousesKey));
    }

    [Fact]
    public async Task Verify_credentials_is_one_cheap_get()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"apiBalances\":[],\"totalNumberOfRecords\":0"));
        await ReferenceApi.VerifyCredentialsAsync(h.Session, h.Log, None);

        var r = h.Handler.Requests.Single();
        Assert.Equal("GET", r.Method);
        Assert.Equal(UserBase + "ApiBalance/GetApiBalance?pageSize=1&offset=0", r.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Verify_credentials_with_wrong_credentials_is_Unauthorized()
    {
        using var h = new Harness();
        h.Handler.Respond(HttpStatusCode.Unauthorized, "{\"correlationId\":\"c\",\"meta\":{\"status\":401}}");
        var e = await Assert.ThrowsAsync<RrApiException>(() => ReferenceApi.VerifyCredentialsAsync(h.Session, h.Log, None));
        Assert.Equal(RrErrorKind.Unauthorized, e.Kind);
        Assert.Equal(1, h.Handler.Count);
    }
}
