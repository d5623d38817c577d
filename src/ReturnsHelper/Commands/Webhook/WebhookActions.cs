using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Commands;

/// <summary>
/// The built-in actions of Receive-RrWebhook's service mode. The per-event ones (hold, script) are safe to repeat
/// for one event (the processor runs an action again when a crash came before its outcome was recorded); the
/// recall goes in batches, exactly once. Other events than the ones an action is about count as processed with
/// nothing to do.
/// </summary>
internal static class WebhookActions
{
    /// <summary>Recalls the inventories of newInventoryCreated events in batches, exactly once (see <see cref="WebhookRecallAction"/>).</summary>
    public static IWebhookBatchAction Recall(RrSession session, IRrLog log, Action<object> write)
        => new WebhookRecallAction(session, log, write);

    /// <summary>Puts the inventory of each newInventoryCreated event on hold (handling code ohd), as Set-RrInventoryHandling does.</summary>
    public static Func<WebhookEvent, CancellationToken, Task> Hold(RrSession session, IRrLog log)
        => (e, ct) => e is NewInventoryCreatedEvent created && created.ReturnInventoryId > 0
            ? InventoryApi.UpdateHandlingAsync(session, created.ReturnInventoryId, "ohd", log, ct)
            : Task.CompletedTask;

    /// <summary>
    /// Runs <paramref name="script"/> for every event on the pipeline thread (script blocks must not run elsewhere),
    /// through <paramref name="post"/>, with the event as its argument and as $_; what it outputs is written.
    /// A terminating error fails the event (it is retried).
    /// </summary>
    public static Func<WebhookEvent, CancellationToken, Task> Script(ScriptBlock script, Action<Action> post, Action<object> write)
        => (e, ct) =>
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            // Once the command is stopped the pipeline thread may never run it: the wait ends with the command.
            var stopped = ct.Register(() => done.TrySetCanceled());
            _ = done.Task.ContinueWith(t => stopped.Dispose(), TaskScheduler.Default);
            post(() =>
            {
                try
                {
                    var input = WebhookCmdletSupport.ToOutput(e);
                    foreach (var output in script.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", input) }, input))
                        write(output);
                    done.TrySetResult(true);
                }
                catch (Exception x)
                {
                    done.TrySetException(x);
                }
            });
            return done.Task;
        };
}
