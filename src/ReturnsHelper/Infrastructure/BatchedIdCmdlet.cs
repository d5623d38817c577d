using System;
using System.Collections.Generic;
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
    /// Up to <see cref="MaxInFlight"/> batches are in flight while the next one fills, so reading the input
    /// (Import-Csv) overlaps the network; their results are written in batch order, and memory stays bounded
    /// by (MaxInFlight + 1) batches.
    /// </summary>
    public abstract class BatchedIdCmdlet<TResult> : RrApiCmdlet
    {
        readonly List<long> buffer = new List<long>();
        readonly HashSet<long> seen = new HashSet<long>();
        long submittedCount;
        int batchNumber;
        int? expectedTotal;
        readonly Queue<KeyValuePair<PipelineWork, long[]>> inFlight = new Queue<KeyValuePair<PipelineWork, long[]>>();

        /// <summary>
        /// Batches sent but not yet written out. One: the service never sees concurrent writes from one command,
        /// batches are sent (and retried) strictly in order, and a second one measured no faster on 2 cores.
        /// </summary>
        const int MaxInFlight = 1;

        /// <summary>How many ids go in one request (the service accepts at most 100).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int BatchSize { get; set; } = 100;

        /// <summary>What one batch does, e.g. "Create recall" (the -WhatIf/-Confirm action text).</summary>
        protected abstract string ActionName { get; }
        /// <summary>What the ids are, plural, e.g. "return inventories".</summary>
        protected abstract string IdNoun { get; }
        /// <summary>The property names an input record may carry the id under.</summary>
        protected virtual string[] IdPropertyNames => InputIds.InventoryIdNames;

        protected abstract Task<IReadOnlyList<TResult>> SubmitAsync(RrSession session, IReadOnlyList<long> ids, IRrLog log, CancellationToken ct);
        /// <summary>True when <paramref name="result"/> accounts for the submitted id (used to prove no id was dropped).</summary>
        protected abstract bool Covers(TResult result, long id);

        protected override void BeginProcessing()
        {
            _ = ActiveSession; // fail fast, before any input, when there is no session
        }

        /// <summary>Validates raw input items and queues the good ones; bad ones are per-item errors and never sent.</summary>
        protected void Accept(IEnumerable<object> items, bool fromParameter)
        {
            var list = items as IList<object> ?? items.ToList();
            if (fromParameter && list.Count > BatchSize) expectedTotal = (expectedTotal ?? 0) + list.Count;
            InputIds.ForEach(this, list, IdPropertyNames, seen, id =>
            {
                WriteFinishedBatches();
                buffer.Add(id);
                if (buffer.Count >= BatchSize) Flush();
            });
        }

        protected override void EndProcessing()
        {
            Flush();
            while (inFlight.Count > 0) FinishOldestBatch();
            if (batchNumber > 1 || expectedTotal.HasValue)
                WriteProgress(new ProgressRecord(1, ActionName, "Done") { RecordType = ProgressRecordType.Completed });
        }

        void Flush()
        {
            if (buffer.Count == 0) return;
            var batch = buffer.ToArray();
            buffer.Clear();
            batchNumber++;
            var session = ActiveSession;
            if (!ShouldProcess(DescribeBatch(session, batch), ActionName)) return;
            ReportProgress(batch.Length);
            while (inFlight.Count >= MaxInFlight) FinishOldestBatch();
            var work = StartWork((self, ct) => IdBatchRunner.RunAsync(
                batch,
                (ids, token) => SubmitAsync(session, ids, self.Log, token),
                (ids, results) => self.Post(() => WriteResults(ids, results)),
                (id, message, error) => self.Post(() => WriteApiError(ErrorMapper.ForItem(error, message), id)),
                ct));
            inFlight.Enqueue(new KeyValuePair<PipelineWork, long[]>(work, batch));
            submittedCount += batch.Length;
        }

        /// <summary>Writes out the batches that have finished, oldest first, without waiting.</summary>
        void WriteFinishedBatches()
        {
            while (inFlight.Count > 0 && inFlight.Peek().Key.Task.IsCompleted) FinishOldestBatch();
        }

        /// <summary>Waits for the oldest batch in flight and writes everything it produced.</summary>
        void FinishOldestBatch()
        {
            var oldest = inFlight.Dequeue();
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

        string DescribeBatch(RrSession session, long[] batch)
        {
            const int shown = 10;
            var ids = string.Join(", ", batch.Take(shown)) + (batch.Length > shown ? $", ... (+{batch.Length - shown} more)" : "");
            return $"{batch.Length} {IdNoun} ({ids}) in {session.Environment} ({session.BaseUri})";
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
