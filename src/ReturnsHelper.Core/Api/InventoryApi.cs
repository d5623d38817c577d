using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;
using ReturnsHelper.Json;

namespace ReturnsHelper.Api
{
    /// <summary>One page of ReturnInventory/list.</summary>
    public sealed class InventoryPage
    {
        public IReadOnlyList<Inventory> Items { get; set; }
        /// <summary>Rows in the whole window, when the service reports it.</summary>
        public long? TotalNumberOfRecords { get; set; }
    }

    /// <summary>The return-inventory endpoints (API notes 4.4).</summary>
    public static class InventoryApi
    {
        /// <summary>The service's limits for ReturnInventory/list.</summary>
        public const int MaxPageSize = 50;
        public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(62);

        public static async Task<Inventory> GetAsync(RrSession session, long returnInventoryId, IRrLog log, CancellationToken ct)
        {
            var request = RrRequest.Get("ReturnInventory/GetReturnInventory", Query("returnInventoryId", returnInventoryId.ToString(CultureInfo.InvariantCulture)));
            using (var response = await session.Client.SendAsync(request, log, ct).ConfigureAwait(false))
            {
                var record = response.PayloadObject();
                if (JsonRead.Long(record, "returnInventoryId") == null)
                    throw new RrApiException(RrErrorKind.InvalidResponse, $"{request} succeeded but its answer has no returnInventoryId.",
                        request.Method, request.Path, response.HttpStatus, correlationId: response.CorrelationId);
                return Inventory.Parse(record, session.Environment.ToString(), session.Client.Endpoints.PhotoBase);
            }
        }

        /// <summary>One page of the window [from, to) (start inclusive, end exclusive).</summary>
        public static async Task<InventoryPage> ListPageAsync(RrSession session, DateTime fromUtc, DateTime toUtc, int pageSize, long offset, IRrLog log, CancellationToken ct)
        {
            var request = RrRequest.Get("ReturnInventory/list", new[]
            {
                Pair("createFrom", Iso(fromUtc)),
                Pair("createTo", Iso(toUtc)),
                Pair("pageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
                Pair("offset", offset.ToString(CultureInfo.InvariantCulture)),
            });
            using (var response = await session.Client.SendAsync(request, log, ct).ConfigureAwait(false))
            {
                if (!response.HasPayloadArray("data"))
                    throw new RrApiException(RrErrorKind.InvalidResponse, $"{request} succeeded but its answer has no data list.",
                        request.Method, request.Path, response.HttpStatus, correlationId: response.CorrelationId);
                var environment = session.Environment.ToString();
                return new InventoryPage
                {
                    Items = response.PayloadArray("data").Select(e => Inventory.Parse(e, environment, session.Client.Endpoints.PhotoBase)).ToList(),
                    TotalNumberOfRecords = JsonRead.Long(response.Root, "totalNumberOfRecords"),
                };
            }
        }

        public static Task UpdateHandlingAsync(RrSession session, long returnInventoryId, string handlingCode, IRrLog log, CancellationToken ct)
            => WriteAsync(session, "ReturnInventory/UpdateReturnInventoryHandling", JsonBody.Write(w =>
            {
                w.WriteNumber("returnInventoryId", returnInventoryId);
                w.WriteString("handlingCode", handlingCode);
            }), log, ct);

        public static Task CancelHandlingAsync(RrSession session, long returnInventoryId, IRrLog log, CancellationToken ct)
            => WriteAsync(session, "ReturnInventory/CancelReturnInventoryHandling", JsonBody.Write(w => w.WriteNumber("returnInventoryId", returnInventoryId)), log, ct);

        static async Task WriteAsync(RrSession session, string path, byte[] body, IRrLog log, CancellationToken ct)
        {
            using (await session.Client.SendAsync(RrRequest.Write(path, body), log, ct).ConfigureAwait(false)) { }
        }

        /// <summary>Splits [from, to) into consecutive windows the service accepts; edges are shared, never overlapping.</summary>
        public static IEnumerable<KeyValuePair<DateTime, DateTime>> Windows(DateTime fromUtc, DateTime toUtc)
        {
            for (var start = fromUtc; start < toUtc; start = start + MaxWindow)
            {
                var end = toUtc - start > MaxWindow ? start + MaxWindow : toUtc;
                yield return new KeyValuePair<DateTime, DateTime>(start, end);
            }
        }

        internal static string Iso(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        static KeyValuePair<string, string> Pair(string k, string v) => new KeyValuePair<string, string>(k, v);
        static KeyValuePair<string, string>[] Query(string k, string v) => new[] { Pair(k, v) };
    }
}
