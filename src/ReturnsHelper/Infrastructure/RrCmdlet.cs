using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Base of every cmdlet that calls the service: runs async work while pumping its -Verbose/-Debug
    /// messages and results onto the pipeline thread, and cancels everything at once on Ctrl+C.
    /// </summary>
    public abstract class RrCmdlet : PSCmdlet
    {
        readonly CancellationTokenSource stopping = new CancellationTokenSource();
        PipelineWork current;
        bool? verboseShown, debugShown;

        protected override void StopProcessing() => stopping.Cancel();

        /// <summary>
        /// Work running on the thread pool whose log lines and results are queued for the pipeline thread
        /// (WriteObject and friends are only legal there). <see cref="Drain"/> executes them.
        /// </summary>
        protected sealed class PipelineWork
        {
            readonly BlockingCollection<Action> queue = new BlockingCollection<Action>();
            internal Task Task;
            public IRrLog Log { get; internal set; }
            /// <summary>Queues an action for the pipeline thread; callable from any thread.</summary>
            public void Post(Action action) => queue.Add(action);
            internal void Complete() => queue.CompleteAdding();
            internal bool TryTake(out Action action) => queue.TryTake(out action);
            internal System.Collections.Generic.IEnumerable<Action> Consume() => queue.GetConsumingEnumerable();
        }

        /// <summary>Starts <paramref name="work"/> on the thread pool; Ctrl+C cancels its token.</summary>
        protected PipelineWork StartWork(Func<PipelineWork, CancellationToken, Task> work)
        {
            var started = new PipelineWork();
            CaptureStreamPreferences();
            started.Log = new PipelineLog(started, this, verboseShown.Value, debugShown.Value);
            started.Task = Task.Run(() => work(started, stopping.Token));
            started.Task.ContinueWith(_ => started.Complete(), TaskScheduler.Default);
            return started;
        }

        /// <summary>
        /// Executes what <paramref name="work"/> has posted, on the pipeline thread: everything so far, or with
        /// <paramref name="untilDone"/> everything until it ends (then its failure, if any, is rethrown).
        /// </summary>
        protected void Drain(PipelineWork work, bool untilDone)
        {
            try
            {
                if (untilDone)
                {
                    foreach (var action in work.Consume()) action();
                    work.Task.GetAwaiter().GetResult();
                }
                else
                {
                    while (work.TryTake(out var action)) action();
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception) when (!work.Task.IsCompleted)
            {
                // A downstream stop (Select-Object -First) or a terminating error: do not leave the work running.
                stopping.Cancel();
                throw;
            }
        }

        /// <summary>
        /// Runs <paramref name="work"/> on the thread pool and blocks the pipeline thread until it ends,
        /// executing everything it <see cref="Post"/>s (log lines, results, errors) as it arrives.
        /// </summary>
        protected T Await<T>(Func<IRrLog, CancellationToken, Task<T>> work)
        {
            var result = default(T);
            var started = StartWork(async (self, ct) => result = await work(self.Log, ct).ConfigureAwait(false));
            var previous = current;
            current = started;
            try
            {
                Drain(started, untilDone: true);
                return result;
            }
            finally
            {
                current = previous;
            }
        }

        protected void Await(Func<IRrLog, CancellationToken, Task> work)
            => Await<bool>(async (log, ct) => { await work(log, ct).ConfigureAwait(false); return true; });

        /// <summary>Queues an action for the pipeline thread from inside <see cref="Await{T}"/>.</summary>
        protected void Post(Action action)
            => (current ?? throw new InvalidOperationException("Post is only valid inside Await.")).Post(action);

        /// <summary>A failure that stops the whole command (bad credentials, no session) is terminating; others are per item.</summary>
        protected void WriteApiError(Exception error, object target)
        {
            var record = ErrorMapper.ToRecord(error, target);
            if (error is RrApiException api && api.Kind == RrErrorKind.Unauthorized) ThrowTerminatingError(record);
            WriteError(record);
        }

        /// <summary>
        /// Reads once, on the pipeline thread, whether -Verbose/-Debug output would be shown (queueing lines nobody
        /// sees costs time per request). A cmdlet that starts work from another thread calls this first.
        /// </summary>
        protected void CaptureStreamPreferences()
        {
            verboseShown = verboseShown ?? IsStreamEnabled("Verbose");
            debugShown = debugShown ?? IsStreamEnabled("Debug");
        }

        bool IsStreamEnabled(string stream)
        {
            if (MyInvocation.BoundParameters.TryGetValue(stream, out var bound)) return ((SwitchParameter)bound).IsPresent;
            return GetVariableValue(stream + "Preference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
        }

        sealed class PipelineLog : IRrLog
        {
            readonly PipelineWork work;
            readonly RrCmdlet owner;
            readonly bool verbose;
            public PipelineLog(PipelineWork work, RrCmdlet owner, bool verbose, bool debug) { this.work = work; this.owner = owner; this.verbose = verbose; IsDebugEnabled = debug; }
            public bool IsDebugEnabled { get; }
            public void Verbose(string message) { if (verbose) work.Post(() => owner.WriteVerbose(message)); }
            public void Debug(string message) { if (IsDebugEnabled) work.Post(() => owner.WriteDebug(message)); }
        }
    }

    /// <summary>Base of every API cmdlet: the session comes from -Session, else the runspace default.</summary>
    public abstract class RrApiCmdlet : RrCmdlet
    {
        /// <summary>The session to use. Defaults to the session Connect-RrService made the default for this runspace.</summary>
        [Parameter]
        [ValidateNotNull]
        public RrSession Session { get; set; }

        RrSession resolved;

        /// <summary>The session for this invocation; a terminating error when there is none.</summary>
        protected RrSession ActiveSession
        {
            get
            {
                if (resolved != null) return resolved;
                var session = Session ?? SessionStore.Current;
                if (session == null)
                    ThrowTerminatingError(new ErrorRecord(
                        new InvalidOperationException("There is no Return Helper session. Run Connect-RrService first, or pass -Session."),
                        "RrNoSession", ErrorCategory.ConnectionError, null));
                if (session.IsDisposed)
                    ThrowTerminatingError(new ErrorRecord(
                        new ObjectDisposedException(nameof(RrSession), "This Return Helper session was disconnected. Run Connect-RrService again."),
                        "RrSessionDisconnected", ErrorCategory.ConnectionError, session));
                return resolved = session;
            }
        }

    }
}
