using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;
using ReturnsHelper.Json;

namespace ReturnsHelper.Api;

/// <summary>Value-added services (API notes 4.5, 4.11): the services, a request per inventory, the requests of an inventory.</summary>
internal static class VasApi
{
    public const string VasTypesKey = "vasList";

    /// <summary>Public vas/getAllVas, cached per session like the other reference lists.</summary>
    public static Task<IReadOnlyList<VasType>> GetVasTypesAsync(RrSession session, bool refresh, IRrLog log, CancellationToken ct)
        => ReferenceApi.GetCachedListAsync(session, VasTypesKey, RrRequest.Get("vas/getAllVas", api: RrApiKind.Public), "vasList", VasType.Parse, refresh, log, ct);

    /// <summary>
    /// Vas/CreateByReturnInventoryId for one inventory: one logical write with its own idempotency key (every retry
    /// of it sends the same key, so the service creates the requests once). The quantity goes with the services
    /// that take one; <paramref name="note"/> with each service. Answers with the requests created.
    /// </summary>
    public static async Task<IReadOnlyList<Vas>> CreateAsync(RrSession session, long returnInventoryId, IReadOnlyList<string> codes, int? quantity,
        string note, IRrLog log, CancellationToken ct)
    {
        var body = JsonBody.Write(w =>
        {
            w.WriteStartArray("createVasList");
            w.WriteStartObject();
            // Documented as a string that parses to a long.
            w.WriteString("returnInventoryId", returnInventoryId.ToString(CultureInfo.InvariantCulture));
            w.WriteStartArray("createVasDetailList");
            foreach (var code in codes)
            {
                w.WriteStartObject();
                w.WriteString("vasCode", code);
                if (quantity.HasValue && VasRules.RequiresQuantity(code)) w.WriteNumber("metaQuantity", quantity.Value);
                if (!string.IsNullOrEmpty(note)) w.WriteString("notes", note);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        var environment = session.Environment.ToString();
        return await session.Client.SendAsync<IReadOnlyList<Vas>>(RrRequest.Write("Vas/CreateByReturnInventoryId", body), response =>
            response.PayloadArray("data")
                .SelectMany(entry => JsonRead.Array(entry, "createVasDetailList")
                    .Select(detail => Vas.Parse(detail, JsonRead.Long(entry, "returnInventoryId") ?? returnInventoryId, null, environment)))
                .ToList(), log, ct).ConfigureAwait(false);
    }

    /// <summary>The VAS requests of an inventory, oldest first, from GetReturnInventory (the API has no other VAS lookup).</summary>
    public static async Task<IReadOnlyList<Vas>> ListAsync(RrSession session, long returnInventoryId, IRrLog log, CancellationToken ct)
    {
        var request = InventoryApi.GetRequest(returnInventoryId);
        var environment = session.Environment.ToString();
        return await session.Client.SendAsync<IReadOnlyList<Vas>>(request, response =>
        {
            var record = response.PayloadObject();
            var rma = JsonRead.String(record, "rma") ?? JsonRead.String(record, "itemRma");
            return JsonRead.Array(record, "returnRequestLineItemVasList").Select(v => Vas.Parse(v, returnInventoryId, rma, environment)).ToList();
        }, log, ct).ConfigureAwait(false);
    }
}
