using System.Text;
using System.Text.Json;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Ledger;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Tests.Webhooks;

/// <summary>
/// Service-mode recalls in batches (Receive-RrWebhook -RecallNewInventory): the queued events in one request, per-item
/// refusals, and a crash between the write-ahead and the answer, against a scripted service with a real ledger.
/// </summary>
public class WebhookRecallBatchTests : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);
    private const string Create = "Recall/createRecallByReturnInventoryId";
    private const string KeyHeader = "x-returnhelper-idempotency-key";

    private readonly string folder = Path.Combine(Path.GetTempPath(), "rh-recall-batch-tests-" + Guid.NewGuid().ToString("N"));
    private readonly string journal;
    private readonly Harness h = new();

    public WebhookRecallBatchTests()
    {
        Directory.CreateDirectory(folder);
        journal = Path.Combine(folder, "events.jsonl");
        h.Session.Ledger = RecallLedger.Open(folder, "recalls-test.jsonl", "Sandbox");
    }

    public void Dispose()
    {
        h.Dispose();
        Directory.Delete(folder, true);
    }

    private static long InventoryOf(int n) => 100000 + n;

    private static string Event(int n)
        => WebhookSamples.NewInventoryCreated.Replace("01J9B2C2B8HNR1DRGA74BJQQB5", $"event-{n}").Replace("\"100042\"", $"\"{InventoryOf(n)}\"");

    private void Journal(params int[] events)
    {
        using var file = WebhookRecordFile.Open(journal);
        foreach (var n in events)
            file.Append(new WebhookRecord { ReceivedAt = DateTimeOffset.UtcNow, EndpointUri = "https://hooks.example.com/rh", Timestamp = "t", Signature = "s", Body = Encoding.UTF8.GetBytes(Event(n)) });
    }

    private static string KeyOf(params int[] events) => WebhookProcessor.IdempotencyKeyFor(events.Select(n => $"event-{n}").ToList(), "recall");

    /// <summary>One recall of the given events' inventories, as the service answers it.</summary>
    private static string Recalled(long recallId, params int[] events)
    {
        var inventories = string.Join(",", events.Select(n => "{\"recallInventoryId\":" + n + ",\"returnInventoryId\":" + InventoryOf(n) + "}"));
        return "{\"correlationId\":\"c-" + recallId + "\",\"meta\":{\"status\":200,\"data\":{},\"errorCode\":null,\"error\":{}},"
            + "\"recallList\":[{\"recallId\":" + recallId + ",\"recallNumber\":\"RCL251201-" + recallId.ToString("D7") + "\",\"recallStatusCode\":\"pending\",\"warehouseId\":2,"
            + "\"recallInventoryList\":[" + inventories + "]}]}";
    }

    private static long[] IdsSent(RecordedRequest request)
        => JsonDocument.Parse(request.Body).RootElement.GetProperty("returnInventoryIdList").EnumerateArray().Select(e => e.GetInt64()).ToArray();

    private WebhookProcessor NewProcessor(List<object> written, List<TimeSpan> waits)
        => new(journal, new WebhookRecallAction(h.Session, h.Log, written.Add), h.Log,
            new WebhookProcessorOptions { Delay = (wait, ct) => { waits.Add(wait); return Task.CompletedTask; } });

    private static async Task RunToEnd(WebhookProcessor processor, CancellationToken ct = default)
    {
        processor.Complete();
        var run = processor.RunAsync(ct);
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TestTimeout)));
        await run;
    }

    private WebhookProcessingState State() => WebhookProcessingState.Open(journal, forWriting: false);

    [Fact]
    public async Task The_queued_events_are_recalled_in_one_request_and_each_is_recorded_processed_with_its_recall()
    {
        Journal(1, 2, 3);
        h.Handler.Ok(Recalled(7, 1, 2, 3));
        var written = new List<object>();
        using (var processor = NewProcessor(written, new List<TimeSpan>()))
        {
            await RunToEnd(processor);
            Assert.Equal(3, processor.Processed);
            Assert.Equal(1, processor.BatchesSent);
        }

        var request = Assert.Single(h.Handler.Requests);
        Assert.EndsWith(Create, request.Uri.AbsolutePath);
        Assert.Equal(new[] { InventoryOf(1), InventoryOf(2), InventoryOf(3) }, IdsSent(request));
        Assert.Equal(KeyOf(1, 2, 3), request.Header(KeyHeader));
        Assert.Equal("RCL251201-0000007", Assert.IsType<Recall>(Assert.Single(written)).RecallNumber);
        // The ledger: the batch's write-ahead was closed by the recall.
        var ledger = h.Session.Ledger.Read();
        Assert.Empty(ledger.Pending);
        Assert.Equal(new[] { InventoryOf(1), InventoryOf(2), InventoryOf(3) }, Assert.Single(ledger.Recalls).RecallInventoryList.Select(i => i.ReturnInventoryId));
        var state = State();
        Assert.Empty(WebhookProcessor.Backlog(journal, state));
        var lines = File.ReadAllLines(WebhookProcessingState.PathFor(journal));
        Assert.Single(lines, l => l.Contains("\"batch\":\"" + KeyOf(1, 2, 3) + "\""));
        Assert.Equal(3, lines.Count(l => l.Contains("\"outcome\":\"processed\"") && l.Contains("\"result\":\"RCL251201-0000007\"")));
    }

    [Fact]
    public async Task A_refused_id_fails_only_its_event_permanently_and_the_rest_is_recalled_as_a_batch_of_its_own()
    {
        Journal(1, 2, 3);
        h.Handler.Ok("""{"correlationId":"c-1","meta":{"status":400,"data":{},"errorCode":"VALIDATION_FAILED","error":{"returnInventoryIdList[1]":"Return inventory 100002 cannot be recalled: its handling is dis."}}}""");
        h.Handler.Ok(Recalled(8, 1, 3));
        var waits = new List<TimeSpan>();
        using (var processor = NewProcessor(new List<object>(), waits))
        {
            await RunToEnd(processor);
            Assert.Equal(2, processor.Processed);
            Assert.Equal(1, processor.FailedPermanently);
        }

        var requests = h.Handler.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(new[] { InventoryOf(1), InventoryOf(2), InventoryOf(3) }, IdsSent(requests[0]));
        Assert.Equal(KeyOf(1, 2, 3), requests[0].Header(KeyHeader));
        Assert.Equal(new[] { InventoryOf(1), InventoryOf(3) }, IdsSent(requests[1]));
        Assert.Equal(KeyOf(1, 3), requests[1].Header(KeyHeader)); // a new write: its own key
        Assert.Empty(waits); // a refusal is not retried
        var state = State();
        Assert.Empty(WebhookProcessor.Backlog(journal, state));
        var failed = Assert.Single(WebhookProcessor.FailedPermanentlyEvents(journal, state));
        Assert.Equal("event-2", failed.NotificationId);
        Assert.Contains("cannot be recalled", state.LastFailure("event-2").Error);
        Assert.True(state.IsSettled("event-1") && state.IsSettled("event-3"));
        var ledger = h.Session.Ledger.Read();
        Assert.Empty(ledger.Pending);
        Assert.Equal(new[] { InventoryOf(1), InventoryOf(3) }, Assert.Single(ledger.Recalls).RecallInventoryList.Select(i => i.ReturnInventoryId));
    }

    [Fact]
    public async Task After_a_crash_between_the_write_ahead_and_the_answer_the_rerun_resends_the_same_batch_with_the_same_key_first()
    {
        Journal(1, 2, 3);
        using var crash = new CancellationTokenSource();
        // The request goes out; the process dies before any answer (as a kill would leave it).
        h.Handler.Step((_, _) =>
        {
            crash.Cancel();
            throw new OperationCanceledException(crash.Token);
        });
        using (var processor = NewProcessor(new List<object>(), new List<TimeSpan>()))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunToEnd(processor, crash.Token));
        var crashed = Assert.Single(h.Handler.Requests);
        var pending = Assert.Single(h.Session.Ledger.Read().Pending); // both write-aheads are on disk
        Assert.Equal(crashed.Header(KeyHeader), pending.IdempotencyKey);
        Assert.Equal(3, WebhookProcessor.Backlog(journal, State()).Count());

        // Restarted, with a new event journaled meanwhile: the pending batch goes first, unchanged, then the new event.
        Journal(4);
        h.Handler.Ok(Recalled(9, 1, 2, 3)); // the service's answer to that key (stored, or made now: either way one recall)
        h.Handler.Ok(Recalled(10, 4));
        var written = new List<object>();
        using (var restarted = NewProcessor(written, new List<TimeSpan>()))
        {
            await RunToEnd(restarted);
            Assert.Equal(4, restarted.Processed);
        }

        var requests = h.Handler.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal(crashed.Body, requests[1].Body);
        Assert.Equal(crashed.Header(KeyHeader), requests[1].Header(KeyHeader));
        Assert.Equal(KeyOf(1, 2, 3), requests[1].Header(KeyHeader));
        Assert.Equal(new[] { InventoryOf(4) }, IdsSent(requests[2]));
        Assert.Equal(KeyOf(4), requests[2].Header(KeyHeader));
        // Each inventory was sent under exactly one key, so the service recalls each once; the ledger agrees.
        var keyOfInventory = requests.SelectMany(r => IdsSent(r).Select(id => (id, key: r.Header(KeyHeader)))).GroupBy(p => p.id);
        Assert.All(keyOfInventory, g => Assert.Single(g.Select(p => p.key).Distinct()));
        var ledger = h.Session.Ledger.Read();
        Assert.Empty(ledger.Pending);
        Assert.Equal(new[] { InventoryOf(1), InventoryOf(2), InventoryOf(3), InventoryOf(4) },
            ledger.Recalls.SelectMany(r => r.RecallInventoryList.Select(i => i.ReturnInventoryId)).OrderBy(id => id));
        Assert.Equal(2, written.Count);
        Assert.Empty(WebhookProcessor.Backlog(journal, State()));
    }

    [Fact]
    public async Task A_batch_that_failed_transiently_is_retried_whole_with_its_key_and_not_merged_with_later_events()
    {
        Journal(1, 2);
        var waits = new List<TimeSpan>();
        using var processor = NewProcessor(new List<object>(), waits);
        // Event 3 arrives while the first request is out, which the token rotation makes fail with 401.
        h.Handler.Step((_, _) =>
        {
            Journal(3);
            processor.Enqueue(WebhookParser.Parse(Encoding.UTF8.GetBytes(Event(3))));
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized)
            {
                Content = new StringContent("""{"correlationId":"c-401","meta":{"status":401,"data":{},"errorCode":"UNAUTHORIZED","error":{"x-rr-apitoken":"The API token is not valid."}}}""", Encoding.UTF8, "application/json"),
            });
        });
        h.Handler.Ok(Recalled(11, 3));
        h.Handler.Ok(Recalled(12, 1, 2));
        var run = processor.RunAsync(CancellationToken.None); // queues the journal's events before it returns
        for (var deadline = DateTime.UtcNow + TestTimeout; processor.Pending > 0 && !run.IsCompleted && DateTime.UtcNow < deadline;) await Task.Delay(10);
        processor.Complete();
        await run;
        Assert.Equal(3, processor.Processed);

        var requests = h.Handler.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal(KeyOf(1, 2), requests[0].Header(KeyHeader));
        Assert.Equal(new[] { InventoryOf(3) }, IdsSent(requests[1])); // queued first: the failed batch went to the back
        Assert.Equal(KeyOf(3), requests[1].Header(KeyHeader));
        Assert.Equal(requests[0].Body, requests[2].Body); // whole and unchanged, with its key
        Assert.Equal(KeyOf(1, 2), requests[2].Header(KeyHeader));
        Assert.Equal(new[] { TimeSpan.FromSeconds(1) }, waits);
        Assert.Single(h.Log.VerboseLines, l => l.StartsWith("WARNING: Processing the webhook event event-1") && l.Contains("1 more event"));
    }
}
