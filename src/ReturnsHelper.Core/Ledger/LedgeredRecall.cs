using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Ledger;

/// <summary>
/// The one exactly-once path for creating recalls (New-RrRecall and Receive-RrWebhook -RecallNewInventory):
/// with the session's ledger, the batch is recorded before it is sent (write-ahead) and the created recalls
/// before they are returned; resent with the same idempotency key, a batch creates nothing twice.
/// </summary>
internal static class LedgeredRecall
{
    public static Task<IReadOnlyList<Recall>> CreateAsync(RrSession session, IReadOnlyList<long> ids, string idempotencyKey, IRrLog log, CancellationToken ct)
    {
        var key = idempotencyKey ?? RrRequest.NewIdempotencyKey();
        return LedgeredWrite.RunAsync(session.Ledger, key, ids, null, null,
            () => RecallApi.CreateAsync(session, ids, key, log, ct),
            (ledger, recalls) => ledger.RecallsCreated(key, recalls),
            recalls => $"{recalls.Count} created recall(s) ({string.Join(", ", recalls.Select(r => r.RecallNumber))})",
            log);
    }
}
