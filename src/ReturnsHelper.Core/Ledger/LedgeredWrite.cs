using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using ReturnsHelper.Http;

namespace ReturnsHelper.Ledger;

/// <summary>
/// The write-ahead pattern every exactly-once create shares (recalls, resends): with the session's ledger, the
/// batch is recorded before it is sent and what it created before it is returned; a definitive refusal closes
/// the batch. Resent with the same idempotency key, a batch creates nothing twice.
/// </summary>
internal static class LedgeredWrite
{
    /// <param name="operation">Null for a recall, else the operation's name (kept with the pending batch).</param>
    /// <param name="request">The exact body of a non-recall batch (kept to resend it unchanged).</param>
    /// <param name="recordCreated">Appends what was created to the ledger.</param>
    /// <param name="describe">What was created, for the warning when the ledger cannot record it.</param>
    public static async Task<T> RunAsync<T>(RecallLedger ledger, string idempotencyKey, IReadOnlyList<long> ids, string operation, string request,
        Func<Task<T>> send, Action<RecallLedger, T> recordCreated, Func<T, string> describe, IRrLog log)
    {
        ledger?.BatchPending(idempotencyKey, ids, operation, request); // a crash from here on leaves a batch to resolve, never an unknown write
        T created;
        try
        {
            created = await send().ConfigureAwait(false);
        }
        catch (RrApiException e) when (ledger != null && e.IsDefinitiveRefusal)
        {
            ledger.BatchRejected(idempotencyKey, ids, e.Message); // the service answered: nothing was created under this key
            throw;
        }
        if (ledger != null)
        {
            try
            {
                recordCreated(ledger, created); // durable before visible: before anything reaches the pipeline
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                // It exists: still returned (never lost), with a loud warning that the ledger missed it.
                log.Warning($"The ledger {ledger.Path} could not record {describe(created)}: {e.Message} Keep this output.");
            }
        }
        return created;
    }
}
