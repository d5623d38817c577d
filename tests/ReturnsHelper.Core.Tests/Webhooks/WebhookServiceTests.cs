using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Tests.Webhooks;

/// <summary>Service-mode gaps: permanent failures move on, the processing state stays bounded, the health probe and the log file.</summary>
public class WebhookServiceTests : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);
    private const string Key = "dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm";
    private const string Registered = "https://hooks.example.com/rh";

    private readonly string folder = Path.Combine(Path.GetTempPath(), "rh-service-tests-" + Guid.NewGuid().ToString("N"));
    private readonly string journal;

    public WebhookServiceTests()
    {
        Directory.CreateDirectory(folder);
        journal = Path.Combine(folder, "events.jsonl");
    }

    public void Dispose() => Directory.Delete(folder, true);

    private static string Event(int n)
        => WebhookSamples.NewInventoryCreated.Replace("01J9B2C2B8HNR1DRGA74BJQQB5", $"event-{n}").Replace("\"100042\"", $"\"{100000 + n}\"");

    private static void Journal(string path, params string[] bodies)
    {
        using var file = WebhookRecordFile.Open(path);
        foreach (var body in bodies)
            file.Append(new WebhookRecord { ReceivedAt = DateTimeOffset.UtcNow, EndpointUri = Registered, Timestamp = "t", Signature = "s", Body = Encoding.UTF8.GetBytes(body) });
    }

    private static WebhookProcessorOptions Waits(List<TimeSpan> waits) => new()
    {
        Delay = (wait, ct) => { waits.Add(wait); return Task.CompletedTask; },
    };

    private static RrApiException Refusal(RrErrorKind kind, int status) => new(kind, $"POST Recall/createRecall failed with HTTP {status}.", "POST", "Recall/createRecall", status);

    private static async Task Run(WebhookProcessor processor)
    {
        processor.Complete();
        var run = processor.RunAsync(CancellationToken.None);
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TestTimeout)));
        await run;
    }

    [Fact]
    public async Task A_permanent_refusal_is_recorded_once_without_waiting_and_never_tried_again_while_transient_ones_keep_the_backoff()
    {
        Journal(journal, Event(1), Event(2), Event(3));
        var waits = new List<TimeSpan>();
        var tried = new List<string>();
        var log = new TestLog();
        var unauthorizedOnce = true;
        using (var processor = new WebhookProcessor(journal, (e, ct) =>
        {
            tried.Add(e.NotificationId);
            if (e.NotificationId == "event-1") throw Refusal(RrErrorKind.NotFound, 404);
            if (e.NotificationId == "event-2" && unauthorizedOnce) { unauthorizedOnce = false; throw Refusal(RrErrorKind.Unauthorized, 401); }
            return Task.CompletedTask;
        }, log, Waits(waits)))
        {
            var run = processor.RunAsync(CancellationToken.None);
            for (var deadline = DateTime.UtcNow + TestTimeout; processor.Pending > 0 && !run.IsCompleted && DateTime.UtcNow < deadline;) await Task.Delay(10);
            processor.Complete();
            await run;
            Assert.Equal(1, processor.FailedPermanently);
        }
        Assert.Equal(new[] { "event-1", "event-2", "event-3", "event-2" }, tried);
        Assert.Equal(new[] { TimeSpan.FromSeconds(1) }, waits); // only the 401 waited
        Assert.Contains(log.VerboseLines, l => l.StartsWith("WARNING:") && l.Contains("failed permanently"));

        var state = WebhookProcessingState.Open(journal, forWriting: false);
        Assert.Empty(WebhookProcessor.Backlog(journal, state));
        var failed = Assert.Single(WebhookProcessor.FailedPermanentlyEvents(journal, state));
        Assert.Equal("event-1", failed.NotificationId);
        Assert.Equal(WebhookProcessingOutcome.FailedPermanently, state.LastFailure("event-1").Outcome);

        var again = new List<string>();
        using (var restarted = new WebhookProcessor(journal, (e, ct) => { again.Add(e.NotificationId); return Task.CompletedTask; }, new TestLog(), Waits(waits)))
            await Run(restarted);
        Assert.Empty(again);
    }

    [Fact]
    public async Task A_changed_token_file_ends_the_retry_wait_at_once()
    {
        Journal(journal, Event(1));
        var fixedToken = false;
        var attempts = 0;
        var options = new WebhookProcessorOptions
        {
            FirstRetryDelay = TimeSpan.FromHours(1), // only RetryNow can end this wait within the test
            RetryNow = () => Volatile.Read(ref fixedToken),
            RetryNowInterval = TimeSpan.FromMilliseconds(20),
        };
        using var processor = new WebhookProcessor(journal, (e, ct) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                Volatile.Write(ref fixedToken, true); // the administrator writes the new token while processing waits
                throw Refusal(RrErrorKind.Unauthorized, 401);
            }
            return Task.CompletedTask;
        }, new TestLog(), options);
        var run = processor.RunAsync(CancellationToken.None);
        for (var deadline = DateTime.UtcNow + TestTimeout; processor.Processed == 0 && !run.IsCompleted && DateTime.UtcNow < deadline;) await Task.Delay(10);
        processor.Complete();
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TestTimeout)));
        await run;
        Assert.Equal(1, processor.Processed);
        Assert.Equal(2, attempts);
    }

    [Theory]
    [InlineData(RrErrorKind.Unauthorized, false)]
    [InlineData(RrErrorKind.ServerError, false)]
    [InlineData(RrErrorKind.Transport, false)]
    [InlineData(RrErrorKind.Throttled, false)]
    [InlineData(RrErrorKind.NotFound, true)]
    public void Which_refusals_are_permanent(RrErrorKind kind, bool permanent)
    {
        Assert.Equal(permanent, WebhookProcessor.IsPermanent(Refusal(kind, 400)));
        Assert.False(WebhookProcessor.IsPermanent(new InvalidOperationException("a script failed")));
        Assert.True(WebhookProcessor.IsPermanent(new InvalidOperationException("wrapped", Refusal(RrErrorKind.NotFound, 404))));
    }

    [Fact]
    public async Task The_processing_state_keeps_one_line_per_event_still_in_the_journal_files()
    {
        // Events 1-2 were in a journal file deleted by rotation long ago; 3-4 are in the journal, 4 needed two attempts.
        Journal(journal, Event(3), Event(4));
        var statePath = WebhookProcessingState.PathFor(journal);
        using (var state = WebhookProcessingState.Open(journal, forWriting: true))
        {
            foreach (var (key, outcome) in new[] { ("event-1", "processed"), ("event-2", "failedPermanently"), ("event-3", "processed"), ("event-4", "failed"), ("event-4", "failed") })
                state.Record(new WebhookProcessingOutcome { Key = key, Outcome = outcome, Attempts = 1, At = DateTimeOffset.UtcNow });
        }
        var handled = new List<string>();
        using (var processor = new WebhookProcessor(journal, (e, ct) => { handled.Add(e.NotificationId); return Task.CompletedTask; }, new TestLog(), Waits(new List<TimeSpan>())))
        {
            await Run(processor);
            Assert.Equal(1, processor.Compactions);
        }
        Assert.Equal(new[] { "event-4" }, handled);
        var lines = File.ReadAllLines(statePath);
        // Compacted at start to events 3 and 4 (the failed attempt), then event 4's success appended.
        Assert.Equal(3, lines.Length);
        Assert.DoesNotContain(lines, l => l.Contains("event-1") || l.Contains("event-2"));
        var reopened = WebhookProcessingState.Open(journal, forWriting: false);
        Assert.True(reopened.IsSettled("event-3"));
        Assert.True(reopened.IsSettled("event-4"));
        Assert.Equal(3, reopened.Lines);
    }

    [Fact]
    public void A_compaction_during_a_run_is_due_only_once_appended_lines_outnumber_the_kept_ones()
    {
        using var state = WebhookProcessingState.Open(journal, forWriting: true);
        for (var i = 0; i < WebhookProcessingState.CompactionMinimumLines - 1; i++)
            state.Record(new WebhookProcessingOutcome { Key = "k" + i, Outcome = "processed", At = DateTimeOffset.UtcNow });
        Assert.False(state.WorthCompacting);
        state.Record(new WebhookProcessingOutcome { Key = "last", Outcome = "processed", At = DateTimeOffset.UtcNow });
        Assert.True(state.WorthCompacting);
        state.Compact(new[] { "k1", "last" });
        Assert.Equal(2, state.Lines);
        Assert.False(state.WorthCompacting);
        state.Record(new WebhookProcessingOutcome { Key = "after", Outcome = "processed", At = DateTimeOffset.UtcNow });
        Assert.Equal(3, File.ReadAllLines(state.Path).Length); // still appending after the rename
    }

    [Fact]
    public async Task The_health_probe_answers_without_a_signature_with_counts_and_the_last_error_and_the_log_file_gets_the_story()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var prefix = WebhookReceiverOptions.LoopbackPrefix(((IPEndPoint)listener.LocalEndpoint).Port);
        listener.Stop();
        var logPath = Path.Combine(folder, "service.log");
        using var logFile = new WebhookLogFile(logPath);
        var log = new WebhookServiceLog(logFile, new TestLog());
        var receiver = new WebhookReceiver(WebhookVerifier.FromBase64Key(Key, Registered, null),
            new WebhookReceiverOptions { Prefix = prefix, Count = 2, Timeout = TestTimeout, Path = journal });
        // Real (short) waits: the failing action is retried until the run ends.
        var shortWaits = new WebhookProcessorOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromMilliseconds(200) };
        using var processor = new WebhookProcessor(journal, (e, ct) => throw Refusal(RrErrorKind.Unauthorized, 401), log, shortWaits);
        var serving = processor.ServeAsync(receiver, null, null, CancellationToken.None);

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TestTimeout };
        async Task<HttpResponseMessage> Send(Func<HttpRequestMessage> make)
        {
            for (var deadline = DateTime.UtcNow + TestTimeout; ; await Task.Delay(50))
            {
                try { return await http.SendAsync(make()); }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline) { } // not listening yet
            }
        }
        var healthy = JsonDocument.Parse(await (await Send(() => new HttpRequestMessage(HttpMethod.Get, prefix + "health"))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ok", healthy.GetProperty("status").GetString());

        HttpRequestMessage Forged()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, prefix + "hooks") { Content = new StringContent(Event(9)) };
            request.Headers.TryAddWithoutValidation("timestamp", DateTime.UtcNow.ToString("o"));
            request.Headers.TryAddWithoutValidation("returnhelper-signature", Convert.ToBase64String(new byte[32]));
            return request;
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(Forged)).StatusCode);
        HttpRequestMessage Genuine(int n)
        {
            var body = Encoding.UTF8.GetBytes(Event(n));
            var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");
            var request = new HttpRequestMessage(HttpMethod.Post, prefix + "hooks") { Content = new ByteArrayContent(body) };
            request.Headers.TryAddWithoutValidation("timestamp", stamp);
            request.Headers.TryAddWithoutValidation("returnhelper-signature", TestSigner.Sign(Key, Registered, stamp, body));
            return request;
        }
        Assert.Equal(HttpStatusCode.OK, (await Send(() => Genuine(1))).StatusCode);
        JsonElement degraded;
        do degraded = JsonDocument.Parse(await (await Send(() => new HttpRequestMessage(HttpMethod.Get, prefix + "health"))).Content.ReadAsStringAsync()).RootElement;
        while (degraded.GetProperty("status").GetString() == "ok" && !serving.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, (await Send(() => Genuine(2))).StatusCode); // -Count 2: the run ends
        Assert.Same(serving, await Task.WhenAny(serving, Task.Delay(TestTimeout)));
        await serving;

        Assert.Equal("degraded", degraded.GetProperty("status").GetString());
        Assert.Equal(1, degraded.GetProperty("received").GetProperty("events").GetInt32());
        Assert.Equal(1, degraded.GetProperty("refused").GetProperty("SignatureMismatch").GetInt32());
        var processing = degraded.GetProperty("processing");
        Assert.True(processing.GetProperty("retrying").GetBoolean());
        Assert.Equal(1, processing.GetProperty("backlog").GetInt32());
        Assert.Contains("401", processing.GetProperty("lastError").GetString());
        Assert.Equal(0, healthy.GetProperty("refused").GetProperty("total").GetInt32());
        Assert.Equal(0, healthy.GetProperty("processing").GetProperty("processed").GetInt32());
        Assert.DoesNotContain(Key, healthy.ToString() + degraded.ToString());

        logFile.Dispose();
        var lines = File.ReadAllLines(logPath);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO Listening on ", lines[0]);
        Assert.Contains(lines, l => l.Contains(" INFO Since the start: 1 delivery refused (1 SignatureMismatch)"));
        Assert.Contains(lines, l => l.Contains(" WARNING ") && l.Contains("signature that does not match"));
        Assert.Contains(lines, l => l.Contains(" WARNING Processing the webhook event event-1"));
        Assert.DoesNotContain(lines, l => l.Contains(Key));
    }
}
