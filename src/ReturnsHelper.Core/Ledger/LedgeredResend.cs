using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Ledger;

/// <summary>
/// The exactly-once path for resends (New-RrResend), on the same ledger as recalls: the batch and its exact
/// body are recorded before it is sent, the created resend before it is returned, a cancel when it is made.
/// </summary>
internal static class LedgeredResend
{
    public const string Operation = "resend";

    /// <summary>Sends a createResend body (new, or a pending batch's own body with its key).</summary>
    public static Task<Resend> CreateAsync(RrSession session, IReadOnlyList<long> ids, byte[] body, string idempotencyKey, IRrLog log, CancellationToken ct)
    {
        var key = idempotencyKey ?? RrRequest.NewIdempotencyKey();
        return LedgeredWrite.RunAsync(session.Ledger, key, ids, Operation, Encoding.UTF8.GetString(body),
            () => ResendApi.CreateAsync(session, body, key, log, ct),
            (ledger, resend) => ledger.Recorded(RecordOf(resend, cancelled: false), key),
            resend => $"the created resend {resend.ResendNumber}",
            log);
    }

    /// <summary>The body a pending resend batch was sent with.</summary>
    public static byte[] BodyOf(PendingBatch batch) => Encoding.UTF8.GetBytes(batch.Request ?? "");

    /// <summary>Cancels a resend and records it, so a rerun of New-RrResend sends its inventories again.</summary>
    public static async Task<Resend> CancelAsync(RrSession session, long resendId, IRrLog log, CancellationToken ct)
    {
        var resend = await ResendApi.CancelAsync(session, resendId, log, ct).ConfigureAwait(false);
        session.Ledger?.Recorded(RecordOf(resend, cancelled: true));
        return resend;
    }

    private static LedgerRecord RecordOf(Resend resend, bool cancelled) => new LedgerRecord
    {
        Operation = Operation,
        Id = resend.ResendId,
        Number = resend.ResendNumber,
        ReturnInventoryId = resend.ReturnInventoryIds.ToArray(),
        Cancelled = cancelled,
    };
}
