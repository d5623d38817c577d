using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;

namespace ReturnsHelper.Api;

/// <summary>Reference data (cached per session) and the cheap call that verifies credentials.</summary>
internal static class ReferenceApi
{
    public const string HandlingTypesKey = "handlings";
    public const string WarehousesKey = "warehouses";

    public static Task<IReadOnlyList<HandlingType>> GetHandlingTypesAsync(RrSession session, bool refresh, IRrLog log, CancellationToken ct)
        => GetCachedListAsync(session, HandlingTypesKey, RrRequest.Get("handling/getAllHandlings", api: RrApiKind.Public), "handlings", HandlingType.Parse, refresh, log, ct);

    public static Task<IReadOnlyList<Warehouse>> GetWarehousesAsync(RrSession session, bool refresh, IRrLog log, CancellationToken ct)
        => GetCachedListAsync(session, WarehousesKey, RrRequest.Get("warehouse/getAllWarehouse"), "warehouses", Warehouse.Parse, refresh, log, ct);

    /// <summary>Cached values only (possibly stale), for tab completion that must never wait on the network.</summary>
    public static IReadOnlyList<T> Cached<T>(RrSession session, string key) where T : class
        => session.GetCached<IReadOnlyList<T>>(key, allowStale: true);

    /// <summary>One cheap authenticated call; throws RrApiException (Unauthorized) when the credentials are wrong.</summary>
    public static async Task VerifyCredentialsAsync(RrSession session, IRrLog log, CancellationToken ct)
    {
        var request = RrRequest.Get("ApiBalance/GetApiBalance", new[]
        {
            new KeyValuePair<string, string>("pageSize", "1"),
            new KeyValuePair<string, string>("offset", "0"),
        });
        await session.Client.SendAsync(request, _ => true, log, ct).ConfigureAwait(false);
    }

    /// <summary>A reference list from the session's cache, else from the service (then cached).</summary>
    internal static async Task<IReadOnlyList<T>> GetCachedListAsync<T>(RrSession session, string key, RrRequest request, string listName,
        System.Func<System.Text.Json.JsonElement, T> parse, bool refresh, IRrLog log, CancellationToken ct) where T : class
    {
        if (!refresh)
        {
            var cached = session.GetCached<IReadOnlyList<T>>(key);
            if (cached != null) return cached;
        }
        var list = await session.Client.SendAsync<IReadOnlyList<T>>(request, response => response.PayloadArray(listName).Select(parse).ToList(), log, ct).ConfigureAwait(false);
        session.SetCached(key, list);
        return list;
    }
}
