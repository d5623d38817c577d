using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Batching;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Pipeline batching for bulk id endpoints. Ids are validated one by one and buffered; a batch is sent when it
/// is full (-BatchSize) and at the end, never because of timing, so N ids make ceil(N / BatchSize) batches and
/// -WhatIf/-Confirm preview exactly those. Each batch is confirmed on the pipeline thread, then runs as one unit
/// of the <see cref="OrderedWorkQueue"/> (up to -ThrottleLimit batches in flight, results written in input order):
/// one logical write with its own idempotency key, rejected ids become per-item errors and the rest are
/// resubmitted (see <see cref="IdBatchRunner"/>).
///
/// Event streams (Receive-RrWebhook | New-RrRecall) opt in with -MaxWait: an id then never waits longer than
/// that for its batch to fill. An input that arrives after the input was silent for -MaxWait is sent at once and
/// its result written before the producer runs again; ids buffered when the input goes quiet are sent by a timer
/// (only when no -WhatIf/-Confirm prompt is possible: those need the pipeline thread) and their results are
/// written at the next input or at the end, or, if the command fails first, as far as the pipeline still accepts.
/// </summary>
public abstract class BatchedIdCmdlet<TResult> : RrBulkCmdlet, IDisposable
{
    private static readonly TimeSpan MaxWaitLimit = TimeSpan.FromHours(1);

    private readonly object gate = new object();   // the buffer and its clock: the -MaxWait timer takes them too
    private readonly List<long> buffer = new List<long>();
    private readonly List<object> bufferInputs = new List<object>(); // the input each buffered id came from: the TargetObject of its errors
    private readonly Stopwatch oldestBuffered = new Stopwatch();
    private InputIds reader;
    private QuietInput quietInput;
    private OrderedWorkQueue queue;
    private IRrLog log;
    private RrSession session;
    private Timer maxWaitTimer;
    private TimeSpan? maxWait;
    private long submittedCount;
    private int batchNumber;
    private int? expectedTotal;

    /// <summary>How many ids go in one request (the service accepts at most 100).</summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Opt-in for event streams: the longest an id may wait for its batch to fill (up to 1 hour).</summary>
    [Parameter]
    public TimeSpan MaxWait { get; set; }

    /// <summary>What one batch does, e.g. "Create recall" (the -WhatIf/-Confirm action text).</summary>
    protected abstract string ActionName { get; }
    /// <summary>What the ids are, plural, e.g. "return inventories".</summary>
    protected abstract string IdNoun { get; }
    /// <summary>The same, for one id, e.g. "return inventory".</summary>
    protected abstract string IdNounSingular { get; }
    /// <summary>The property names an input record may carry the id under.</summary>
    protected virtual string[] IdPropertyNames => InputIds.InventoryIdNames;
    /// <summary>What the id is, for input errors, e.g. "return inventory ID".</summary>
    protected virtual string IdName => "return inventory ID";

    /// <summary>
    /// How to learn what happened to a write whose outcome is unknown (no definitive answer came back), e.g.
    /// "Run the same command again: ...". Part of the error message of every such id.
    /// </summary>
    protected abstract string HowToCheckUnknownOutcome { get; }

    /// <summary>
    /// Sends one logical write. <paramref name="idempotencyKey"/> is null for a new one, or the key a batch was sent
    /// with before (a batch the ledger recorded as pending, resent to learn its outcome).
    /// </summary>
    private protected abstract Task<IReadOnlyList<TResult>> SubmitAsync(RrSession session, IReadOnlyList<long> ids, string idempotencyKey, IRrLog log, CancellationToken ct);

    /// <summary>True when the id needs no request (a subclass answered it, e.g. from the ledger); it is then not batched.</summary>
    protected virtual bool AnsweredWithoutRequest(long id) => false;

    /// <summary>Writes <paramref name="write"/>'s output in input order, after everything started before it.</summary>
    protected void WriteInOrder(Action write) => queue.Start((unit, ct) => { unit.Post(write); return Task.CompletedTask; });

    /// <summary>
    /// Resends a batch sent earlier with its own idempotency key (outside the buffer: it is not a new batch),
    /// after -WhatIf/-Confirm, like any batch.
    /// </summary>
    protected void ResendBatch(long[] ids, string idempotencyKey, string description)
    {
        if (!ShouldProcess($"{description} in {session.Environment} ({session.BaseUri})", ActionName)) return;
        queue.Start((unit, ct) => RunBatchAsync(unit, ids, ids.Cast<object>().ToArray(), ct, idempotencyKey));
    }

    /// <summary>The session's ledger (null with -NoLedger), for subclasses.</summary>
    private protected ReturnsHelper.Ledger.RecallLedger Ledger => session.Ledger;
    /// <summary>True when <paramref name="result"/> accounts for the submitted id (used to prove no id was dropped).</summary>
    protected abstract bool Covers(TResult result, long id);

    protected override void BeginProcessing()
    {
        session = ActiveSession; // fail fast, before any input, when there is no session
        if (MyInvocation.BoundParameters.ContainsKey(nameof(MaxWait)))
        {
            if (MaxWait <= TimeSpan.Zero || MaxWait > MaxWaitLimit)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"-MaxWait must be more than 0 and at most {MaxWaitLimit.TotalHours:0} hour, e.g. -MaxWait 00:00:01."), "RrInvalidMaxWait", ErrorCategory.InvalidArgument, MaxWait));
            maxWait = MaxWait;
        }
        queue = NewWorkQueue(EffectiveThrottleLimit);
        log = LogFor(queue);
        if (maxWait.HasValue && !MayPromptOrPreview()) maxWaitTimer = new Timer(_ => SendFromTimer(), null, Timeout.Infinite, Timeout.Infinite);
        quietInput = new QuietInput(maxWait);
    }

    /// <summary>Validates raw input items and queues the good ones; bad ones are per-item errors and never sent.</summary>
    protected void Accept(IEnumerable<object> items, bool fromParameter)
    {
        maxWaitTimer?.Change(Timeout.Infinite, Timeout.Infinite);
        Pump(queue, () =>
        {
            var list = items as IList<object> ?? items.ToList();
            if (fromParameter && list.Count > BatchSize) expectedTotal = (expectedTotal ?? 0) + list.Count;
            var afterSilence = maxWait.HasValue && quietInput.Arrived();
            queue.RunReady(); // what finished meanwhile (a batch the timer sent, say) is written first
            reader = reader ?? new InputIds(this, IdPropertyNames, IdName, skipRepeats: true);
            reader.ForEach(list, (id, input) =>
            {
                if (AnsweredWithoutRequest(id)) return;
                bool full, due;
                lock (gate)
                {
                    if (buffer.Count == 0) oldestBuffered.Restart();
                    buffer.Add(id);
                    bufferInputs.Add(input);
                    full = buffer.Count >= BatchSize;
                    due = maxWait.HasValue && oldestBuffered.Elapsed >= maxWait.Value;
                }
                if (full || due) SendBuffer();
            });
            if (afterSilence)
            {
                // A slow event stream: this input is acted on and reported before the producer runs again.
                SendBuffer();
                queue.RunAll();
            }
        }, finishInFlight: true);
        quietInput.Returned();
        ArmTimer();
    }

    protected override void EndProcessing()
    {
        maxWaitTimer?.Change(Timeout.Infinite, Timeout.Infinite);
        Pump(queue, () =>
        {
            SendBuffer();
            queue.RunAll();
        }, finishInFlight: true);
        if (batchNumber > 1 || expectedTotal.HasValue)
            WriteProgress(new ProgressRecord(1, ActionName, "Done") { RecordType = ProgressRecordType.Completed });
    }

    protected override void StopProcessing()
    {
        maxWaitTimer?.Change(Timeout.Infinite, Timeout.Infinite);
        base.StopProcessing();
    }

    public void Dispose() => maxWaitTimer?.Dispose();

    /// <summary>Pipeline thread: confirms the buffered ids as one batch and starts it (waiting for room in the window).</summary>
    private void SendBuffer()
    {
        long[] batch;
        object[] inputs;
        lock (gate)
        {
            if (buffer.Count == 0) return;
            batch = TakeBuffer(out inputs);
        }
        Interlocked.Increment(ref batchNumber);
        if (!ShouldProcess(DescribeBatch(batch), ActionName)) return;
        ReportProgress(batch.Length);
        Interlocked.Add(ref submittedCount, batch.Length);
        queue.Start((unit, ct) => RunBatchAsync(unit, batch, inputs, ct));
    }

    /// <summary>
    /// The -MaxWait timer, on a pool thread: sends the buffered ids once the oldest has waited long enough and a
    /// request slot is free. No PowerShell call here; the results are written by the pipeline thread later.
    /// </summary>
    private void SendFromTimer()
    {
        try { SendDueBatch(); }
        catch (ObjectDisposedException) { /* the command ended meanwhile: EndProcessing sends what is left */ }
    }

    private void SendDueBatch()
    {
        lock (gate)
        {
            if (buffer.Count == 0) return;
            var left = maxWait.Value - oldestBuffered.Elapsed;
            if (left > TimeSpan.Zero) { maxWaitTimer.Change(left, Timeout.InfiniteTimeSpan); return; }
            var batch = buffer.ToArray();
            var inputs = bufferInputs.ToArray();
            if (queue.TryStart((unit, ct) => RunBatchAsync(unit, batch, inputs, ct)) == null)
            {
                maxWaitTimer.Change(TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan); // every slot busy: soon again
                return;
            }
            TakeBuffer(out _);
            Interlocked.Increment(ref batchNumber);
            Interlocked.Add(ref submittedCount, batch.Length);
        }
    }

    private void ArmTimer()
    {
        if (maxWaitTimer == null) return;
        lock (gate)
            if (buffer.Count > 0)
                maxWaitTimer.Change(Max(TimeSpan.Zero, maxWait.Value - oldestBuffered.Elapsed), Timeout.InfiniteTimeSpan);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Empties the buffer (caller holds the gate): its ids, and the inputs they came from.</summary>
    private long[] TakeBuffer(out object[] inputs)
    {
        var batch = buffer.ToArray();
        inputs = bufferInputs.ToArray();
        buffer.Clear();
        bufferInputs.Clear();
        return batch;
    }

    /// <summary>
    /// One batch, on the thread pool: everything it reports is posted to the pipeline thread, in batch order, and
    /// every error about an id has the input the id came from (<paramref name="inputs"/>, parallel to the ids) as its target.
    /// </summary>
    private async Task RunBatchAsync(WorkUnit unit, long[] batch, object[] inputs, CancellationToken ct, string resendKey = null)
    {
        object InputOf(long id) => inputs[Array.IndexOf(batch, id)];
        try
        {
            await IdBatchRunner.RunAsync(
                batch,
                (ids, token) =>
                {
                    // Only the first logical write reuses an earlier key; a resubmission after rejections is a new write.
                    var key = resendKey;
                    resendKey = null;
                    return SubmitAsync(session, ids, key, log, token);
                },
                (ids, results) => unit.Post(() => WriteResults(ids, results, InputOf)),
                (id, error) => unit.Post(() => WriteApiError(error, InputOf(id), HowToCheckUnknownOutcome)),
                ct).ConfigureAwait(false);
        }
        catch (RrApiException e)
        {
            // Only bad credentials get here (IdBatchRunner turns everything else into per-id errors): terminating, in order.
            unit.Post(() => WriteApiError(e, batch));
        }
    }

    private void WriteResults(IReadOnlyList<long> submitted, IReadOnlyList<TResult> results, Func<long, object> inputOf)
    {
        foreach (var result in results) WriteObject(result);
        foreach (var id in submitted)
            if (!results.Any(r => Covers(r, id)))
                WriteApiError(ErrorMapper.MissingFromAnswer(id, $"The service accepted {IdNounSingular} {id}, but its answer does not mention it."),
                    inputOf(id), HowToCheckUnknownOutcome);
    }

    /// <summary>True when ShouldProcess may preview (-WhatIf) or ask (-Confirm, or a low $ConfirmPreference).</summary>
    private bool MayPromptOrPreview()
    {
        var bound = MyInvocation.BoundParameters;
        if (bound.TryGetValue("WhatIf", out var whatIf)) { if (((SwitchParameter)whatIf).IsPresent) return true; }
        else if (LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"))) return true;
        if (bound.TryGetValue("Confirm", out var confirm)) return ((SwitchParameter)confirm).IsPresent;
        return GetVariableValue("ConfirmPreference") is ConfirmImpact threshold && threshold != ConfirmImpact.None && threshold <= ConfirmImpact.Medium;
    }

    private string DescribeBatch(long[] batch)
    {
        const int shown = 10;
        var ids = string.Join(", ", batch.Take(shown)) + (batch.Length > shown ? $", ... (+{batch.Length - shown} more)" : "");
        return $"{batch.Length} {(batch.Length == 1 ? IdNounSingular : IdNoun)} ({ids}) in {session.Environment} ({session.BaseUri})";
    }

    private void ReportProgress(int batchLength)
    {
        if (batchNumber == 1 && !expectedTotal.HasValue) return; // quiet unless the input spans more than one batch
        var submitted = Interlocked.Read(ref submittedCount) + batchLength;
        var record = new ProgressRecord(1, ActionName, $"Batch {batchNumber}: {submitted} {IdNoun} submitted");
        if (expectedTotal.HasValue)
            record.PercentComplete = (int)Math.Min(100, 100 * submitted / Math.Max(1, expectedTotal.Value));
        WriteProgress(record);
    }
}
