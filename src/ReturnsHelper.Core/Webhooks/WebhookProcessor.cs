using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;

namespace ReturnsHelper.Webhooks
{
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
        /// <summary>How often <see cref="RetryNow"/> is asked.</summary>
        public TimeSpan RetryNowInterval { get; set; } = TimeSpan.FromSeconds(1);
    }

    /// <summary>
    /// Acts on journaled webhook events, apart from receiving them, so receiving never depends on processing.
    /// Design: the journal (Receive-RrWebhook -Path, rotated files included) is the queue and the processing state
    /// next to it (<see cref="WebhookProcessingState"/>) records, per dedupe key, each completed attempt. At start the
    /// journal's unprocessed events (no 'processed' line) are queued oldest first; the receiver then queues each new
    /// event once it is journaled. One event is acted on at a time, in order; its outcome is flushed to disk before
    /// the next is taken, so a restart resumes exactly the unprocessed events (an action interrupted by a crash runs
    /// again: the built-in actions are idempotent for that reason). A failed event goes to the back of the queue and
    /// processing waits (1 s, doubling to 5 min; reset by a success), so a failure such as a 401 after a token
    /// rotation neither stops the listener nor floods the service, and one bad event does not block the others.
    /// Each distinct error is warned about once per outage, not once per event. A refusal that no retry can change
    /// (<see cref="IsPermanent"/>: the inventory is not eligible, not found...) is recorded as failed permanently and
    /// processing moves on at once. The state is compacted to the events still in the journal files (at start, and
    /// when appended lines outnumber the kept ones), so months of events do not make it grow without bound.
    /// </summary>
    internal sealed class WebhookProcessor : IWebhookProcessingHealth, IDisposable
    {
        readonly string journalPath;
        readonly Func<WebhookEvent, CancellationToken, Task> action;
        readonly IRrLog log;
        readonly WebhookProcessorOptions options;
        readonly WebhookProcessingState state;
        readonly object gate = new object();
        readonly LinkedList<WebhookEvent> queue = new LinkedList<WebhookEvent>();
        readonly HashSet<string> queued = new HashSet<string>(StringComparer.Ordinal);
        readonly Dictionary<string, int> attempts = new Dictionary<string, int>(StringComparer.Ordinal);
        readonly HashSet<string> warned = new HashSet<string>(StringComparer.Ordinal);
        readonly HashSet<string> warnedPermanent = new HashSet<string>(StringComparer.Ordinal);
        readonly object healthGate = new object();
        string lastError;
        DateTimeOffset? lastErrorAt;
        bool retrying;
        readonly SemaphoreSlim arrived = new SemaphoreSlim(0);
        readonly TaskCompletionSource<bool> completed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        public WebhookProcessor(string journalPath, Func<WebhookEvent, CancellationToken, Task> action, IRrLog log, WebhookProcessorOptions options = null)
        {
            this.journalPath = journalPath ?? throw new ArgumentNullException(nameof(journalPath));
            this.action = action ?? throw new ArgumentNullException(nameof(action));
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

        /// <summary>Any thread: queues a journaled event (one already processed or queued is ignored).</summary>
        public void Enqueue(WebhookEvent e)
        {
            if (e?.DedupeKey == null) return;
            lock (gate)
            {
                if (state.IsSettled(e.DedupeKey) || !queued.Add(e.DedupeKey)) return;
                queue.AddLast(e);
            }
            arrived.Release();
        }

        /// <summary>
        /// No more events will be queued (the receiver stopped): RunAsync returns once the queue is empty, or at the
        /// first failure from now on (a retry wait in progress is cut short); what is left stays unprocessed in the journal.
        /// </summary>
        public void Complete() => completed.TrySetResult(true);

        /// <summary>Queues the journal's unprocessed events, then acts on queued events until <see cref="Complete"/> or cancellation.</summary>
        public async Task RunAsync(CancellationToken ct)
        {
            var backlog = 0;
            foreach (var e in Backlog(journalPath, state))
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
                WebhookEvent next;
                lock (gate)
                {
                    next = queue.First?.Value;
                    if (next != null) queue.RemoveFirst();
                }
                if (next == null)
                {
                    if (completed.Task.IsCompleted) return;
                    await Task.WhenAny(arrived.WaitAsync(ct), completed.Task).ConfigureAwait(false);
                    continue;
                }
                var key = next.DedupeKey;
                attempts.TryGetValue(key, out var tried);
                if (tried == 0) tried = state.LastFailure(key)?.Attempts ?? 0;
                attempts[key] = ++tried;
                try
                {
                    await action(next, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception error) when (IsPermanent(error))
                {
                    lock (gate)
                    {
                        state.Record(new WebhookProcessingOutcome { Key = key, Outcome = WebhookProcessingOutcome.FailedPermanently, Attempts = tried, Error = error.Message, At = DateTimeOffset.UtcNow });
                        queued.Remove(key);
                    }
                    FailedPermanently++;
                    attempts.Remove(key);
                    NoteError(error.Message, retryingNow: retrying);
                    var message = Sentence.Join($"The webhook event {key} ({next}) failed permanently:", Sentence.Of(error))
                        + " It is recorded as failed permanently (Get-RrWebhookBacklog -FailedPermanently lists it) and is not tried again.";
                    if (warnedPermanent.Add(KindOf(error))) log.Warning(message + " Further events refused for the same reason are recorded without a warning.");
                    else log.Note(message);
                    CompactStateIfWorthIt();
                    continue;
                }
                catch (Exception error)
                {
                    Failures++;
                    lock (gate)
                    {
                        state.Record(new WebhookProcessingOutcome { Key = key, Outcome = WebhookProcessingOutcome.Failed, Attempts = tried, Error = error.Message, At = DateTimeOffset.UtcNow });
                        queue.AddLast(next);
                    }
                    delay = delay == TimeSpan.Zero ? options.FirstRetryDelay : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
                    NoteError(error.Message, retryingNow: true);
                    if (warned.Add(KindOf(error)))
                        log.Warning(Sentence.Join($"Processing the webhook event {key} ({next}) failed:", Sentence.Of(error))
                            + $" The receiver keeps accepting deliveries; this and later events are retried (next in {delay}), and this error is not reported again until processing works again.");
                    else log.Note($"Processing the webhook event {key} failed again (attempt {tried}; next try in {delay}): {error.Message}");
                    if (completed.Task.IsCompleted) return;
                    await WaitBeforeRetryAsync(delay, ct).ConfigureAwait(false);
                    continue;
                }
                // Under the gate: Enqueue reads the state from the receiver's threads.
                lock (gate)
                {
                    state.Record(new WebhookProcessingOutcome { Key = key, Outcome = WebhookProcessingOutcome.Processed, Attempts = tried, At = DateTimeOffset.UtcNow });
                    queued.Remove(key);
                }
                Processed++;
                attempts.Remove(key);
                if (delay != TimeSpan.Zero) log.Note($"Processing webhook events works again (event {key} after {tried} attempts).");
                delay = TimeSpan.Zero;
                lock (healthGate) retrying = false;
                warned.Clear();
                CompactStateIfWorthIt();
            }
        }

        async Task WaitBeforeRetryAsync(TimeSpan delay, CancellationToken ct)
        {
            using (var waitOver = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                var early = options.RetryNow == null ? Task.Delay(Timeout.Infinite, waitOver.Token) : WhenRetryNowAsync(waitOver.Token);
                var first = await Task.WhenAny(options.Delay(delay, waitOver.Token), completed.Task, early).ConfigureAwait(false);
                waitOver.Cancel();
                if (first == early && early.Status == TaskStatus.RanToCompletion) log.Note("The API token file changed: retrying the failed events now.");
            }
        }

        async Task WhenRetryNowAsync(CancellationToken ct)
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

        void NoteError(string message, bool retryingNow)
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

        void CompactStateIfWorthIt()
        {
            if (state.WorthCompacting) CompactState();
        }

        /// <summary>
        /// Keeps the state of the events still in the journal files. The receiver may rotate the journal while they are
        /// read (a file renamed between listing and reading would hide its events, whose state would then be lost): the
        /// rotated files are compared before and after, and a read that a rotation overlapped is not used.
        /// </summary>
        void CompactState()
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
        static string RotatedFilesFingerprint(string journalPath)
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
        static string KindOf(Exception e)
            => e is RrApiException api ? $"api:{api.Kind}:{api.HttpStatus}:{api.MetaStatus}:{api.ErrorCode}" : e.GetType().FullName + ":" + e.Message;

        /// <summary>
        /// The journaled events of <paramref name="journalPath"/> (rotated files oldest first, then the journal) that
        /// <paramref name="state"/> does not record as processed, each once. Records that are not readable events are skipped.
        /// </summary>
        public static IEnumerable<WebhookEvent> Backlog(string journalPath, WebhookProcessingState state)
        {
            foreach (var e in JournaledEvents(journalPath))
                if (!state.IsSettled(e.DedupeKey)) yield return e;
        }

        /// <summary>The journaled events that <paramref name="state"/> records as failed permanently, oldest first, each once.</summary>
        public static IEnumerable<WebhookEvent> FailedPermanentlyEvents(string journalPath, WebhookProcessingState state)
        {
            foreach (var e in JournaledEvents(journalPath))
                if (state.LastFailure(e.DedupeKey)?.Outcome == WebhookProcessingOutcome.FailedPermanently) yield return e;
        }

        /// <summary>Every readable event of the journal files (rotated files oldest first, then the journal), each once.</summary>
        static IEnumerable<WebhookEvent> JournaledEvents(string journalPath)
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
                    if (line.TooLong || !TryEventOf(line.Bytes, out var e)) continue;
                    if (seen.Add(e.DedupeKey)) yield return e;
                }
            }
        }

        static bool TryEventOf(ArraySegment<byte> line, out WebhookEvent e)
        {
            e = null;
            try
            {
                WebhookRecord record;
                using (var document = JsonDocument.Parse(new ReadOnlyMemory<byte>(line.Array, line.Offset, line.Count), new JsonDocumentOptions { MaxDepth = 64 }))
                    if (!WebhookRecord.TryRead(document.RootElement, out record)) return false;
                e = WebhookParser.Parse(record.Body);
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
        public static string IdempotencyKeyFor(WebhookEvent e, string actionName)
        {
            using (var sha = SHA256.Create())
            {
                var hash = sha.ComputeHash(Encoding.UTF8.GetBytes("ReturnsHelper.Webhook/" + actionName + "/" + e.DedupeKey));
                var bytes = new byte[16];
                Array.Copy(hash, bytes, 16);
                return new Guid(bytes).ToString();
            }
        }

        public void Dispose() => state.Dispose();
    }
}
