using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Batching;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Base of every cmdlet that calls the service: runs async work on the one concurrency engine
/// (<see cref="OrderedWorkQueue"/>), executes its -Verbose/-Debug lines and results on the pipeline thread,
/// and cancels everything at once on Ctrl+C.
/// </summary>
public abstract class RrCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource stopping = new CancellationTokenSource();
    private volatile WorkUnit current;
    private bool? verboseShown, debugShown;

    protected override void StopProcessing() => stopping.Cancel();

    /// <summary>A work queue whose units share this command's Ctrl+C token.</summary>
    private protected OrderedWorkQueue NewWorkQueue(int throttleLimit) => new OrderedWorkQueue(throttleLimit, stopping.Token);

    /// <summary>The -Verbose/-Debug sink for work in <paramref name="queue"/>: lines reach the pipeline thread as soon as it looks.</summary>
    private protected IRrLog LogFor(OrderedWorkQueue queue)
    {
        CaptureStreamPreferences();
        return new PipelineLog(queue, this, verboseShown.Value, debugShown.Value);
    }

    /// <summary>
    /// Runs one consumer step of <paramref name="queue"/> (Start, RunReady, RunAll) on the pipeline thread. Ctrl+C
    /// becomes PipelineStoppedException. Any other failure (a terminating error, a downstream stop) with units
    /// still in flight: <paramref name="finishInFlight"/> (writes) waits for them and writes what they did as far
    /// as the pipeline still accepts it, since a write already sent may have happened; otherwise (reads) they are
    /// cancelled. Then the failure goes on.
    /// </summary>
    private protected void Pump(OrderedWorkQueue queue, Action step, bool finishInFlight)
    {
        try
        {
            step();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception) when (queue.Count > 0)
        {
            if (finishInFlight && !stopping.IsCancellationRequested)
            {
                try { queue.RunAllBestEffort(); }
                catch (OperationCanceledException) { /* Ctrl+C while finishing: stop now */ }
            }
            stopping.Cancel();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and blocks the pipeline thread until it ends,
    /// executing everything it <see cref="Post"/>s (log lines, results, errors) as it arrives.
    /// </summary>
    private protected T Await<T>(Func<IRrLog, CancellationToken, Task<T>> work)
    {
        var result = default(T);
        var queue = NewWorkQueue(1);
        var log = LogFor(queue);
        var previous = current;
        try
        {
            Pump(queue, () =>
            {
                // The unit is bound by the work itself, before anything of it runs: the thread pool may run the work
                // (and its first Post) before Start has even returned to this thread.
                queue.Start(async (unit, ct) =>
                {
                    current = unit;
                    result = await work(log, ct).ConfigureAwait(false);
                });
                queue.RunAll();
            }, finishInFlight: false);
            return result;
        }
        finally
        {
            current = previous;
        }
    }

    private protected void Await(Func<IRrLog, CancellationToken, Task> work)
        => Await<bool>(async (log, ct) => { await work(log, ct).ConfigureAwait(false); return true; });

    /// <summary>Queues an action for the pipeline thread from inside <see cref="Await{T}"/>; callable from any thread.</summary>
    protected void Post(Action action)
        => (current ?? throw new InvalidOperationException("Post is only valid inside Await.")).Post(action);

    /// <summary>A failure that stops the whole command (bad credentials, no session) is terminating; others are per item.</summary>
    protected void WriteApiError(Exception error, object target, string howToCheckUnknownOutcome = null)
    {
        var record = ErrorMapper.ToRecord(error, target, howToCheckUnknownOutcome);
        if (error is RrApiException api && api.Kind == RrErrorKind.Unauthorized) ThrowTerminatingError(record);
        WriteError(record);
    }

    /// <summary>
    /// Reads once, on the pipeline thread, whether -Verbose/-Debug output would be shown (queueing lines nobody
    /// sees costs time per request).
    /// </summary>
    protected void CaptureStreamPreferences()
    {
        verboseShown = verboseShown ?? IsStreamEnabled("Verbose");
        debugShown = debugShown ?? IsStreamEnabled("Debug");
    }

    private bool IsStreamEnabled(string stream)
    {
        if (MyInvocation.BoundParameters.TryGetValue(stream, out var bound)) return ((SwitchParameter)bound).IsPresent;
        return GetVariableValue(stream + "Preference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
    }

    private sealed class PipelineLog : IRrLog
    {
        private readonly OrderedWorkQueue queue;
        private readonly RrCmdlet owner;
        private readonly bool verbose;
        public PipelineLog(OrderedWorkQueue queue, RrCmdlet owner, bool verbose, bool debug) { this.queue = queue; this.owner = owner; this.verbose = verbose; IsDebugEnabled = debug; }
        public bool IsDebugEnabled { get; }
        public void Verbose(string message) { if (verbose) queue.PostNow(() => owner.WriteVerbose(message)); }
        public void Debug(string message) { if (IsDebugEnabled) queue.PostNow(() => owner.WriteDebug(message)); }
        public void Warning(string message) => queue.PostNow(() => owner.WriteWarning(message));
    }
}

/// <summary>Base of every API cmdlet: the session comes from -Session, else the runspace default.</summary>
public abstract class RrApiCmdlet : RrCmdlet
{
    /// <summary>The session to use. Defaults to the session Connect-RrService made the default for this runspace.</summary>
    [Parameter]
    [ValidateNotNull]
    public RrSession Session { get; set; }

    private RrSession resolved;

    /// <summary>The session for this invocation; a terminating error when there is none.</summary>
    protected RrSession ActiveSession
    {
        get
        {
            if (resolved != null) return resolved;
            var session = Session ?? SessionStore.Current(SessionState);
            if (session == null)
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException("There is no Return Helper session. Run Connect-RrService first, or pass -Session."),
                    "RrNoSession", ErrorCategory.ConnectionError, null));
            if (session.IsDisposed)
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException("This Return Helper session was disconnected. Run Connect-RrService again."),
                    "RrSessionDisconnected", ErrorCategory.ConnectionError, session));
            return resolved = session;
        }
    }

    /// <summary>
    /// The ledger folded into its state. An unreadable ledger stops the command; damaged lines (a crash while
    /// writing, an edit) are skipped with a warning.
    /// </summary>
    private protected Ledger.LedgerState ReadLedger(Ledger.RecallLedger ledger)
    {
        try
        {
            var state = ledger.Read();
            if (state.DamagedLines > 0)
                WriteWarning($"The recall ledger {ledger.Path} has {state.DamagedLines} damaged line(s) (a crash while writing, or an edit); they were skipped.");
            return state;
        }
        catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(new System.IO.IOException($"Cannot read the recall ledger {ledger.Path}: {e.Message}", e),
                "RrLedgerUnreadable", ErrorCategory.ReadError, ledger.Path));
            return null;
        }
    }
}

/// <summary>Base of every cmdlet that may send many requests: they run concurrently, up to -ThrottleLimit at once.</summary>
public abstract class RrBulkCmdlet : RrApiCmdlet
{
    /// <summary>How many requests may be in flight at once, 1 (strictly sequential) to 16; default: the session's (4 unless Connect-RrService -ThrottleLimit said otherwise).</summary>
    [Parameter]
    [ValidateRange(1, RrSession.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; }

    /// <summary>-ThrottleLimit when given, else the session's default.</summary>
    protected int EffectiveThrottleLimit
        => MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)) ? ThrottleLimit : ActiveSession.ThrottleLimit;
}
