using System.Net;
using System.Text;
using System.Text.Json;
using ReturnsHelper.Api;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Core.Tests;

public class VasTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const string Ok = "\"correlationId\":\"c-1\",\"meta\":{\"status\":200,\"data\":{},\"errorCode\":null,\"error\":{}}";

    [Theory]
    [InlineData(new[] { "req-pic" }, null, "'req-pic' needs -Quantity (how many photos).")]
    [InlineData(new[] { "req-pic" }, 0, "-Quantity must be more than 0 for 'req-pic'; it is 0.")]
    [InlineData(new[] { "split-parcel" }, null, "'split-parcel' needs -Quantity (how many parcels, 1-50).")]
    [InlineData(new[] { "SPLIT_PARCEL" }, 51, "-Quantity must be between 1 and 50 parcels for 'SPLIT_PARCEL'; it is 51.")]
    [InlineData(new[] { "split-parcel", "repack" }, 2, "'split-parcel' must be requested alone")]
    [InlineData(new[] { "repack", "REPACK" }, null, "'repack' is given more than once.")]
    public void Problem_names_what_the_service_would_refuse(string[] codes, int? quantity, string expected)
        => Assert.StartsWith(expected, VasRules.Problem(codes, quantity));

    [Theory]
    [InlineData(new[] { "prd-inspec", "repack" }, null)]
    [InlineData(new[] { "req-pic", "prd-inspec" }, 3)]
    [InlineData(new[] { "split-parcel" }, 50)]
    public void Problem_is_null_for_a_request_the_docs_allow(string[] codes, int? quantity)
        => Assert.Null(VasRules.Problem(codes, quantity));

    [Theory]
    [InlineData("1", "successful")]
    [InlineData("SUCCESSFUL", "successful")]
    [InlineData("Failed", "failed")]
    [InlineData("0", "pending")]
    [InlineData("onHold", "onHold")]
    public void Status_reads_every_documented_spelling(string raw, string expected) => Assert.Equal(expected, VasRules.Status(raw));

    [Fact]
    public async Task Create_sends_one_inventory_as_a_string_with_its_services_and_an_idempotency_key()
    {
        using var h = new Harness();
        h.Handler.Ok("{" + Ok + ",\"data\":[{\"returnInventoryId\":100001,\"returnRequestLineItemId\":70001,\"createVasDetailList\":["
            + "{\"returnRequestLineItemVasId\":7,\"vasCode\":\"req-pic\",\"metaQuantity\":2,\"notes\":\"n\",\"vasStatusCode\":\"pending\",\"isFinished\":false},"
            + "{\"returnRequestLineItemVasId\":8,\"vasCode\":\"prd-inspec\",\"metaQuantity\":null,\"notes\":\"n\",\"isFinished\":false}]}]}");

        var created = await VasApi.CreateAsync(h.Session, 100001, new[] { "req-pic", "prd-inspec" }, 2, "n", h.Log, None);

        var sent = Assert.Single(h.Handler.Requests);
        Assert.EndsWith("/Vas/CreateByReturnInventoryId", sent.Uri.AbsolutePath);
        Assert.False(string.IsNullOrEmpty(sent.Header("x-returnhelper-idempotency-key")));
        using var body = JsonDocument.Parse(sent.BodyText);
        var entry = Assert.Single(body.RootElement.GetProperty("createVasList").EnumerateArray());
        Assert.Equal("100001", entry.GetProperty("returnInventoryId").GetString());
        var details = entry.GetProperty("createVasDetailList").EnumerateArray().ToArray();
        Assert.Equal(2, details[0].GetProperty("metaQuantity").GetInt32());
        Assert.False(details[1].TryGetProperty("metaQuantity", out _), "only the services that take a quantity get one");
        Assert.Equal(new long[] { 7, 8 }, created.Select(v => v.VasId));
        Assert.All(created, v => Assert.Equal(100001, v.ReturnInventoryId));
        Assert.All(created, v => Assert.Equal("pending", v.Status));
        Assert.All(created, v => Assert.True(v.IsPending));
    }

    [Fact]
    public async Task Create_retries_a_lost_answer_with_the_same_idempotency_key()
    {
        using var h = new Harness();
        h.Handler.Status(HttpStatusCode.ServiceUnavailable).Ok("{" + Ok + ",\"data\":[]}");

        await VasApi.CreateAsync(h.Session, 5, new[] { "repack" }, null, null, h.Log, None);

        var keys = h.Handler.Requests.Select(r => r.Header("x-returnhelper-idempotency-key")).ToArray();
        Assert.Equal(2, keys.Length);
        Assert.Equal(keys[0], keys[1]);
    }

    [Fact]
    public async Task List_reads_the_requests_results_and_photos_from_GetReturnInventory()
    {
        using var h = new Harness();
        h.Handler.Ok("{" + Ok + ",\"returnInventoryId\":42,\"rma\":\"USE-2-260301-D00042-17\",\"returnRequestLineItemVasList\":["
            + "{\"returnRequestLineItemVasId\":7,\"vasCode\":\"req-pic\",\"metaQuantity\":2,\"vasResult\":\"Scratch\",\"vasStatusCode\":\"successful\",\"isFinished\":true,"
            + "\"imageUrlList\":[\"https://rr-dev-files.returnshelper.com/images/vas/a.jpg\"],\"createOn\":\"2026-03-01T10:00:00Z\"},"
            + "{\"returnRequestLineItemVasId\":9,\"vasCode\":\"repack\",\"isFinished\":false}]}");

        var list = await VasApi.ListAsync(h.Session, 42, h.Log, None);

        Assert.Equal("42", h.Handler.Requests[0].QueryValue("returnInventoryId"));
        Assert.Equal(2, list.Count);
        Assert.Equal("successful", list[0].Status);
        Assert.False(list[0].IsPending);
        Assert.Equal("Scratch", list[0].Result);
        Assert.Equal("USE-2-260301-D00042-17", list[0].Rma);
        Assert.Equal("https://rr-dev-files.returnshelper.com/images/vas/a.jpg", Assert.Single(list[0].PhotoUrls));
        Assert.Equal(TimeSpan.Zero, list[0].CreateOn.Value.Offset);
        Assert.Equal("pending", list[1].Status);
        Assert.Empty(list[1].PhotoUrls);
    }

    [Fact]
    public void VasUpdated_is_typed_with_the_status_normalised()
    {
        var e = Assert.IsType<VasUpdatedEvent>(WebhookParser.Parse(Encoding.UTF8.GetBytes(
            "{\"category\":\"rrliv\",\"action\":\"vasUpdated\",\"eventTime\":\"2026-03-01T10:00:00Z\",\"updateVasList\":[{\"returnRequestLineItemVasId\":\"7\","
            + "\"returnInventoryId\":42,\"vasResult\":\"ok\",\"weight\":100,\"vasStatusCode\":1,\"imageUrlList\":[\"https://x/a.jpg\",\"https://x/b.jpg\"]}]}")));

        Assert.Equal(42, e.ReturnInventoryId);
        Assert.Equal(7, e.VasId);
        Assert.Equal("successful", e.Status);
        Assert.Equal(2, e.PhotoUrls.Count);
        Assert.Contains("VAS 7", e.Summary);
    }

    [Fact]
    public void VasUpdated_documented_sample_is_typed()
    {
        var e = Assert.IsType<VasUpdatedEvent>(WebhookParser.Parse(Encoding.UTF8.GetBytes(ReturnsHelper.Tests.Webhooks.WebhookSamples.VasUpdated)));

        Assert.Equal(1468, e.VasId);
        Assert.Equal("successful", e.Status);
        Assert.Equal("apiTestResult1", e.Result);
        Assert.Empty(e.PhotoUrls);
        Assert.Null(e.ReturnInventoryId);
    }

    [Fact]
    public void VasUpdated_without_an_inventory_id_has_none()
    {
        var e = Assert.IsType<VasUpdatedEvent>(WebhookParser.Parse(Encoding.UTF8.GetBytes(
            "{\"category\":\"rrliv\",\"action\":\"vasUpdated\",\"updateVasList\":[{\"returnRequestLineItemVasId\":7,\"vasStatusCode\":\"SUCCESSFUL\"}]}")));

        Assert.Null(e.ReturnInventoryId);
        Assert.Equal("successful", e.Status);
    }

    [Fact]
    public void SplitLineItem_is_typed_with_the_new_inventories()
    {
        var e = Assert.IsType<SplitLineItemEvent>(WebhookParser.Parse(Encoding.UTF8.GetBytes(
            "{\"category\":\"lineItemVasReturnInventoryLineItem\",\"action\":\"splitLineItem\",\"returnRequestId\":\"5\",\"returnRequestLineItemId\":70001,"
            + "\"returnRequestLineItemVasId\":7,\"vasStatusCode\":\"SUCCESSFUL\",\"splitLineItemAndReturnInventoryList\":["
            + "{\"returnRequestLineItem\":{},\"returnInventory\":{\"returnInventoryId\":\"101\",\"rma\":\"USE-2-260301-D00042-01-11\",\"handlingCode\":0,\"handlingStatusCode\":0}},"
            + "{\"returnRequestLineItem\":{},\"returnInventory\":{\"returnInventoryId\":102,\"handlingCode\":0}}]}")));

        Assert.Equal(new long[] { 101, 102 }, e.ReturnInventoryIds.ToArray());
        Assert.Equal("tbc", e.Inventories[0].HandlingCode);
        Assert.Equal("USE-2-260301-D00042-01-11", e.Inventories[0].Rma);
        Assert.Equal(7, e.VasId);
        Assert.Equal(5, e.ReturnRequestId);
        Assert.Equal("successful", e.Status);
    }
}
