using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;
using ReturnsHelper.Ledger;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// The built-in actions of Receive-RrWebhook's service mode, each safe to repeat for one event (the processor
    /// runs an action again when a crash came before its outcome was recorded). Other events than the ones an
    /// action is about count as processed with nothing to do.
    /// </summary>
    internal static class WebhookActions
    {
        /// <summary>
        /// Recalls the inventory of each newInventoryCreated event through New-RrRecall's exactly-once path: the
        /// ledger's write-ahead, and an idempotency key derived from the event, so a retry never recalls twice.
        /// </summary>
        public static Func<WebhookEvent, CancellationToken, Task> Recall(RrSession session, IRrLog log, Action<object> write)
        {
            CompactLedger(session, log); // what earlier runs left superseded
            var sinceCompaction = 0;
            return async (e, ct) =>
            {
                if (!(e is NewInventoryCreatedEvent created) || created.ReturnInventoryId <= 0) return;
                try
                {
                    var recalls = await LedgeredRecall.CreateAsync(session, new[] { created.ReturnInventoryId }, WebhookProcessor.IdempotencyKeyFor(e, "recall"), log, ct).ConfigureAwait(false);
                    foreach (var recall in recalls) write(recall);
                    // Each recall supersedes its write-ahead line: like New-RrRecall at its end, a long run compacts
                    // the ledger when that is worth it, checked every so many recalls (a check reads the whole ledger).
                    if (++sinceCompaction >= LedgerCheckEvery)
                    {
                        sinceCompaction = 0;
                        CompactLedger(session, log);
                    }
                }
                catch (RrApiException x) when (x.Reason == RrErrorReason.AlreadyRecalled)
                {
                    // Done already (by an earlier attempt whose answer was lost, or by hand): recalling again would be wrong.
                    log.Verbose($"Inventory {created.ReturnInventoryId} of event {e.DedupeKey} is already recalled{(x.ExistingRecallNumber == null ? "" : " in " + x.ExistingRecallNumber)}: nothing to do.");
                }
            };
        }

        /// <summary>Recalls between two checks of whether the ledger is worth compacting.</summary>
        const int LedgerCheckEvery = 1000;

        static void CompactLedger(RrSession session, IRrLog log)
        {
            var ledger = session.Ledger;
            if (ledger == null) return;
            try
            {
                if (ledger.CompactIfWorthIt()) log.Verbose($"Compacted the recall ledger {ledger.Path}.");
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                log.Verbose($"The recall ledger {ledger.Path} was not compacted this time: {e.Message}");
            }
        }

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
}
