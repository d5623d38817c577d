using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;
using ReturnsHelper.Json;

namespace ReturnsHelper.Api;

/// <summary>The recall endpoints (API notes 4.7). Each call is one logical write with its own idempotency key.</summary>
internal static class RecallApi
{
    /// <summary>The service's per-request cap on inventories.</summary>
    public const int MaxBatchSize = 100;

    public static Task<IReadOnlyList<Recall>> CreateAsync(RrSession session, IReadOnlyList<long> returnInventoryIds, IRrLog log, CancellationToken ct)
        => CreateAsync(session, returnInventoryIds, RrRequest.NewIdempotencyKey(), log, ct);

    /// <summary>A create with a given idempotency key: the key recorded in the ledger before sending, reused to resolve the batch later.</summary>
    public static Task<IReadOnlyList<Recall>> CreateAsync(RrSession session, IReadOnlyList<long> returnInventoryIds, string idempotencyKey, IRrLog log, CancellationToken ct)
        => SendAsync(session, "Recall/createRecallByReturnInventoryId", "returnInventoryIdList", returnInventoryIds, log, ct, idempotencyKey);

    public static Task<IReadOnlyList<Recall>> CancelAsync(RrSession session, IReadOnlyList<long> recallIds, IRrLog log, CancellationToken ct)
        => SendAsync(session, "Recall/cancelRecall", "recallIdList", recallIds, log, ct);

    public static Task<IReadOnlyList<Recall>> CancelByInventoryAsync(RrSession session, IReadOnlyList<long> returnInventoryIds, IRrLog log, CancellationToken ct)
        => SendAsync(session, "Recall/cancelRecallByReturnInventoryId", "returnInventoryIdList", returnInventoryIds, log, ct);

    private static async Task<IReadOnlyList<Recall>> SendAsync(RrSession session, string path, string listName, IReadOnlyList<long> ids, IRrLog log, CancellationToken ct, string idempotencyKey = null)
    {
        var request = RrRequest.Write(path, JsonBody.IdList(listName, ids), idempotencyKey ?? RrRequest.NewIdempotencyKey());
        return await session.Client.SendAsync<IReadOnlyList<Recall>>(request, response =>
        {
            if (!response.HasPayloadArray("recallList"))
                throw new RrApiException(RrErrorKind.InvalidResponse, $"{request} succeeded but its answer has no recallList.",
                    request.Method, request.Path, response.HttpStatus, correlationId: response.CorrelationId);
            return Recall.ParseList(response, session.Environment.ToString()).ToList();
        }, log, ct).ConfigureAwait(false);
    }
}
