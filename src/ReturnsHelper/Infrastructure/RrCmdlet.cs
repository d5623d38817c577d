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
        BlockingCollection<Action> pipelineQueue;


        protected override void StopProcessing() => stopping.Cancel();

        /// <summary>
        /// Runs <paramref name="work"/> on the thread pool and blocks the pipeline thread until it ends,
        /// executing everything it <see cref="Post"/>s (log lines, results, errors) on the pipeline thread
        /// as it arrives. Ctrl+C cancels the work and stops the pipeline.
        /// </summary>
        protected T Await<T>(Func<IRrLog, CancellationToken, Task<T>> work)
        {
            var queue = new BlockingCollection<Action>();
            var previous = pipelineQueue;
            pipelineQueue = queue;
            var log = new PipelineLog(this, IsDebugEnabled());
            var task = Task.Run(() => work(log, stopping.Token));
            task.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
            try
            {
                foreach (var action in queue.GetConsumingEnumerable()) action();
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception) when (!task.IsCompleted)
            {
                // A downstream stop (Select-Object -First) or a terminating error: do not leave the work running.
                stopping.Cancel();
                throw;
            }
            finally
            {
                pipelineQueue = previous;
            }
        }

        protected void Await(Func<IRrLog, CancellationToken, Task> work)
            => Await<bool>(async (log, ct) => { await work(log, ct).ConfigureAwait(false); return true; });

        /// <summary>Queues an action for the pipeline thread (WriteObject and friends are only legal there).</summary>
        protected void Post(Action action)
        {
            var queue = pipelineQueue ?? throw new InvalidOperationException("Post is only valid inside Await.");
            queue.Add(action);
        }

        /// <summary>A failure that stops the whole command (bad credentials, no session) is terminating; others are per item.</summary>
        protected void WriteApiError(Exception error, object target)
        {
            var record = ErrorMapper.ToRecord(error, target);
            if (error is RrApiException api && api.Kind == RrErrorKind.Unauthorized) ThrowTerminatingError(record);
            WriteError(record);
        }

        bool IsDebugEnabled()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Debug", out var debug)) return ((SwitchParameter)debug).IsPresent;
            return GetVariableValue("DebugPreference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue;
        }

        sealed class PipelineLog : IRrLog
        {
            readonly RrCmdlet owner;
            public PipelineLog(RrCmdlet owner, bool debug) { this.owner = owner; IsDebugEnabled = debug; }
            public bool IsDebugEnabled { get; }
            public void Verbose(string message) => owner.Post(() => owner.WriteVerbose(message));
            public void Debug(string message) { if (IsDebugEnabled) owner.Post(() => owner.WriteDebug(message)); }
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
