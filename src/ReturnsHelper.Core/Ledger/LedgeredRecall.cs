using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Ledger
{
    /// <summary>
    /// The one exactly-once path for creating recalls (New-RrRecall and Receive-RrWebhook -RecallNewInventory):
    /// with the session's ledger, the batch is recorded before it is sent (write-ahead) and the created recalls
    /// before they are returned; resent with the same idempotency key, a batch creates nothing twice.
    /// </summary>
    internal static class LedgeredRecall
    {
        public static async Task<IReadOnlyList<Recall>> CreateAsync(RrSession session, IReadOnlyList<long> ids, string idempotencyKey, IRrLog log, CancellationToken ct)
        {
            var key = idempotencyKey ?? RrRequest.NewIdempotencyKey();
            var ledger = session.Ledger;
            ledger?.BatchPending(key, ids); // write-ahead: a crash from here on leaves a batch to resolve, never an unknown recall
            IReadOnlyList<Recall> recalls;
            try
            {
                recalls = await RecallApi.CreateAsync(session, ids, key, log, ct).ConfigureAwait(false);
            }
            catch (RrApiException e) when (ledger != null && e.IsDefinitiveRefusal)
            {
                ledger.BatchRejected(key, ids, e.Message); // the service answered: nothing was created under this key
                throw;
            }
            if (ledger != null)
            {
                try
                {
                    ledger.RecallsCreated(key, recalls); // durable before visible: before anything reaches the pipeline
                }
                catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
                {
                    // The recalls exist: they are still returned (never lost), with a loud warning that the ledger missed them.
                    log.Warning($"The recall ledger {ledger.Path} could not record {recalls.Count} created recall(s) ({string.Join(", ", recalls.Select(r => r.RecallNumber))}): {e.Message} Keep this output.");
                }
            }
            return recalls;
        }
    }
}
