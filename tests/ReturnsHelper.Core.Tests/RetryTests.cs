using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>Retries: which failures are repeated, how long the client waits, and when it gives up.</summary>
public class RetryTests
{
    private static readonly RrRequest Get = RrRequest.Get("Recall/list");

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Retryable_status_then_success_succeeds(HttpStatusCode status)
    {
        using var h = new Harness();
        h.Handler.Status(status).Status(status).Ok(Wire.Ok("\"recallList\":[]"));
        using var r = await h.SendAsync(Get);

        Assert.Equal(200, r.HttpStatus);
        Assert.Equal(3, h.Handler.Count);
        Assert.Equal(2, h.Delays.Count);
    }

    [Fact]
    public async Task Retry_after_in_seconds_is_honoured()
    {
        using var h = new Harness(new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) });
        h.Handler.Status(HttpStatusCode.TooManyRequests, retryAfterSeconds: 7).Ok(Wire.Ok());
        using (await h.SendAsync(Get)) { }

        Assert.Equal(TimeSpan.FromSeconds(7), Assert.Single(h.Delays));
        Assert.Contains(h.Log.VerboseLines, l => l.Contains("Retry-After 7 s"));
    }

    [Fact]
    public async Task Retry_after_as_http_date_is_honoured_against_the_clock()
    {
        using var h = new Harness(new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) });
        h.Handler.Status(HttpStatusCode.ServiceUnavailable, retryAfterDate: Harness.Now.AddSeconds(12)).Ok(Wire.Ok());
        using (await h.SendAsync(Get)) { }

        var wait = Assert.Single(h.Delays);
        Assert.True(wait >= TimeSpan.FromSeconds(12), $"waited {wait}");
        Assert.True(wait < TimeSpan.FromSeconds(13), $"waited {wait}");
    }

    [Fact]
    public async Task Retry_after_shorter_than_the_backoff_does_not_shorten_it_below_itself()
    {
        using var h = new Harness(new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(10) });
        for (var i = 0; i < 20; i++) h.Handler.Status(HttpStatusCode.ServiceUnavailable, retryAfterSeconds: 1);
        h.Handler.Ok(Wire.Ok());
        var policy = h.Client.Policy;
        policy.MaxAttempts = 21;
        policy.MaxRetryTime = TimeSpan.FromDays(1);
        using (await h.SendAsync(Get)) { }

        Assert.Equal(20, h.Delays.Count);
        Assert.All(h.Delays, d => Assert.InRange(d, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Backoff_grows_exponentially_with_full_jitter_and_is_capped()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(3000) };
        // Caps per next attempt: 2 -> 100, 3 -> 200, 4 -> 400, 5 -> 800, 6 -> 1600, 7.. -> 3000.
        var caps = new Dictionary<int, double> { [2] = 100, [3] = 200, [4] = 400, [5] = 800, [6] = 1600, [7] = 3000, [30] = 3000, [int.MaxValue] = 3000 };
        foreach (var (attempt, cap) in caps)
        {
            var samples = Enumerable.Range(0, 400).Select(_ => policy.Backoff(attempt, null).TotalMilliseconds).ToList();
            Assert.All(samples, s => Assert.InRange(s, 0, cap));
            // Full jitter: spread over the whole range, not a constant.
            Assert.True(samples.Max() > cap * 0.75, $"attempt {attempt}: max {samples.Max()} of cap {cap}");
            Assert.True(samples.Min() < cap * 0.25, $"attempt {attempt}: min {samples.Min()} of cap {cap}");
            Assert.True(samples.Distinct().Count() > 100, $"attempt {attempt}: jitter missing");
        }
    }

    [Fact]
    public void Backoff_never_waits_less_than_retry_after()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(200) };
        for (var i = 0; i < 100; i++)
            Assert.Equal(TimeSpan.FromSeconds(30), policy.Backoff(2, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Waits_between_attempts_come_from_the_backoff_bounds()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 5, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(250) });
        for (var i = 0; i < 4; i++) h.Handler.Status(HttpStatusCode.BadGateway);
        h.Handler.Ok(Wire.Ok());
        using (await h.SendAsync(Get)) { }

        var d = h.Delays;
        Assert.Equal(4, d.Count);
        Assert.InRange(d[0].TotalMilliseconds, 0, 100);
        Assert.InRange(d[1].TotalMilliseconds, 0, 200);
        Assert.InRange(d[2].TotalMilliseconds, 0, 250);
        Assert.InRange(d[3].TotalMilliseconds, 0, 250);
    }

    [Fact]
    public async Task Gives_up_after_max_attempts_with_the_last_status()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 3 });
        for (var i = 0; i < 3; i++) h.Handler.Status(HttpStatusCode.ServiceUnavailable, Wire.Error(503, "SERVICE_UNAVAILABLE"));
        var e = await h.FailAsync(Get);

        Assert.Equal(RrErrorKind.ServerError, e.Kind);
        Assert.Equal(503, e.HttpStatus);
        Assert.Equal("SERVICE_UNAVAILABLE", e.ErrorCode);
        Assert.Equal(3, h.Handler.Count);
        Assert.Equal(2, h.Delays.Count);
        Assert.Contains("GET Recall/list: not retrying: reached the maximum of 3 attempts", h.Log.VerboseLines);
    }

    [Fact]
    public async Task Throttling_after_all_attempts_is_Throttled()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 2 });
        h.Handler.Status(HttpStatusCode.TooManyRequests).Status(HttpStatusCode.TooManyRequests);
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorKind.Throttled, e.Kind);
        Assert.Equal(429, e.HttpStatus);
        Assert.Equal(2, h.Handler.Count);
    }

    [Fact]
    public async Task Max_attempts_of_one_never_retries()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 1 });
        h.Handler.Status(HttpStatusCode.ServiceUnavailable);
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorKind.ServerError, e.Kind);
        Assert.Equal(1, h.Handler.Count);
        Assert.Empty(h.Delays);
    }

    [Fact]
    public async Task Stops_when_the_next_wait_would_pass_the_max_retry_time()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 10, MaxRetryTime = TimeSpan.FromSeconds(30) });
        h.Handler.Status(HttpStatusCode.ServiceUnavailable, retryAfterSeconds: 10)
                 .Status(HttpStatusCode.ServiceUnavailable, retryAfterSeconds: 45);
        var e = await h.FailAsync(Get);

        Assert.Equal(RrErrorKind.ServerError, e.Kind);
        Assert.Equal(2, h.Handler.Count);
        Assert.Equal(new[] { TimeSpan.FromSeconds(10) }, h.Delays); // the 45 s wait was never started
        Assert.Contains(h.Log.VerboseLines, l => l.Contains("not retrying") && l.Contains("retry time limit of 30 s"));
    }

    [Fact]
    public async Task Max_retry_time_counts_the_time_attempts_took_not_only_the_waits()
    {
        // A clock the test drives: each attempt takes 10 s, each wait 5 s (Retry-After; the jitter is capped below it).
        using var h = new Harness(new RetryPolicy { MaxAttempts = 100, MaxRetryTime = TimeSpan.FromSeconds(30), BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) });
        var now = TimeSpan.Zero;
        h.Client.Elapsed = () => now;
        h.Client.Delay = (wait, ct) => { now += wait; return Task.CompletedTask; };
        for (var i = 0; i < 100; i++)
            h.Handler.Step((_, _) =>
            {
                now += TimeSpan.FromSeconds(10);
                var answer = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
                answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(5));
                return Task.FromResult(answer);
            });
        var e = await h.FailAsync(Get);

        // 10 + 5 + 10 + 5 = 30 s fits the limit; the next wait would end at 45 s. Counting waits alone would allow six.
        Assert.Equal(RrErrorKind.ServerError, e.Kind);
        Assert.Equal(3, h.Handler.Count);
        Assert.Contains(h.Log.VerboseLines, l => l.Contains("not retrying: the next attempt would pass the retry time limit of 30 s"));
    }

    [Fact]
    public async Task Connection_failure_is_retried_then_succeeds()
    {
        using var h = new Harness();
        h.Handler.Throw(new HttpRequestException("Connection refused (127.0.0.1:443)"))
                 .Throw(new IOException("Unable to read data from the transport connection: Connection reset by peer."))
                 .Ok(Wire.Ok());
        using var r = await h.SendAsync(Get);
        Assert.Equal(3, h.Handler.Count);
        Assert.Equal(2, h.Delays.Count);
        Assert.Contains(h.Log.VerboseLines, l => l.Contains("failed: Connection refused"));
    }

    [Fact]
    public async Task Connection_failure_on_every_attempt_is_a_Transport_error()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 3 });
        for (var i = 0; i < 3; i++) h.Handler.Throw(new HttpRequestException("Name or service not known", new IOException("dns")));
        var e = await h.FailAsync(Get);

        Assert.Equal(RrErrorKind.Transport, e.Kind);
        Assert.Null(e.HttpStatus);
        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.Contains("3 attempt(s)", e.Message);
        Assert.Contains("Name or service not known", e.Message);
        Assert.Equal(3, h.Handler.Count);
    }

    [Fact]
    public async Task Per_attempt_timeout_is_retried()
    {
        using var h = new Harness(new RetryPolicy { AttemptTimeout = TimeSpan.FromMilliseconds(100) });
        h.Handler.Hang().Ok(Wire.Ok());
        using var r = await h.SendAsync(Get);

        Assert.Equal(2, h.Handler.Count);
        Assert.Single(h.Delays);
        Assert.Contains(h.Log.VerboseLines, l => l.Contains("no answer within 0.1 s") && l.Contains("attempt 1"));
    }

    [Fact]
    public async Task Timeout_on_every_attempt_is_a_Transport_error_mentioning_the_timeout()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 2, AttemptTimeout = TimeSpan.FromMilliseconds(50) });
        h.Handler.Hang().Hang();
        var e = await h.FailAsync(Get);
        Assert.Equal(RrErrorKind.Transport, e.Kind);
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.Contains("no answer within", e.Message);
    }

    // ---- idempotency ----

    [Fact]
    public async Task Post_with_key_is_retried_with_the_same_key_and_identical_bytes_on_every_attempt()
    {
        using var h = new Harness();
        h.Handler.Status(HttpStatusCode.ServiceUnavailable)
                 .Throw(new HttpRequestException("reset"))
                 .Status(HttpStatusCode.TooManyRequests, retryAfterSeconds: 1)
                 .Ok(Wire.Ok("\"recallList\":[]"));
        var body = Encoding.UTF8.GetBytes("{\"returnInventoryIdList\":[11,12,13]}");
        var request = RrRequest.Write("Recall/createRecallByReturnInventoryId", body);
        using (await h.SendAsync(request)) { }

        var sent = h.Handler.Requests;
        Assert.Equal(4, sent.Count);
        Assert.All(sent, r => Assert.Equal(request.IdempotencyKey, r.Header("x-returnhelper-idempotency-key")));
        Assert.All(sent, r => Assert.Equal(body, r.Body));
        Assert.Contains(h.Log.VerboseLines, l => l.Contains("with the same idempotency key"));
    }

    [Fact]
    public async Task Two_logical_writes_carry_different_keys()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok()).Ok(Wire.Ok());
        var body = Encoding.UTF8.GetBytes("{\"recallIdList\":[1]}");
        using (await h.SendAsync(RrRequest.Write("Recall/cancelRecall", body))) { }
        using (await h.SendAsync(RrRequest.Write("Recall/cancelRecall", body))) { }

        var keys = h.Handler.Requests.Select(r => r.Header("x-returnhelper-idempotency-key")).ToList();
        Assert.All(keys, Assert.NotNull);
        Assert.NotEqual(keys[0], keys[1]);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Post_without_key_is_never_retried_on_a_retryable_status(HttpStatusCode status)
    {
        using var h = new Harness();
        h.Handler.Status(status).Ok(Wire.Ok());
        var e = await h.FailAsync(HttpPipelineTests.PostWithoutKey("Recall/cancelRecall"));

        Assert.Equal((int)status, e.HttpStatus);
        Assert.Equal(1, h.Handler.Count);
        Assert.Empty(h.Delays);
        Assert.Null(h.Handler.Requests[0].Header("x-returnhelper-idempotency-key"));
        Assert.Contains(h.Log.VerboseLines, l => l.Contains("not retrying") && l.Contains("never repeated"));
    }

    [Fact]
    public async Task Post_without_key_is_never_retried_after_a_connection_failure_or_timeout()
    {
        using var h = new Harness(new RetryPolicy { AttemptTimeout = TimeSpan.FromMilliseconds(50) });
        h.Handler.Throw(new HttpRequestException("reset")).Hang().Ok(Wire.Ok());

        var e1 = await h.FailAsync(HttpPipelineTests.PostWithoutKey("Recall/cancelRecall"));
        Assert.Equal(RrErrorKind.Transport, e1.Kind);
        Assert.Equal(1, h.Handler.Count);

        var e2 = await h.FailAsync(HttpPipelineTests.PostWithoutKey("Recall/cancelRecall"));
        Assert.Equal(RrErrorKind.Transport, e2.Kind);
        Assert.IsType<TimeoutException>(e2.InnerException);
        Assert.Equal(2, h.Handler.Count);
        Assert.Empty(h.Delays);
    }

    // ---- Retry-After parsing ----

    [Fact]
    public void ParseRetryAfter_delta()
        => Assert.Equal(TimeSpan.FromSeconds(120), RetryPolicy.ParseRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(120)), Harness.Now));

    [Fact]
    public void ParseRetryAfter_future_date()
        => Assert.Equal(TimeSpan.FromSeconds(90), RetryPolicy.ParseRetryAfter(new RetryConditionHeaderValue(Harness.Now.AddSeconds(90)), Harness.Now));

    [Fact]
    public void ParseRetryAfter_date_in_the_past_is_zero()
        => Assert.Equal(TimeSpan.Zero, RetryPolicy.ParseRetryAfter(new RetryConditionHeaderValue(Harness.Now.AddMinutes(-5)), Harness.Now));

    [Fact]
    public void ParseRetryAfter_absent_is_null()
        => Assert.Null(RetryPolicy.ParseRetryAfter(null, Harness.Now));

    [Theory]
    [InlineData("5", 5)]
    [InlineData("Tue, 04 Mar 2025 10:21:00 GMT", 30)]
    public void ParseRetryAfter_from_wire_text(string header, int seconds)
    {
        Assert.True(RetryConditionHeaderValue.TryParse(header, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryPolicy.ParseRetryAfter(value, Harness.Now));
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(500, false)]
    [InlineData(501, false)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(200, false)]
    public void Retryable_statuses(int status, bool retryable) => Assert.Equal(retryable, RetryPolicy.IsRetryableStatus(status));
}
