using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Batching;
using ReturnsHelper.Http;

namespace ReturnsHelper.Webhooks;

/// <summary>How a <see cref="WebhookProcessor"/> retries.</summary>
internal sealed class WebhookProcessorOptions
{
    /// <summary>The wait after the first failure; it doubles after each further failure in a row.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How a wait is made (Task.Delay; tests record the waits instead of sleeping).</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;
    /// <summary>
    /// Asked once a second during a retry wait; true ends the wait at once (the API token file changed, so the
    /// failure may be fixed: a rotated token is used within a second, not after the backoff). Null = never.
    /// </summary>
    public Func<bool> RetryNow { get; set; }
    /// <summary>
    /// Makes the <see cref="WebhookEvent.Payload"/> of an event read back from the journal, from the parse that reads it
    /// (the cmdlets, when the events go to a script block). Null = none: recalling and holding need no payload.
    /// </summary>
    public Func<JsonElement, object> PayloadOf { get; set; }
    /// <summary>How often <see cref="RetryNow"/> is asked.</summary>
    public TimeSpan RetryNowInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// A service-mode action that acts on several events with one request (Receive-RrWebhook -RecallNewInventory:
/// one recall request for up to 100 inventories). The processor forms the batches and makes them exactly once.
/// </summary>
internal interface IWebhookBatchAction
{
    /// <summary>Names the action in the batches' idempotency keys.</summary>
    public string Name { get; }
    /// <summary>The most ids one request takes.</summary>
    public int MaxBatchSize { get; }
    /// <summary>The id sent for this event, or null when the action has nothing to do for it (it is processed at once).</summary>
    public long? IdOf(WebhookEvent e);
    /// <summary>
    /// Sends one request for <paramref name="ids"/> with <paramref name="idempotencyKey"/> and returns, per id, what it
    /// was done with (a recall number; null when the answer does not say). The service's refusal is thrown as
    /// <see cref="RrApiException"/>, with per-entry errors when it names the ids it refused.
    /// </summary>
    public Task<IReadOnlyList<KeyValuePair<long, string>>> SendAsync(IReadOnlyList<long> ids, string idempotencyKey, CancellationToken ct);
    /// <summary>True when the service refused an id because the work is done already (already recalled); <paramref name="doneWith"/> names it.</summary>
    public bool IsDoneAlready(RrApiException itemError, out string doneWith);
}

/// <summary>
/// Acts on journaled webhook events, apart from receiving them, so receiving never depends on processing.
/// Design: the journal (Receive-RrWebhook -Path, rotated files included) is the queue and the processing state
/// next to it (<see cref="WebhookProcessingState"/>) records, per dedupe key, each completed attempt. At start the
/// journal's unprocessed events (no 'processed' line) are queued oldest first; the receiver then queues each new
/// event once it is journaled. One unit of work runs at a time, in order: one event for a per-event action
/// (-HoldNewInventory, -Process), or a batch for a <see cref="IWebhookBatchAction"/>; its outcomes are flushed to
/// disk before the next unit is taken, so a restart resumes exactly the unprocessed events (a per-event action
/// interrupted by a crash runs again: the built-in ones are idempotent for that reason). A failed event goes to the
/// back of the queue and processing waits (1 s, doubling to 5 min; reset by a success), so a failure such as a 401
/// after a token rotation neither stops the listener nor floods the service, and one bad event does not block the
/// others. Each distinct error is warned about once per outage, not once per event. A refusal that no retry can
/// change (<see cref="IsPermanent"/>: the inventory is not eligible, not found...) is recorded as failed
/// permanently and processing moves on at once. The state is compacted to the events still in the journal files
/// (at start, and when appended lines outnumber the kept ones), so months of events do not make it grow without bound.
///
/// Batches, exactly once. A batch takes the events queued at that moment, up to the action's maximum, without
/// waiting for more (a lone event is sent at once); while a request is out, new events queue up and make the next
/// batch, so batches grow with the arrival rate. The argument, one writer (this loop) and these steps:
/// 1. The batch (its events' keys, their ids in order = the request body, and an idempotency key that is a hash of
///    the keys, so the same events always make the same key) is written to the state file and flushed BEFORE the
///    request; with a session ledger the recall then also goes through New-RrRecall's write-ahead path
///    (<see cref="Ledger.LedgeredRecall"/>). A crash before the flush sent nothing.
/// 2. From then on each unsettled event of the batch belongs to it: the batch is taken again only whole and
///    unchanged (same ids, same key), after a failure (back of the queue) or after a crash (its events are the
///    oldest unprocessed ones, so it is resent first). The service either never saw the key (it executes once)
///    or answers the same key and body with its stored answer (no second recall). Nothing else may send those
///    events: a new batch is never formed with an event that belongs to a batch.
/// 3. Per-item refusals (the service names the refused ids; the batch is all or nothing, so nothing was created):
///    each refused event is recorded on its own (failed permanently, or processed when already recalled), and the
///    rest become a new batch, written ahead like step 1 before it is sent (see <see cref="Batching.IdBatchRunner"/>).
///    A crash in between resends the first batch unchanged, which is refused the same way and leads to the same
///    remainder, with the same key (it is made of the same events).
/// 4. The answer's outcomes (processed with the recall, per event) are written in one flushed write; an event
///    settled by an earlier, interrupted write is not recorded again. Only then is the next unit taken.
/// </summary>
internal sealed class WebhookProcessor : IWebhookProcessingHealth, IDisposable
{
    private readonly string journalPath;
    private readonly Func<WebhookEvent, CancellationToken, Task> action;
    private readonly IWebhookBatchAction batchAction;
    private readonly IRrLog log;
    private readonly WebhookProcessorOptions options;
    private readonly WebhookProcessingState state;
    private readonly object gate = new object();
    private readonly LinkedList<WebhookEvent> queue = new LinkedList<WebhookEvent>();
    private readonly Dictionary<string, LinkedListNode<WebhookEvent>> inQueue = new Dictionary<string, LinkedListNode<WebhookEvent>>(StringComparer.Ordinal);
    private readonly HashSet<string> queued = new HashSet<string>(StringComparer.Ordinal);
    private readonly Dictionary<string, int> attempts = new Dictionary<string, int>(StringComparer.Ordinal);
    private readonly HashSet<string> warned = new HashSet<string>(StringComparer.Ordinal);
    private readonly HashSet<string> warnedPermanent = new HashSet<string>(StringComparer.Ordinal);
    private readonly object healthGate = new object();
    private string lastError;
    private DateTimeOffset? lastErrorAt;
    private bool retrying;
    private readonly SemaphoreSlim arrived = new SemaphoreSlim(0);
    private readonly TaskCompletionSource<bool> completed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A processor that runs <paramref name="action"/> once per event.</summary>
    public WebhookProcessor(string journalPath, Func<WebhookEvent, CancellationToken, Task> action, IRrLog log, WebhookProcessorOptions options = null)
        : this(journalPath, action ?? throw new ArgumentNullException(nameof(action)), null, log, options)
    {
    }

    /// <summary>A processor that sends the queued events in batches through <paramref name="batchAction"/>.</summary>
    public WebhookProcessor(string journalPath, IWebhookBatchAction batchAction, IRrLog log, WebhookProcessorOptions options = null)
        : this(journalPath, null, batchAction ?? throw new ArgumentNullException(nameof(batchAction)), log, options)
    {
    }

    private WebhookProcessor(string journalPath, Func<WebhookEvent, CancellationToken, Task> action, IWebhookBatchAction batchAction, IRrLog log, WebhookProcessorOptions options)
    {
        this.journalPath = journalPath ?? throw new ArgumentNullException(nameof(journalPath));
        this.action = action;
        this.batchAction = batchAction;
        this.log = log ?? NullLog.Instance;
        this.options = options ?? new WebhookProcessorOptions();
        state = WebhookProcessingState.Open(journalPath, forWriting: true);
    }

    /// <summary>Events acted on successfully in this run.</summary>
    public int Processed { get; private set; }
    /// <summary>Failed attempts in this run.</summary>
    public int Failures { get; private set; }
    /// <summary>Events queued and not yet processed.</summary>
    public int Pending { get { lock (gate) return queued.Count; } }
    /// <summary>Events failed permanently in this run.</summary>
    public int FailedPermanently { get; private set; }
    /// <summary>Compactions of the processing state in this run (the one at start included).</summary>
    public int Compactions { get; private set; }
    /// <summary>Requests a batch action sent in this run (a resent batch counts again).</summary>
    public int BatchesSent { get; private set; }

    /// <summary>Any thread: queues a journaled event (one already processed or queued is ignored).</summary>
    public void Enqueue(WebhookEvent e)
    {
        if (e?.DedupeKey == null) return;
        lock (gate)
        {
            if (state.IsSettled(e.DedupeKey) || !queued.Add(e.DedupeKey)) return;
            inQueue[e.DedupeKey] = queue.AddLast(e);
        }
        arrived.Release();
    }

    /// <summary>
    /// No more events will be queued (the receiver stopped): RunAsync returns once the queue is empty, or at the
    /// first failure from now on (a retry wait in progress is cut short); what is left stays unprocessed in the journal.
    /// </summary>
    public void Complete() => completed.TrySetResult(true);

    /// <summary>What one unit of work came to for one of its events: done (with what), or the error.</summary>
    private sealed class EventResult
    {
        public WebhookEvent Event;
        public Exception Error;
        public string DoneWith;
    }

    /// <summary>The events of one unit of work, and the batch sent for them (null for a per-event action, or when none has an id).</summary>
    private sealed class WorkUnit
    {
        public readonly List<WebhookEvent> Events = new List<WebhookEvent>();
        public WebhookBatch Batch;
    }

    /// <summary>Queues the journal's unprocessed events, then acts on queued events until <see cref="Complete"/> or cancellation.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var backlog = 0;
        foreach (var e in Backlog(journalPath, state, options.PayloadOf))
        {
            Enqueue(e);
            backlog++;
        }
        if (state.Lines > 0) CompactState(); // at start: what a stopped run appended, and events rotated away
        if (backlog > 0) log.Verbose($"Processing {backlog} unprocessed event(s) from {journalPath} first.");
        var delay = TimeSpan.Zero;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var unit = TakeNext();
            if (unit == null)
            {
                if (completed.Task.IsCompleted) return;
                await Task.WhenAny(arrived.WaitAsync(ct), completed.Task).ConfigureAwait(false);
                continue;
            }
            foreach (var e in unit.Events)
            {
                attempts.TryGetValue(e.DedupeKey, out var tried);
                if (tried == 0) tried = state.LastFailure(e.DedupeKey)?.Attempts ?? 0;
                attempts[e.DedupeKey] = tried + 1;
            }
            var results = await RunUnitAsync(unit, ct).ConfigureAwait(false);
            var transient = Settle(results);
            if (transient.Count > 0)
            {
                delay = delay == TimeSpan.Zero ? options.FirstRetryDelay : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
                WarnTransient(transient, delay);
                if (completed.Task.IsCompleted) return;
                await WaitBeforeRetryAsync(delay, ct).ConfigureAwait(false);
                continue;
            }
            var succeeded = results.FirstOrDefault(r => r.Error == null);
            if (succeeded != null)
            {
                if (delay != TimeSpan.Zero) log.Note($"Processing webhook events works again (event {succeeded.Event.DedupeKey} after {attempts[succeeded.Event.DedupeKey]} attempts).");
                delay = TimeSpan.Zero;
                lock (healthGate) retrying = false;
                warned.Clear();
            }
            foreach (var r in results) attempts.Remove(r.Event.DedupeKey); // settled
            CompactStateIfWorthIt();
        }
    }

    /// <summary>
    /// The next unit of work, taken out of the queue (null when it is empty): the head event alone for a per-event
    /// action; for a batch action, the batch the head event belongs to, whole and unchanged, or else a new batch of
    /// the queued events that belong to none, up to the action's maximum, each id once (the service refuses a repeat).
    /// </summary>
    private WorkUnit TakeNext()
    {
        lock (gate)
        {
            var head = queue.First?.Value;
            if (head == null) return null;
            var unit = new WorkUnit();
            if (batchAction == null)
            {
                unit.Events.Add(TakeOut(head));
                return unit;
            }
            var pending = state.PendingBatchOf(head.DedupeKey);
            if (pending != null)
            {
                unit.Batch = pending;
                foreach (var key in pending.Keys)
                    if (inQueue.TryGetValue(key, out var node)) unit.Events.Add(TakeOut(node.Value));
                return unit;
            }
            var keys = new List<string>();
            var ids = new List<long>();
            for (var node = queue.First; node != null && ids.Count < batchAction.MaxBatchSize;)
            {
                var e = node.Value;
                node = node.Next;
                if (state.PendingBatchOf(e.DedupeKey) != null) break; // its own batch goes in its turn
                var id = batchAction.IdOf(e);
                if (id.HasValue && ids.Contains(id.Value)) break; // the same inventory twice: in the next batch
                unit.Events.Add(TakeOut(e));
                if (!id.HasValue) continue;
                keys.Add(e.DedupeKey);
                ids.Add(id.Value);
            }
            if (ids.Count > 0)
            {
                unit.Batch = new WebhookBatch(IdempotencyKeyFor(keys, batchAction.Name), keys, ids);
                state.RecordBatch(unit.Batch); // write-ahead: step 1
            }
            return unit;
        }
    }

    /// <summary>Removes a queued event from the queue (caller holds the gate); it stays counted as queued until settled.</summary>
    private WebhookEvent TakeOut(WebhookEvent e)
    {
        queue.Remove(inQueue[e.DedupeKey]);
        inQueue.Remove(e.DedupeKey);
        return e;
    }

    /// <summary>Runs one unit; every failure but cancellation becomes the result of the events it concerns.</summary>
    private async Task<List<EventResult>> RunUnitAsync(WorkUnit unit, CancellationToken ct)
    {
        var results = new List<EventResult>();
        if (batchAction == null)
        {
            var e = unit.Events[0];
            try
            {
                await action(e, ct).ConfigureAwait(false);
                results.Add(new EventResult { Event = e });
            }
            catch (Exception error) when (!(error is OperationCanceledException && ct.IsCancellationRequested))
            {
                results.Add(new EventResult { Event = e, Error = error });
            }
            return results;
        }
        var byKey = unit.Events.ToDictionary(e => e.DedupeKey, StringComparer.Ordinal);
        foreach (var e in unit.Events)
            if (!batchAction.IdOf(e).HasValue) results.Add(new EventResult { Event = e }); // nothing to do for it
        if (unit.Batch == null) return results;
        var batch = unit.Batch;
        var keyOfId = new Dictionary<long, string>();
        for (var i = 0; i < batch.Ids.Count; i++) keyOfId[batch.Ids[i]] = batch.Keys[i];
        void Add(long id, Exception error, string doneWith)
        {
            // Only the queued events: one a former, interrupted run settled is not recorded again (step 4).
            if (keyOfId.TryGetValue(id, out var key) && byKey.TryGetValue(key, out var e) && !results.Any(r => r.Event == e))
                results.Add(new EventResult { Event = e, Error = error, DoneWith = doneWith });
        }
        try
        {
            await IdBatchRunner.RunAsync(batch.Ids,
                (ids, token) =>
                {
                    var sending = batch;
                    if (!ReferenceEquals(ids, batch.Ids) && !ids.SequenceEqual(batch.Ids))
                    {
                        // The rest after per-item refusals: a batch of its own, written ahead (step 3).
                        var keys = ids.Select(id => keyOfId[id]).ToList();
                        sending = new WebhookBatch(IdempotencyKeyFor(keys, batchAction.Name), keys, ids.ToList());
                        lock (gate) state.RecordBatch(sending);
                    }
                    BatchesSent++;
                    return batchAction.SendAsync(sending.Ids, sending.IdempotencyKey, token);
                },
                (ids, done) =>
                {
                    foreach (var id in ids) Add(id, null, done.FirstOrDefault(d => d.Key == id).Value);
                },
                (id, error) =>
                {
                    if (batchAction.IsDoneAlready(error, out var doneWith)) Add(id, null, doneWith);
                    else Add(id, error, null);
                },
                ct).ConfigureAwait(false);
        }
        catch (Exception error) when (!(error is OperationCanceledException && ct.IsCancellationRequested))
        {
            // Bad credentials (IdBatchRunner stops at them), or the ledger: every event still without a result failed.
            foreach (var id in batch.Ids) Add(id, error, null);
        }
        return results;
    }

    /// <summary>
    /// Records the outcomes of one unit in one flushed write, then counts and reports them; returns the transient
    /// failures, whose events went to the back of the queue (with their batch, if any, still theirs).
    /// </summary>
    private List<EventResult> Settle(List<EventResult> results)
    {
        var now = DateTimeOffset.UtcNow;
        var transient = new List<EventResult>();
        var outcomes = new List<WebhookProcessingOutcome>();
        foreach (var r in results)
        {
            var key = r.Event.DedupeKey;
            var outcome = r.Error == null ? WebhookProcessingOutcome.Processed
                : IsPermanent(r.Error) ? WebhookProcessingOutcome.FailedPermanently : WebhookProcessingOutcome.Failed;
            if (outcome == WebhookProcessingOutcome.Failed) transient.Add(r);
            outcomes.Add(new WebhookProcessingOutcome { Key = key, Outcome = outcome, Attempts = attempts[key], Error = r.Error?.Message, Result = r.DoneWith, At = now });
        }
        // Under the gate: Enqueue reads the state from the receiver's threads.
        lock (gate)
        {
            state.Record(outcomes);
            foreach (var r in results)
            {
                if (transient.Contains(r)) inQueue[r.Event.DedupeKey] = queue.AddLast(r.Event);
                else queued.Remove(r.Event.DedupeKey);
            }
        }
        foreach (var r in results)
        {
            if (r.Error == null) Processed++;
            else if (transient.Contains(r)) Failures++;
            else
            {
                FailedPermanently++;
                NoteError(r.Error.Message, retryingNow: IsRetrying);
                var message = Sentence.Join($"The webhook event {r.Event.DedupeKey} ({r.Event}) failed permanently:", Sentence.Of(r.Error))
                    + " It is recorded as failed permanently (Get-RrWebhookBacklog -FailedPermanently lists it) and is not tried again.";
                if (warnedPermanent.Add(KindOf(r.Error))) log.Warning(message + " Further events refused for the same reason are recorded without a warning.");
                else log.Note(message);
            }
        }
        return transient;
    }

    private bool IsRetrying { get { lock (healthGate) return retrying; } }

    /// <summary>A unit's transient failures: one line per distinct error (a warning the first time in an outage), not one per event.</summary>
    private void WarnTransient(List<EventResult> transient, TimeSpan delay)
    {
        foreach (var group in transient.GroupBy(r => KindOf(r.Error)))
        {
            var first = group.First();
            var key = first.Event.DedupeKey;
            var more = group.Count() > 1 ? $" (and {group.Count() - 1} more event(s) of the same request)" : "";
            NoteError(first.Error.Message, retryingNow: true);
            if (warned.Add(group.Key))
                log.Warning(Sentence.Join($"Processing the webhook event {key} ({first.Event}){more} failed:", Sentence.Of(first.Error))
                    + $" The receiver keeps accepting deliveries; this and later events are retried (next in {delay}), and this error is not reported again until processing works again.");
            else log.Note($"Processing the webhook event {key}{more} failed again (attempt {attempts[key]}; next try in {delay}): {first.Error.Message}");
        }
    }

    private async Task WaitBeforeRetryAsync(TimeSpan delay, CancellationToken ct)
    {
        using (var waitOver = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var early = options.RetryNow == null ? Task.Delay(Timeout.Infinite, waitOver.Token) : WhenRetryNowAsync(waitOver.Token);
            var first = await Task.WhenAny(options.Delay(delay, waitOver.Token), completed.Task, early).ConfigureAwait(false);
            waitOver.Cancel();
            if (first == early && early.Status == TaskStatus.RanToCompletion) log.Note("The API token file changed: retrying the failed events now.");
        }
    }

    private async Task WhenRetryNowAsync(CancellationToken ct)
    {
        while (true)
        {
            await Task.Delay(options.RetryNowInterval, ct).ConfigureAwait(false);
            if (options.RetryNow()) return;
        }
    }

    /// <summary>
    /// A refusal that trying again cannot change: the service answered that this item is wrong (not found, not
    /// eligible, pending VAS, rejected, or an idempotency key conflict). Credentials, the service being down,
    /// throttling, a lost answer and anything that is not the service's answer stay transient (retried).
    /// </summary>
    public static bool IsPermanent(Exception error)
    {
        for (var e = error; e != null; e = e.InnerException)
            if (e is RrApiException api)
                return api.Reason == RrErrorReason.NotFound || api.Reason == RrErrorReason.NotEligible || api.Reason == RrErrorReason.PendingVas
                    || api.Reason == RrErrorReason.Rejected || api.Reason == RrErrorReason.IdempotencyConflict;
        return false;
    }

    private void NoteError(string message, bool retryingNow)
    {
        lock (healthGate)
        {
            lastError = message;
            lastErrorAt = DateTimeOffset.UtcNow;
            retrying = retryingNow;
        }
    }

    /// <summary>False while processing waits to retry a failure. Any thread.</summary>
    public bool IsHealthy { get { lock (healthGate) return !retrying; } }

    /// <summary>
    /// Writes the "processing" object of the health probe. Any thread. The error text is an exception message,
    /// which never holds a secret (the HTTP core redacts what the service echoes).
    /// </summary>
    public void WriteHealth(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("processing");
        lock (healthGate)
        {
            writer.WriteBoolean("retrying", retrying);
            writer.WriteNumber("processed", Processed);
            writer.WriteNumber("failedAttempts", Failures);
            writer.WriteNumber("failedPermanently", state.FailedPermanentlyCount);
            writer.WriteNumber("backlog", Pending);
            if (lastError != null) writer.WriteString("lastError", lastError); else writer.WriteNull("lastError");
            if (lastErrorAt.HasValue) writer.WriteString("lastErrorAt", lastErrorAt.Value.UtcDateTime); else writer.WriteNull("lastErrorAt");
        }
        writer.WriteEndObject();
    }

    private void CompactStateIfWorthIt()
    {
        if (state.WorthCompacting) CompactState();
    }

    /// <summary>
    /// Keeps the state of the events still in the journal files. The receiver may rotate the journal while they are
    /// read (a file renamed between listing and reading would hide its events, whose state would then be lost): the
    /// rotated files are compared before and after, and a read that a rotation overlapped is not used.
    /// </summary>
    private void CompactState()
    {
        for (var tries = 0; tries < 3; tries++)
        {
            var before = RotatedFilesFingerprint(journalPath);
            var retained = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in JournaledEvents(journalPath)) retained.Add(e.DedupeKey);
            if (RotatedFilesFingerprint(journalPath) != before) continue;
            var lines = state.Lines;
            try
            {
                lock (gate) state.Compact(retained);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Appending goes on in the old file; a later compaction tries again.
                log.Verbose($"The processing state {state.Path} was not compacted this time: {e.Message}");
                return;
            }
            Compactions++;
            log.Verbose($"Compacted the processing state {state.Path}: {lines} lines to {state.Lines} (one per event still in the journal files).");
            return;
        }
        log.Verbose($"The processing state {state.Path} was not compacted this time: the journal kept rotating while it was read.");
    }

    /// <summary>Which rotated journal files exist, with their sizes and times: a rotation changes it.</summary>
    private static string RotatedFilesFingerprint(string journalPath)
    {
        var text = new StringBuilder();
        for (var n = 1; ; n++)
        {
            var info = new FileInfo(WebhookRecordFile.RotatedPath(journalPath, n));
            if (!info.Exists) return text.ToString();
            text.Append(n).Append(':').Append(info.Length).Append(':').Append(info.LastWriteTimeUtc.Ticks).Append(';');
        }
    }

    /// <summary>
    /// Runs <paramref name="receiver"/> (which must journal to this processor's journal) and this processor together:
    /// each accepted event goes to <paramref name="onAccepted"/>, then to the queue, and the receiver answers
    /// without waiting for processing, whose failures it never sees. When the receiver stops, processing finishes
    /// as <see cref="Complete"/> says, and no action outlives this method. A failure of the processor itself (its
    /// state file) stops the receiver and is thrown.
    /// </summary>
    public async Task<WebhookReceiveSummary> ServeAsync(WebhookReceiver receiver, Action<WebhookEvent> onAccepted, Action<string, WebhookFormatException> onUnreadable, CancellationToken ct)
    {
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            receiver.ProcessingHealth = this;
            var processing = Task.Run(() => RunAsync(stop.Token));
            _ = processing.ContinueWith(t => stop.Cancel(), TaskContinuationOptions.OnlyOnFaulted);
            WebhookReceiveSummary summary = null;
            try
            {
                summary = await receiver.RunAsync(
                    e =>
                    {
                        onAccepted?.Invoke(e);
                        Enqueue(e); // journaled already: processing it can wait, and restart, without losing it
                    },
                    onUnreadable, log, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Stopped because processing failed: its own error is thrown below.
            }
            finally
            {
                Complete();
                await Task.WhenAny(processing).ConfigureAwait(false);
            }
            await processing.ConfigureAwait(false);
            return summary;
        }
    }

    /// <summary>What makes two failures "the same error" for warning once: the API's error kind and status, else the message.</summary>
    private static string KindOf(Exception e)
        => e is RrApiException api ? $"api:{api.Kind}:{api.HttpStatus}:{api.MetaStatus}:{api.ErrorCode}" : e.GetType().FullName + ":" + e.Message;

    /// <summary>
    /// The journaled events of <paramref name="journalPath"/> (rotated files oldest first, then the journal) that
    /// <paramref name="state"/> does not record as processed, each once. Records that are not readable events are skipped.
    /// </summary>
    public static IEnumerable<WebhookEvent> Backlog(string journalPath, WebhookProcessingState state, Func<JsonElement, object> payloadOf = null)
    {
        foreach (var e in JournaledEvents(journalPath, payloadOf))
            if (!state.IsSettled(e.DedupeKey)) yield return e;
    }

    /// <summary>The journaled events that <paramref name="state"/> records as failed permanently, oldest first, each once.</summary>
    public static IEnumerable<WebhookEvent> FailedPermanentlyEvents(string journalPath, WebhookProcessingState state, Func<JsonElement, object> payloadOf = null)
    {
        foreach (var e in JournaledEvents(journalPath, payloadOf))
            if (state.LastFailure(e.DedupeKey)?.Outcome == WebhookProcessingOutcome.FailedPermanently) yield return e;
    }

    /// <summary>Every readable event of the journal files (rotated files oldest first, then the journal), each once.</summary>
    private static IEnumerable<WebhookEvent> JournaledEvents(string journalPath, Func<JsonElement, object> payloadOf = null)
    {
        var files = new List<string>();
        for (var n = 1; File.Exists(WebhookRecordFile.RotatedPath(journalPath, n)); n++) files.Add(WebhookRecordFile.RotatedPath(journalPath, n));
        files.Reverse();
        if (File.Exists(journalPath)) files.Add(journalPath);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!File.Exists(file)) continue; // rotated away meanwhile: its events come through the journal's new name or live
            foreach (var line in WebhookJournalReader.Lines(file, long.MaxValue, 16 * 1024 * 1024))
            {
                if (line.TooLong || !TryEventOf(line.Bytes, payloadOf, out var e)) continue;
                if (seen.Add(e.DedupeKey)) yield return e;
            }
        }
    }

    private static bool TryEventOf(ArraySegment<byte> line, Func<JsonElement, object> payloadOf, out WebhookEvent e)
    {
        e = null;
        try
        {
            WebhookRecord record;
            using (var document = JsonDocument.Parse(new ReadOnlyMemory<byte>(line.Array, line.Offset, line.Count), new JsonDocumentOptions { MaxDepth = 64 }))
                if (!WebhookRecord.TryRead(document.RootElement, out record)) return false;
            e = WebhookParser.Parse(record.Body, payloadOf);
            e.ReceivedAt = record.ReceivedAt;
            return e.DedupeKey != null;
        }
        catch (Exception x) when (x is JsonException || x is WebhookFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// An idempotency key that is the same for every attempt on one event (a GUID made from a hash of its dedupe
    /// key and the action), so a retry after a crash is recognised by the service and creates nothing twice.
    /// </summary>
    public static string IdempotencyKeyFor(WebhookEvent e, string actionName) => IdempotencyKeyFor(new[] { e.DedupeKey }, actionName);

    /// <summary>The idempotency key of a batch: the same events (in the same order) always make the same key; one event, its own key.</summary>
    public static string IdempotencyKeyFor(IReadOnlyList<string> dedupeKeys, string actionName)
    {
        using (var sha = SHA256.Create())
        {
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes("ReturnsHelper.Webhook/" + actionName + "/" + string.Join("\n", dedupeKeys)));
            var bytes = new byte[16];
            Array.Copy(hash, bytes, 16);
            return new Guid(bytes).ToString();
        }
    }

    public void Dispose() => state.Dispose();
}
