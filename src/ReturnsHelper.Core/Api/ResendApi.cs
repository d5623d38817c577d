using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;
using ReturnsHelper.Json;

namespace ReturnsHelper.Api;

/// <summary>The resend endpoints and the resend service types and fees (API notes 4.2, 4.6).</summary>
internal static class ResendApi
{
    /// <summary>
    /// The inventories one resend may hold. The docs call <c>ResendConfig.groupResendMaxRmaCount</c> "typically
    /// single-digit"; the emulator uses 5. New-RrResend -GroupSize lowers it for an account configured lower.
    /// </summary>
    public const int MaxGroupSize = 5;

    public const string ServiceTypesKey = "resendServiceTypes";

    /// <summary>
    /// The createResend body, written once: the ledger keeps these exact bytes so a batch resent with its
    /// idempotency key is the same request (the service answers a different body under a used key with a 409).
    /// </summary>
    public static byte[] CreateBody(IReadOnlyList<long> returnInventoryIds, string serviceType, ResendAddress address, string description, string remarks)
        => JsonBody.Write(w =>
        {
            w.WriteStartArray("returnInventoryIdList");
            foreach (var id in returnInventoryIds) w.WriteNumberValue(id);
            w.WriteEndArray();
            if (!string.IsNullOrEmpty(description)) w.WriteString("description", description);
            if (!string.IsNullOrEmpty(remarks)) w.WriteString("remarks", remarks);
            w.WriteStartObject("resendShipment");
            w.WriteString("shipmentServiceType", serviceType);
            address.WriteTo(w);
            w.WriteEndObject();
        });

    /// <summary>The same createResend body for other ids (what is left of a group after the service refused some).</summary>
    public static byte[] WithIds(byte[] body, IReadOnlyList<long> returnInventoryIds)
    {
        using (var document = JsonDocument.Parse(body))
            return JsonBody.Write(w =>
            {
                w.WriteStartArray("returnInventoryIdList");
                foreach (var id in returnInventoryIds) w.WriteNumberValue(id);
                w.WriteEndArray();
                foreach (var member in document.RootElement.EnumerateObject())
                    if (!member.NameEquals("returnInventoryIdList")) member.WriteTo(w);
            });
    }

    /// <summary>
    /// Creates one resend from a <see cref="CreateBody"/>. The answer has only its ids and number, so the resend
    /// is described from the body (inventories, service type, address) as pending.
    /// </summary>
    public static async Task<Resend> CreateAsync(RrSession session, byte[] body, string idempotencyKey, IRrLog log, CancellationToken ct)
    {
        var request = RrRequest.Write("Resend/createResend", body, idempotencyKey);
        return await session.Client.SendAsync(request, response =>
        {
            var answer = response.PayloadObject();
            var resendId = JsonRead.Long(answer, "resendId");
            if (!resendId.HasValue)
                throw new RrApiException(RrErrorKind.InvalidResponse, $"{request} succeeded but its answer has no resendId.",
                    request.Method, request.Path, response.HttpStatus, correlationId: response.CorrelationId);
            using (var sent = JsonDocument.Parse(body))
            {
                var root = sent.RootElement;
                var shipmentSent = root.GetProperty("resendShipment");
                var shipment = ResendShipment.Parse(shipmentSent);
                shipment.ResendShipmentId = JsonRead.Long(answer, "resendShipmentId") ?? 0;
                shipment.ResendId = resendId;
                return new Resend
                {
                    ResendId = resendId.Value,
                    ResendNumber = JsonRead.String(answer, "resendNumber"),
                    ResendStatusCode = "pending",
                    ReturnInventoryIds = new InventoryIdList(JsonRead.Array(root, "returnInventoryIdList").Select(e => e.GetInt64()).ToArray()),
                    Description = JsonRead.String(root, "description"),
                    Remarks = JsonRead.String(root, "remarks"),
                    ResendShipmentList = new ResendShipmentCollection(new[] { shipment }),
                    Environment = session.Environment.ToString(),
                };
            }
        }, log, ct).ConfigureAwait(false);
    }

    public static Task<Resend> GetAsync(RrSession session, long resendId, IRrLog log, CancellationToken ct)
    {
        var request = RrRequest.Get("resend/getResend", new[] { Pair("resendId", resendId.ToString(CultureInfo.InvariantCulture)) });
        return session.Client.SendAsync(request, response =>
        {
            var body = response.PayloadObject();
            return Resend.Parse(body, body, session.Environment.ToString());
        }, log, ct);
    }

    /// <summary>Cancels a pending resend; the answer lists its shipments, so the resend is read again for the rest.</summary>
    public static async Task<Resend> CancelAsync(RrSession session, long resendId, IRrLog log, CancellationToken ct)
    {
        var request = RrRequest.Write("Resend/cancelResend", JsonBody.Write(w => w.WriteNumber("resendId", resendId)));
        await session.Client.SendAsync(request, _ => true, log, ct).ConfigureAwait(false);
        return await GetAsync(session, resendId, log, ct).ConfigureAwait(false);
    }

    /// <summary>Every warehouse's resend service types (cached per session, like the other reference lists).</summary>
    public static async Task<IReadOnlyList<ResendServiceType>> GetServiceTypesAsync(RrSession session, bool refresh, IRrLog log, CancellationToken ct)
    {
        if (!refresh)
        {
            var cached = session.GetCached<IReadOnlyList<ResendServiceType>>(ServiceTypesKey);
            if (cached != null) return cached;
        }
        var all = new List<ResendServiceType>();
        foreach (var warehouse in await ReferenceApi.GetWarehousesAsync(session, refresh, log, ct).ConfigureAwait(false))
        {
            var request = RrRequest.Get("Shipment/getAvailableShipmentServiceType",
                new[] { Pair("warehouseId", warehouse.WarehouseId.ToString(CultureInfo.InvariantCulture)) });
            all.AddRange(await session.Client.SendAsync<IReadOnlyList<ResendServiceType>>(request,
                response => response.PayloadArray("data").Select(e => ResendServiceType.Parse(e, warehouse.WarehouseId)).ToList(), log, ct).ConfigureAwait(false));
        }
        session.SetCached(ServiceTypesKey, (IReadOnlyList<ResendServiceType>)all);
        return all;
    }

    /// <summary>The fee of each service type for these inventories (one warehouse) to the destination, cheapest first.</summary>
    public static Task<IReadOnlyList<ResendQuote>> QuoteAsync(RrSession session, IReadOnlyList<long> returnInventoryIds, string toCountryCode, string toPostalCode, IRrLog log, CancellationToken ct)
    {
        // A List<long> query parameter is the key repeated, as ASP.NET Core binds it.
        var query = returnInventoryIds.Select(id => Pair("returnInventoryIdList", id.ToString(CultureInfo.InvariantCulture))).ToList();
        query.Add(Pair("toCountryCode", toCountryCode.Trim().ToLowerInvariant()));
        query.Add(Pair("toPostalCode", toPostalCode.Trim()));
        var request = RrRequest.Get("Resend/getShippingFeeListByToShippingOption", query);
        return session.Client.SendAsync<IReadOnlyList<ResendQuote>>(request, response =>
            response.PayloadArray("shippingFeeDetailList").Select(e => ResendQuote.Parse(e, returnInventoryIds.ToArray(), toPostalCode.Trim()))
                .OrderBy(q => q.Fee ?? decimal.MaxValue).ToList(), log, ct);
    }

    private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);
}

/// <summary>ApiBalance/GetApiBalance, every page.</summary>
internal static class BalanceApi
{
    public const int PageSize = 50;

    public static async Task<IReadOnlyList<ApiBalance>> GetAllAsync(RrSession session, IRrLog log, CancellationToken ct)
    {
        var all = new List<ApiBalance>();
        for (var offset = 0; ; offset += PageSize)
        {
            var request = RrRequest.Get("ApiBalance/GetApiBalance", new[]
            {
                new KeyValuePair<string, string>("pageSize", PageSize.ToString(CultureInfo.InvariantCulture)),
                new KeyValuePair<string, string>("offset", offset.ToString(CultureInfo.InvariantCulture)),
            });
            var (page, total) = await session.Client.SendAsync(request, response =>
            {
                var rows = response.PayloadArray("apiBalances").Select(e => ApiBalance.Parse(e, session.Environment.ToString())).ToList();
                long? totalRecords = response.TryGetPayload("totalNumberOfRecords", out var t) ? JsonRead.AsLong(t) : null;
                return (rows, totalRecords);
            }, log, ct).ConfigureAwait(false);
            all.AddRange(page);
            if (InventoryApi.IsLastPage(offset, page.Count, PageSize, total)) return all;
        }
    }
}
