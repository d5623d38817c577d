using System.Net;
using System.Net.Sockets;
using System.Text;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;
using ReturnsHelper.Webhooks;
using Xunit;

namespace ReturnsHelper.Tests.Webhooks;

/// <summary>The webhook processor on real journal files: resume after a restart, retries with backoff, warnings once.</summary>
public class WebhookProcessorTests : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private readonly string folder = Path.Combine(Path.GetTempPath(), "rh-processor-tests-" + Guid.NewGuid().ToString("N"));
    private readonly string journal;

    public WebhookProcessorTests()
    {
        Directory.CreateDirectory(folder);
        journal = Path.Combine(folder, "events.jsonl");
    }

    public void Dispose() => Directory.Delete(folder, true);

    /// <summary>A newInventoryCreated body with its own notificationId (the dedupe key) and inventory id.</summary>
    private static string Event(int n)
        => WebhookSamples.NewInventoryCreated.Replace("01J9B2C2B8HNR1DRGA74BJQQB5", $"event-{n}").Replace("\"100042\"", $"\"{100000 + n}\"");

    private static void Journal(string path, params string[] bodies)
    {
        using var file = WebhookRecordFile.Open(path);
        foreach (var body in bodies)
            file.Append(new WebhookRecord { ReceivedAt = DateTimeOffset.UtcNow, EndpointUri = "https://hooks.example.com/rh", Timestamp = "t", Signature = "s", Body = Encoding.UTF8.GetBytes(body) });
    }

    private static WebhookProcessorOptions NoSleeping(List<TimeSpan> waits, TimeSpan? max = null) => new()
    {
        FirstRetryDelay = TimeSpan.FromSeconds(1),
        MaxRetryDelay = max ?? TimeSpan.FromMinutes(5),
        Delay = (wait, ct) => { waits.Add(wait); return Task.CompletedTask; },
    };

    private static async Task Run(WebhookProcessor processor)
    {
        var run = processor.RunAsync(CancellationToken.None);
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TestTimeout)));
        await run;
    }

    [Fact]
    public async Task A_restart_resumes_exactly_the_unprocessed_events_rotated_files_included()
    {
        Journal(WebhookRecordFile.RotatedPath(journal, 1), Event(1));
        Journal(journal, Event(2), Event(3), Event(2)); // a duplicate in the journal is acted on once

        var first = new List<string>();
        using (var processor = new WebhookProcessor(journal, (e, ct) =>
        {
            first.Add(e.NotificationId);
            if (e.NotificationId == "event-2") throw new InvalidOperationException("The service is down.");
            return Task.CompletedTask;
        }, new TestLog(), NoSleeping(new List<TimeSpan>())))
        {
            processor.Complete(); // a run that stops at its first failure: event-2 failed, event-3 never tried
            await Run(processor);
        }
        Assert.Equal(new[] { "event-1", "event-2" }, first);

        var second = new List<string>();
        using (var restarted = new WebhookProcessor(journal, (e, ct) => { second.Add(e.NotificationId); return Task.CompletedTask; }, new TestLog(), NoSleeping(new List<TimeSpan>())))
        {
            restarted.Complete();
            await Run(restarted);
            Assert.Equal(0, restarted.Pending);
        }
        Assert.Equal(new[] { "event-2", "event-3" }, second);

        var state = WebhookProcessingState.Open(journal, forWriting: false);
        Assert.Empty(WebhookProcessor.Backlog(journal, state));
        Assert.True(File.Exists(Path.Combine(folder, "events.processed.jsonl")));
    }

    [Fact]
    public async Task Failures_are_retried_with_doubling_capped_waits_and_each_distinct_error_is_warned_once()
    {
        Journal(journal, Event(1), Event(2), Event(3));
        var errors = new Queue<string>(new[] { "401 token rejected", "401 token rejected", "disk full", "disk full" });
        var succeeded = new List<string>();
        var waits = new List<TimeSpan>();
        var log = new TestLog();
        WebhookProcessor processor = null;
        processor = new WebhookProcessor(journal, (e, ct) =>
        {
            if (errors.Count > 0) throw new InvalidOperationException(errors.Dequeue());
            succeeded.Add(e.NotificationId);
            if (succeeded.Count == 3) processor.Complete();
            return Task.CompletedTask;
        }, log, NoSleeping(waits, max: TimeSpan.FromSeconds(3)));
        using (processor) await Run(processor);

        Assert.Equal(new[] { 1.0, 2.0, 3.0, 3.0 }, waits.Select(w => w.TotalSeconds));
        // Failed events went to the back of the queue; each was acted on successfully exactly once.
        Assert.Equal(new[] { "event-1", "event-2", "event-3" }, succeeded.OrderBy(s => s));
        var warnings = log.VerboseLines.Where(l => l.StartsWith("WARNING: ")).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("401 token rejected", warnings[0]);
        Assert.Contains("disk full", warnings[1]);
        Assert.Empty(WebhookProcessor.Backlog(journal, WebhookProcessingState.Open(journal, forWriting: false)));
    }

    [Fact]
    public async Task Events_queued_while_running_are_processed_once_and_a_processed_event_is_never_queued_again()
    {
        Journal(journal, Event(1));
        var handled = new List<string>();
        using (var processor = new WebhookProcessor(journal, (e, ct) => { handled.Add(e.NotificationId); return Task.CompletedTask; }, new TestLog(), NoSleeping(new List<TimeSpan>())))
        {
            var run = processor.RunAsync(CancellationToken.None);
            // As the receiver does: journal first, then queue (the same event twice, as a redelivery would be).
            Journal(journal, Event(2));
            var live = WebhookParser.Parse(Encoding.UTF8.GetBytes(Event(2)));
            processor.Enqueue(live);
            processor.Enqueue(live);
            processor.Complete();
            Assert.Same(run, await Task.WhenAny(run, Task.Delay(TestTimeout)));
            await run;
        }
        Assert.Equal(new[] { "event-1", "event-2" }, handled);

        using (var restarted = new WebhookProcessor(journal, (e, ct) => { handled.Add(e.NotificationId); return Task.CompletedTask; }, new TestLog(), NoSleeping(new List<TimeSpan>())))
        {
            restarted.Enqueue(WebhookParser.Parse(Encoding.UTF8.GetBytes(Event(1))));
            Assert.Equal(0, restarted.Pending);
        }
    }

    [Fact]
    public async Task The_listener_keeps_acknowledging_while_every_action_fails_and_the_events_stay_unprocessed()
    {
        const string key = "dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm";
        const string registered = "https://hooks.example.com/rh";
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var prefix = WebhookReceiverOptions.LoopbackPrefix(((IPEndPoint)listener.LocalEndpoint).Port);
        listener.Stop();
        var receiver = new WebhookReceiver(WebhookVerifier.FromBase64Key(key, registered, null),
            new WebhookReceiverOptions { Prefix = prefix, Count = 3, Timeout = TestTimeout, Path = journal });
        var log = new TestLog();
        var attempts = 0;
        using var processor = new WebhookProcessor(journal, (e, ct) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("401: the API token is wrong.");
        }, log, NoSleeping(new List<TimeSpan>()));
        var serving = processor.ServeAsync(receiver, null, null, CancellationToken.None);

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TestTimeout };
        var answers = new List<HttpStatusCode>();
        foreach (var n in new[] { 1, 2, 3 })
        {
            var body = Encoding.UTF8.GetBytes(Event(n));
            var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");
            for (var deadline = DateTime.UtcNow + TestTimeout; ; await Task.Delay(50))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, prefix + "hooks") { Content = new ByteArrayContent(body) };
                request.Headers.TryAddWithoutValidation("timestamp", stamp);
                request.Headers.TryAddWithoutValidation("returnhelper-signature", TestSigner.Sign(key, registered, stamp, body));
                try
                {
                    using var response = await http.SendAsync(request);
                    answers.Add(response.StatusCode);
                    break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline) { } // not listening yet
            }
        }
        Assert.Same(serving, await Task.WhenAny(serving, Task.Delay(TestTimeout)));
        var summary = await serving;

        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK }, answers);
        Assert.Equal(3, summary.Events);
        Assert.True(attempts >= 1);
        Assert.Equal(3, processor.Pending);
        Assert.Single(log.VerboseLines, l => l.StartsWith("WARNING: "));
        Assert.Equal(new[] { "event-1", "event-2", "event-3" },
            WebhookProcessor.Backlog(journal, WebhookProcessingState.Open(journal, forWriting: false)).Select(e => e.NotificationId));
    }

    [Fact]
    public void The_idempotency_key_of_an_event_is_stable_per_action()
    {
        var e = WebhookParser.Parse(Encoding.UTF8.GetBytes(Event(1)));
        var again = WebhookParser.Parse(Encoding.UTF8.GetBytes(Event(1)));
        Assert.Equal(WebhookProcessor.IdempotencyKeyFor(e, "recall"), WebhookProcessor.IdempotencyKeyFor(again, "recall"));
        Assert.NotEqual(WebhookProcessor.IdempotencyKeyFor(e, "recall"), WebhookProcessor.IdempotencyKeyFor(e, "hold"));
        Assert.True(Guid.TryParse(WebhookProcessor.IdempotencyKeyFor(e, "recall"), out _));
    }
}
