using System.Net;
using System.Text.Json;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>Success envelopes in every payload placement, and every failure shape mapped to one exception.</summary>
public class EnvelopeTests
{
    private static readonly RrRequest Get = RrRequest.Get("Recall/list");

    private static RetryPolicy NoWait(int attempts = 3) => new() { MaxAttempts = attempts };

    // ---- success shapes ----

    [Fact]
    public async Task Payload_at_top_level()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"recallList\":[{\"recallId\":1},{\"recallId\":2}],\"totalNumberOfRecords\":2"));
        using var r = await h.SendAsync(Get);

        Assert.Equal(200, r.HttpStatus);
        Assert.Equal(Wire.CorrelationId, r.CorrelationId);
        Assert.True(r.HasPayloadArray("recallList"));
        Assert.Equal(new long[] { 1, 2 }, r.PayloadArray("recallList").Select(e => e.GetProperty("recallId").GetInt64()));
        Assert.True(r.TryGetPayload("totalNumberOfRecords", out var total));
        Assert.Equal(2, total.GetInt32());
        Assert.False(r.TryGetPayload("missing", out _));
    }

    [Fact]
    public async Task Payload_under_data_object()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"data\":{\"recallList\":[{\"recallId\":7}],\"recallId\":7}"));
        using var r = await h.SendAsync(Get);

        Assert.True(r.HasPayloadArray("recallList"));
        Assert.Equal(7, r.PayloadArray("recallList").Single().GetProperty("recallId").GetInt64());
        Assert.True(r.TryGetPayload("recallId", out var id));
        Assert.Equal(7, id.GetInt64());
        Assert.Equal(JsonValueKind.Object, r.PayloadObject().ValueKind);
        Assert.Equal(7, r.PayloadObject().GetProperty("recallId").GetInt64());
        Assert.Equal("{\"recallList\":[{\"recallId\":7}],\"recallId\":7}", PayloadJson(r));
    }

    [Fact]
    public async Task Data_is_the_array_itself()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"data\":[{\"recallId\":3},{\"recallId\":4}]"));
        using var r = await h.SendAsync(Get);

        Assert.True(r.HasPayloadArray("recallList"));
        Assert.Equal(new long[] { 3, 4 }, r.PayloadArray("recallList").Select(e => e.GetProperty("recallId").GetInt64()));
        Assert.Equal("[{\"recallId\":3},{\"recallId\":4}]", PayloadJson(r));
    }

    [Fact]
    public async Task No_list_anywhere_gives_an_empty_sequence_and_HasPayloadArray_false()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"recallList\":{\"not\":\"a list\"}"));
        using var r = await h.SendAsync(Get);
        Assert.False(r.HasPayloadArray("recallList"));
        Assert.Empty(r.PayloadArray("recallList"));
    }

    [Fact]
    public async Task PayloadObject_is_the_root_when_the_record_is_at_top_level_and_Payload_strips_the_envelope()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"returnInventoryId\":5,\"sku\":\"A\""));
        using var r = await h.SendAsync(Get);

        Assert.Equal(5, r.PayloadObject().GetProperty("returnInventoryId").GetInt64());
        var names = r.Payload(_ => null, members => members.Select(p => p.Name).ToList());
        Assert.Equal(new[] { "returnInventoryId", "sku" }, names);
    }

    [Fact]
    public async Task Payload_is_null_when_the_envelope_has_no_payload()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok());
        using var r = await h.SendAsync(Get);
        Assert.Null(PayloadJson(r));
    }

    /// <summary>The payload as JSON text: data's value alone, or the members as one object.</summary>
    private static string PayloadJson(RrResponse r)
        => r.Payload(value => value.GetRawText(), members => "{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.Name) + ":" + m.Value.GetRawText())) + "}");

    [Fact]
    public async Task Meta_status_as_string_200_is_success()
    {
        using var h = new Harness();
        h.Handler.Ok("{\"recallList\":[],\"correlationId\":\"c\",\"meta\":{\"status\":\"200\",\"data\":{},\"errorCode\":null,\"error\":{}}}");
        using var r = await h.SendAsync(Get);
        Assert.Equal("c", r.CorrelationId);
        Assert.True(r.HasPayloadArray("recallList"));
    }

    [Fact]
    public async Task Meta_status_as_string_400_is_a_soft_error()
    {
        using var h = new Harness();
        h.Handler.Ok("{\"correlationId\":\"c\",\"meta\":{\"status\":\"400\",\"errorCode\":\"VALIDATION_FAILED\",\"error\":{\"a\":\"b\"}}}");
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorKind.SoftError, e.Kind);
        Assert.Equal(400, e.MetaStatus);
    }

    // ---- soft errors ----

    [Fact]
    public async Task Soft_error_on_http_200_carries_code_map_correlation_and_messages()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Error(400, "VALIDATION_FAILED", Wire.Map(
            ("returnInventoryId", "'return Inventory Id' must not be empty."),
            ("warehouseId", "The value 'invalid' is not valid.")), "0HNLB2U6T1QG1:00000001"));
        var e = await h.FailAsync(RrRequest.Write("ReturnInventory/UpdateReturnInventoryHandling", null));

        Assert.Equal(RrErrorKind.SoftError, e.Kind);
        Assert.Equal(200, e.HttpStatus);
        Assert.Equal(400, e.MetaStatus);
        Assert.Equal("VALIDATION_FAILED", e.ErrorCode);
        Assert.Equal(RrErrorReason.Rejected, e.Reason);
        Assert.Equal("0HNLB2U6T1QG1:00000001", e.CorrelationId);
        Assert.Equal("POST", e.Method);
        Assert.Equal("ReturnInventory/UpdateReturnInventoryHandling", e.Path);
        Assert.Equal(2, e.Errors.Count);
        Assert.Equal("'return Inventory Id' must not be empty.", e.Errors["returnInventoryId"]);
        Assert.Contains("'return Inventory Id' must not be empty.", e.Message);
        Assert.Contains("The value 'invalid' is not valid.", e.Message);
        Assert.DoesNotContain("VALIDATION_FAILED", e.Message); // properties, not message text: the message is one sentence
        Assert.DoesNotContain("0HNLB2U6T1QG1:00000001", e.Message);
        Assert.EndsWith("not valid.", e.Message);
        Assert.Contains("ReturnInventory/UpdateReturnInventoryHandling", e.Message);
        Assert.Equal(1, h.Handler.Count); // a soft error is an answer, never retried
    }

    [Fact]
    public async Task Soft_error_with_error_code_but_meta_status_200_is_still_an_error()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Error(200, "RECALL_NOT_ALLOWED"));
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorKind.SoftError, e.Kind);
        Assert.Equal("RECALL_NOT_ALLOWED", e.ErrorCode);
    }

    [Theory]
    [InlineData(401, RrErrorKind.Unauthorized)]
    [InlineData(403, RrErrorKind.Unauthorized)]
    [InlineData(404, RrErrorKind.NotFound)]
    [InlineData(409, RrErrorKind.Conflict)]
    public async Task Meta_status_inside_an_http_200_maps_to_its_kind(int metaStatus, RrErrorKind kind)
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Error(metaStatus, "X"));
        var e = await h.FailAsync(Get);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(200, e.HttpStatus);
        Assert.Equal(metaStatus, e.MetaStatus);
    }

    [Fact]
    public async Task Error_without_error_code_has_the_reason_of_its_kind()
    {
        using var h = new Harness();
        h.Handler.Respond(HttpStatusCode.NotFound, "", null);
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorReason.NotFound, e.Reason);
    }

    // ---- real HTTP errors ----

    [Fact]
    public async Task Http_401_with_envelope_is_Unauthorized_with_its_details()
    {
        using var h = new Harness();
        h.Handler.Respond(HttpStatusCode.Unauthorized, Wire.Error(401, "UNAUTHORIZED", correlationId: "corr-401"));
        var e = await h.FailAsync(Get);

        Assert.Equal(RrErrorKind.Unauthorized, e.Kind);
        Assert.Equal(401, e.HttpStatus);
        Assert.Equal(401, e.MetaStatus);
        Assert.Equal("UNAUTHORIZED", e.ErrorCode);
        Assert.Equal("corr-401", e.CorrelationId);
        Assert.Contains("401", e.Message);
        Assert.Equal(1, h.Handler.Count);
        Harness.AssertNoSecret(e);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, RrErrorKind.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound, RrErrorKind.NotFound)]
    [InlineData(HttpStatusCode.Conflict, RrErrorKind.Conflict)]
    [InlineData(HttpStatusCode.BadRequest, RrErrorKind.HttpError)]
    [InlineData(HttpStatusCode.InternalServerError, RrErrorKind.ServerError)]
    [InlineData(HttpStatusCode.NotImplemented, RrErrorKind.ServerError)]
    public async Task Real_http_errors_without_envelope_map_to_kinds_and_are_not_retried(HttpStatusCode status, RrErrorKind kind)
    {
        using var h = new Harness(NoWait());
        h.Handler.Respond(status, "plain text problem", "text/plain");
        var e = await h.FailAsync(RrRequest.Write("Recall/cancelRecall", null));

        Assert.Equal(kind, e.Kind);
        Assert.Equal((int)status, e.HttpStatus);
        Assert.Null(e.MetaStatus);
        Assert.Contains(((int)status).ToString(), e.Message);
        Assert.Equal(1, h.Handler.Count);
        Assert.Empty(h.Delays);
    }

    [Fact]
    public async Task Http_409_with_envelope_is_Conflict()
    {
        using var h = new Harness();
        h.Handler.Respond(HttpStatusCode.Conflict, Wire.Error(409, "IDEMPOTENCY_KEY_REUSED"));
        var e = await h.FailAsync(RrRequest.Write("Recall/cancelRecall", null));
        Assert.Equal(RrErrorKind.Conflict, e.Kind);
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", e.ErrorCode);
    }

    [Fact]
    public async Task Http_500_with_envelope_is_ServerError_and_not_retried()
    {
        using var h = new Harness(NoWait(5));
        h.Handler.Respond(HttpStatusCode.InternalServerError, Wire.Error(500, "INTERNAL_ERROR", Wire.Map(("general", "Something broke")), "corr-500"));
        var e = await h.FailAsync(Get);

        Assert.Equal(RrErrorKind.ServerError, e.Kind);
        Assert.Equal(500, e.HttpStatus);
        Assert.Equal("INTERNAL_ERROR", e.ErrorCode);
        Assert.Equal("corr-500", e.CorrelationId);
        Assert.Equal("Something broke", e.Errors["general"]);
        Assert.Equal(1, h.Handler.Count);
    }

    [Fact]
    public async Task Html_502_page_after_retries_is_a_readable_ServerError()
    {
        const string html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>";
        using var h = new Harness(NoWait(3));
        for (var i = 0; i < 3; i++) h.Handler.Respond(HttpStatusCode.BadGateway, html, "text/html");
        var e = await h.FailAsync(Get);

        Assert.Equal(RrErrorKind.ServerError, e.Kind);
        Assert.Equal(502, e.HttpStatus);
        Assert.Equal(3, h.Handler.Count);
        Assert.Contains("502", e.Message);
        Assert.Contains("not valid JSON", e.Message);
        Assert.Contains("text/html", e.Message);
        Assert.Contains("<head><title>502 Bad Gateway", e.Message);
        Assert.DoesNotContain("\r", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Empty(e.Errors);
    }

    [Fact]
    public async Task Truncated_json_on_200_is_InvalidResponse()
    {
        using var h = new Harness();
        h.Handler.Ok("{\"recallList\":[{\"recallId\":1},{\"recal");
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Equal(200, e.HttpStatus);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Theory]
    [InlineData("{\"recallList\":[]}")]
    [InlineData("{\"meta\":{\"data\":{}}}")]
    [InlineData("{\"meta\":\"ok\"}")]
    [InlineData("[1,2,3]")]
    [InlineData("\"just a string\"")]
    public async Task Json_without_the_envelope_is_InvalidResponse(string body)
    {
        using var h = new Harness();
        h.Handler.Ok(body);
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Contains("envelope", e.Message);
    }

    [Fact]
    public async Task Empty_body_on_200_is_InvalidResponse()
    {
        using var h = new Harness();
        h.Handler.Respond(HttpStatusCode.OK, null, null);
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Contains("empty body", e.Message);
    }

    [Fact]
    public async Task Empty_body_on_401_is_still_Unauthorized()
    {
        using var h = new Harness();
        h.Handler.Respond(HttpStatusCode.Unauthorized, null, null);
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorKind.Unauthorized, e.Kind);
        Assert.Contains("empty body", e.Message);
    }

    [Fact]
    public void ListIndex_reads_the_index_of_error_map_keys()
    {
        Assert.True(ListIndex.TryParse("returnInventoryIdList[3]", out var i));
        Assert.Equal(3, i);
        Assert.True(ListIndex.TryParse("returnInventoryIdList[12]", out i));
        Assert.Equal(12, i);
        Assert.False(ListIndex.TryParse("returnInventoryIdList", out _));
        Assert.False(ListIndex.TryParse("returnInventoryIdList[]", out _));
        Assert.False(ListIndex.TryParse("returnInventoryIdList[-1]", out _));
        Assert.False(ListIndex.TryParse("returnInventoryIdList[x]", out _));
        Assert.False(ListIndex.TryParse(null, out _));
    }

    [Fact]
    public void HasPerEntryErrors_only_for_indexed_keys()
    {
        var perEntry = new RrApiException(RrErrorKind.SoftError, "m", "POST", "p", errors: new Dictionary<string, string> { ["returnInventoryIdList[0]"] = "x" });
        var general = new RrApiException(RrErrorKind.SoftError, "m", "POST", "p", errors: new Dictionary<string, string> { ["returnInventoryIdList"] = "x" });
        Assert.True(perEntry.HasPerEntryErrors);
        Assert.False(general.HasPerEntryErrors);
    }
}
