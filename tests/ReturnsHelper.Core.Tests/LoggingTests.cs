using System.Net;
using System.Text;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>-Verbose / -Debug lines, and redaction of the credentials from every log line and error.</summary>
public class LoggingTests
{
    private const string RequestBody = "{\"returnInventoryIdList\":[101,102]}";

    [Fact]
    public async Task Verbose_lines_name_method_path_status_attempt_duration_and_retry_decisions()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 4 });
        h.Handler.Status(HttpStatusCode.ServiceUnavailable, retryAfterSeconds: 2).Ok(Wire.Ok(correlationId: "corr-42"));
        using (await h.SendAsync(RrRequest.Write("Recall/createRecallByReturnInventoryId", Encoding.UTF8.GetBytes(RequestBody)))) { }

        var lines = h.Log.VerboseLines;
        Assert.Matches(@"^POST Recall/createRecallByReturnInventoryId -> 503 ServiceUnavailable in \d+ ms \(attempt 1 of 4\)$", lines[0]);
        Assert.Matches(@"^POST Recall/createRecallByReturnInventoryId: retrying in 2000 ms \(server asked Retry-After 2 s\) with the same idempotency key$", lines[1]);
        Assert.Matches(@"^POST Recall/createRecallByReturnInventoryId -> 200 OK in \d+ ms \(attempt 2 of 4\)$", lines[2]);
        Assert.Contains(lines, l => l.Contains("correlation id corr-42"));
    }

    [Fact]
    public async Task Without_debug_no_body_is_logged_anywhere()
    {
        using var h = new Harness(debug: false);
        h.Handler.Ok(Wire.Ok("\"recallList\":[{\"recallId\":987654}]"));
        using (await h.SendAsync(RrRequest.Write("Recall/createRecallByReturnInventoryId", Encoding.UTF8.GetBytes(RequestBody)))) { }

        Assert.Empty(h.Log.DebugLines);
        Assert.NotEmpty(h.Log.VerboseLines);
        Assert.DoesNotContain(h.Log.VerboseLines, l => l.Contains("returnInventoryIdList") || l.Contains("987654"));
    }

    [Fact]
    public async Task With_debug_request_and_response_bodies_are_logged()
    {
        using var h = new Harness(debug: true);
        h.Handler.Ok(Wire.Ok("\"recallList\":[{\"recallId\":987654}]"));
        using (await h.SendAsync(RrRequest.Write("Recall/createRecallByReturnInventoryId", Encoding.UTF8.GetBytes(RequestBody)))) { }

        var debug = h.Log.DebugLines;
        Assert.Contains(debug, l => l.StartsWith("POST Recall/createRecallByReturnInventoryId request body:") && l.Contains(RequestBody));
        Assert.Contains(debug, l => l.StartsWith("POST Recall/createRecallByReturnInventoryId response body:") && l.Contains("987654"));
        Assert.DoesNotContain(h.Log.VerboseLines, l => l.Contains("987654")); // bodies stay on the debug stream
    }

    [Fact]
    public async Task Debug_bodies_are_truncated()
    {
        using var h = new Harness(debug: true);
        var big = new string('x', 10000);
        h.Handler.Ok(Wire.Ok($"\"blob\":\"{big}\""));
        using (await h.SendAsync(RrRequest.Get("Recall/list"))) { }
        var line = Assert.Single(h.Log.DebugLines);
        Assert.True(line.Length < 4096 + 200, $"{line.Length} chars");
        Assert.Contains("bytes)", line); // only the start of the body is decoded
    }

    [Fact]
    public async Task Credentials_never_appear_in_logs_or_errors_across_success_soft_error_auth_failure_and_retries()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 3 }, debug: true);
        var echo = $"Invalid token '{Harness.ApiToken}' for key {Harness.ApiKey}";
        h.Handler
            .Ok(Wire.Ok("\"recallList\":[]"))                                                                 // success
            .Ok(Wire.Error(400, "VALIDATION_FAILED", Wire.Map(("returnInventoryIdList[0]", echo), ("x-rr-apitoken", echo)))) // soft error echoing both
            .Respond(HttpStatusCode.Unauthorized, Wire.Error(401, "UNAUTHORIZED", Wire.Map(("auth", echo))))   // auth failure
            .Status(HttpStatusCode.ServiceUnavailable, $"{{\"message\":\"{echo}\"}}")                          // retries
            .Respond(HttpStatusCode.BadGateway, $"<html>{echo}</html>", "text/html")
            .Respond(HttpStatusCode.GatewayTimeout, echo, "text/plain");

        var errors = new List<RrApiException>();
        using (await h.SendAsync(RrRequest.Get("Recall/list"))) { }
        errors.Add(await h.FailAsync(RrRequest.Write("Recall/createRecallByReturnInventoryId", Encoding.UTF8.GetBytes(RequestBody))));
        errors.Add(await h.FailAsync(RrRequest.Get("ApiBalance/GetApiBalance")));
        errors.Add(await h.FailAsync(RrRequest.Get("Recall/list")));

        Assert.Equal(new[] { RrErrorKind.SoftError, RrErrorKind.Unauthorized, RrErrorKind.ServerError }, errors.Select(e => e.Kind));
        Assert.Equal("Invalid token '***' for key ***", errors[0].Errors["returnInventoryIdList[0]"]);
        Assert.Contains("Invalid token '***'", errors[0].Message);
        Assert.Contains(h.Log.DebugLines, l => l.Contains("Invalid token '***'")); // the echo was logged, redacted
        foreach (var e in errors) Harness.AssertNoSecret(e);
        Harness.AssertNoSecret(h.Log.AllLines);
        Assert.Equal(6, h.Handler.Count);
    }

    [Fact]
    public async Task Transport_failure_text_echoing_a_credential_is_redacted_in_the_exception_and_the_verbose_log()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 2 });
        var echo = $"proxy refused request with x-rr-apitoken: {Harness.ApiToken}";
        h.Handler.Throw(new HttpRequestException(echo)).Throw(new HttpRequestException(echo));
        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(RrErrorKind.Transport, e.Kind);
        Harness.AssertNoSecret(e);
        Harness.AssertNoSecret(h.Log.AllLines); // core bug: the "-> failed: ..." verbose line is not redacted
    }

    [Fact]
    public async Task A_credential_cut_by_the_debug_body_truncation_is_still_redacted()
    {
        using var h = new Harness(debug: true);
        // Place the token across the 4096-character cut of the logged body.
        var prefix = "{\"padding\":\"";
        var filler = new string('p', 4096 - prefix.Length - 8);
        h.Handler.Ok(prefix + filler + Harness.ApiToken + "\"," + Wire.Ok().Substring(1));
        using (await h.SendAsync(RrRequest.Get("Recall/list"))) { }

        var line = Assert.Single(h.Log.DebugLines);
        Assert.DoesNotContain(Harness.ApiToken.Substring(0, 8), line); // core bug: truncation happens before redaction
    }

    [Fact]
    public async Task A_credential_cut_by_the_80_character_body_excerpt_is_still_redacted()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 1 });
        var html = "<html><body>" + new string('.', 80 - 12 - 8) + Harness.ApiToken + "</body></html>";
        h.Handler.Respond(HttpStatusCode.Unauthorized, html, "text/html");
        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(RrErrorKind.Unauthorized, e.Kind);
        Assert.DoesNotContain(Harness.ApiToken.Substring(0, 8), e.Message); // core bug: excerpt is cut before redaction
    }

    [Fact]
    public async Task A_credential_echoed_in_error_code_correlation_id_or_error_map_key_is_redacted()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Error(400, "BAD_TOKEN_" + Harness.ApiToken,
            Wire.Map(($"header[{Harness.ApiToken}]", "not accepted")), correlationId: "c-" + Harness.ApiKey));
        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(RrErrorKind.SoftError, e.Kind);
        Harness.AssertNoSecret(e); // core bug: only the message and the error map values are redacted
    }

    [Fact]
    public void Redact_replaces_both_credentials()
    {
        using var h = new Harness();
        var secrets = h.Client.Secrets();
        Assert.Equal("a *** b *** c", secrets.Redact($"a {Harness.ApiToken} b {Harness.ApiKey} c"));
        Assert.Null(secrets.Redact(null));
        Assert.Equal("", secrets.Redact(""));
    }
}
