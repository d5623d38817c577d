using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Batching;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Pipeline batching for bulk id endpoints (the Sort-Object pattern): ids are validated one by one,
    /// buffered, and flushed as each batch fills and at the end, so memory stays bounded. Each batch is
    /// confirmed once (-WhatIf/-Confirm), sent as one logical write, and its results are written as soon
    /// as it succeeds. Rejected ids become per-item errors; the rest are resubmitted (see IdBatchRunner).
    /// Batches are sent strictly one after another; one is in flight while the next fills, so reading the
    /// input (Import-Csv) overlaps the network.
    ///
    /// Slow input (a webhook receiver, a slow producer) must not wait for a full batch: an id that arrives
    /// after the input paused is sent at once and its result written before control returns upstream, and
    /// ids left in the buffer when the input pauses are sent by an idle timer (written at the next item or
    /// at the end). The timer runs only when no -WhatIf/-Confirm prompt is possible, since those need the
    /// pipeline thread.
    /// </summary>
    public abstract class BatchedIdCmdlet<TResult> : RrApiCmdlet, IDisposable
    {
        /// <summary>How long the input may be silent before buffered ids are sent without waiting for more.</summary>
        static readonly TimeSpan InputPause = TimeSpan.FromMilliseconds(250);

        readonly object gate = new object();   // buffer, in-flight queue and counters: the idle timer uses them too
        readonly List<long> buffer = new List<long>();
        readonly HashSet<long> seen = new HashSet<long>();
        readonly Queue<KeyValuePair<PipelineWork, long[]>> inFlight = new Queue<KeyValuePair<PipelineWork, long[]>>();
        readonly Stopwatch sinceInput = new Stopwatch();
        Timer idleTimer;
        long submittedCount;
        int batchNumber;
        int? expectedTotal;

        /// <summary>How many ids go in one request (the service accepts at most 100).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int BatchSize { get; set; } = 100;

        /// <summary>What one batch does, e.g. "Create recall" (the -WhatIf/-Confirm action text).</summary>
        protected abstract string ActionName { get; }
        /// <summary>What the ids are, plural, e.g. "return inventories".</summary>
        protected abstract string IdNoun { get; }
        /// <summary>The same, for one id, e.g. "return inventory".</summary>
        protected abstract string IdNounSingular { get; }
        /// <summary>The property names an input record may carry the id under.</summary>
        protected virtual string[] IdPropertyNames => InputIds.InventoryIdNames;

        protected abstract Task<IReadOnlyList<TResult>> SubmitAsync(RrSession session, IReadOnlyList<long> ids, IRrLog log, CancellationToken ct);
        /// <summary>True when <paramref name="result"/> accounts for the submitted id (used to prove no id was dropped).</summary>
        protected abstract bool Covers(TResult result, long id);

        protected override void BeginProcessing()
        {
            _ = ActiveSession; // fail fast, before any input, when there is no session
            CaptureStreamPreferences();
            if (!MayPromptOrPreview()) idleTimer = new Timer(_ => FlushFromTimer(), null, Timeout.Infinite, Timeout.Infinite);
            sinceInput.Start();
        }

        /// <summary>Validates raw input items and queues the good ones; bad ones are per-item errors and never sent.</summary>
        protected void Accept(IEnumerable<object> items, bool fromParameter)
        {
            idleTimer?.Change(Timeout.Infinite, Timeout.Infinite);
            var list = items as IList<object> ?? items.ToList();
            if (fromParameter && list.Count > BatchSize) expectedTotal = (expectedTotal ?? 0) + list.Count;
            var afterPause = sinceInput.Elapsed >= InputPause;
            if (afterPause) FinishAllBatches(); // what the idle timer sent while the input was silent
            InputIds.ForEach(this, list, IdPropertyNames, seen, id =>
            {
                WriteFinishedBatches();
                bool full;
                lock (gate)
                {
                    buffer.Add(id);
                    full = buffer.Count >= BatchSize;
                }
                if (full || afterPause) Flush();
            });
            // Slow input: this id's result is written before the producer runs again.
            if (afterPause) FinishAllBatches();
            sinceInput.Restart();
            idleTimer?.Change(InputPause, Timeout.InfiniteTimeSpan);
        }

        protected override void EndProcessing()
        {
            idleTimer?.Change(Timeout.Infinite, Timeout.Infinite);
            Flush();
            FinishAllBatches();
            if (batchNumber > 1 || expectedTotal.HasValue)
                WriteProgress(new ProgressRecord(1, ActionName, "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void StopProcessing()
        {
            idleTimer?.Change(Timeout.Infinite, Timeout.Infinite);
            base.StopProcessing();
        }

        public void Dispose() => idleTimer?.Dispose();

        void Flush()
        {
            long[] batch;
            lock (gate)
            {
                if (buffer.Count == 0) return;
                batch = buffer.ToArray();
                buffer.Clear();
                batchNumber++;
            }
            var session = ActiveSession;
            if (!ShouldProcess(DescribeBatch(session, batch), ActionName)) return;
            ReportProgress(batch.Length);
            FinishAllBatches(); // one batch in flight at a time: the service never sees concurrent writes from one command
            Send(session, batch);
        }

        /// <summary>The idle timer's flush, on a pool thread: no PowerShell calls here, results are written later.</summary>
        void FlushFromTimer()
        {
            lock (gate)
            {
                if (buffer.Count == 0) return;
                var batch = buffer.ToArray();
                buffer.Clear();
                batchNumber++;
                Send(ActiveSession, batch); // resolved in BeginProcessing: no PowerShell call here
            }
        }

        /// <summary>Starts the batch after the ones already in flight, so batches reach the service one at a time, in order.</summary>
        void Send(RrSession session, long[] batch)
        {
            lock (gate)
            {
                var previous = inFlight.Count > 0 ? inFlight.Last().Key.Task : Task.CompletedTask;
                var work = StartWork(async (self, ct) =>
                {
                    await previous.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                    await IdBatchRunner.RunAsync(
                        batch,
                        (ids, token) => SubmitAsync(session, ids, self.Log, token),
                        (ids, results) => self.Post(() => WriteResults(ids, results)),
                        (id, message, error) => self.Post(() => WriteApiError(ErrorMapper.ForItem(error, message), id)),
                        ct).ConfigureAwait(false);
                });
                inFlight.Enqueue(new KeyValuePair<PipelineWork, long[]>(work, batch));
                submittedCount += batch.Length;
            }
        }

        /// <summary>Writes out the batches that have finished, oldest first, without waiting.</summary>
        void WriteFinishedBatches() => FinishBatches(waitForRunning: false);

        /// <summary>Waits for every batch in flight and writes everything they produced.</summary>
        void FinishAllBatches() => FinishBatches(waitForRunning: true);

        void FinishBatches(bool waitForRunning)
        {
            while (true)
            {
                lock (gate)
                    if (inFlight.Count == 0 || (!waitForRunning && !inFlight.Peek().Key.Task.IsCompleted)) return;
                FinishOldestBatch();
            }
        }

        /// <summary>Waits for the oldest batch in flight and writes everything it produced.</summary>
        void FinishOldestBatch()
        {
            KeyValuePair<PipelineWork, long[]> oldest;
            lock (gate) oldest = inFlight.Dequeue();
            try
            {
                Drain(oldest.Key, untilDone: true);
            }
            catch (RrApiException e)
            {
                // Only bad credentials get here (IdBatchRunner turns everything else into per-id errors).
                WriteApiError(e, oldest.Value);
            }
        }

        void WriteResults(IReadOnlyList<long> submitted, IReadOnlyList<TResult> results)
        {
            foreach (var result in results) WriteObject(result);
            foreach (var id in submitted)
                if (!results.Any(r => Covers(r, id)))
                    WriteError(new ErrorRecord(
                        new InvalidOperationException($"The service accepted {id} but its answer does not mention it; check it before retrying."),
                        "RrIdMissingFromResult", ErrorCategory.InvalidResult, id));
        }

        /// <summary>True when ShouldProcess may preview (-WhatIf) or ask (-Confirm, or a low $ConfirmPreference).</summary>
        bool MayPromptOrPreview()
        {
            var bound = MyInvocation.BoundParameters;
            if (bound.TryGetValue("WhatIf", out var whatIf)) { if (((SwitchParameter)whatIf).IsPresent) return true; }
            else if (LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"))) return true;
            if (bound.TryGetValue("Confirm", out var confirm)) return ((SwitchParameter)confirm).IsPresent;
            return GetVariableValue("ConfirmPreference") is ConfirmImpact threshold && threshold != ConfirmImpact.None && threshold <= ConfirmImpact.Medium;
        }

        string DescribeBatch(RrSession session, long[] batch)
        {
            const int shown = 10;
            var ids = string.Join(", ", batch.Take(shown)) + (batch.Length > shown ? $", ... (+{batch.Length - shown} more)" : "");
            return $"{batch.Length} {(batch.Length == 1 ? IdNounSingular : IdNoun)} ({ids}) in {session.Environment} ({session.BaseUri})";
        }

        void ReportProgress(int batchLength)
        {
            if (batchNumber == 1 && !expectedTotal.HasValue) return; // quiet unless the input spans more than one batch
            var status = $"Batch {batchNumber}: {submittedCount + batchLength} {IdNoun} submitted";
            var record = new ProgressRecord(1, ActionName, status);
            if (expectedTotal.HasValue)
                record.PercentComplete = (int)Math.Min(100, 100 * (submittedCount + batchLength) / Math.Max(1, expectedTotal.Value));
            WriteProgress(record);
        }
    }
}
