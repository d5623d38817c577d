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

    /// <summary>Where a page of <see cref="InventoryApi.WalkAsync"/> sits in the walk (for progress reporting).</summary>
    public sealed class InventoryWalkPosition
    {
        public InventoryWalkPosition(int windowIndex, int windowCount, DateTime windowFrom, DateTime windowTo, int pageNumber, long recordsRead, long? totalInWindow)
        {
            WindowIndex = windowIndex;
            WindowCount = windowCount;
            WindowFrom = windowFrom;
            WindowTo = windowTo;
            PageNumber = pageNumber;
            RecordsRead = recordsRead;
            TotalInWindow = totalInWindow;
        }

        /// <summary>Zero-based.</summary>
        public int WindowIndex { get; }
        public int WindowCount { get; }
        public DateTime WindowFrom { get; }
        public DateTime WindowTo { get; }
        /// <summary>One-based, within the window.</summary>
        public int PageNumber { get; }
        /// <summary>Records read from this window so far, this page included.</summary>
        public long RecordsRead { get; }
        public long? TotalInWindow { get; }
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
            using (var response = await FetchPageAsync(session, fromUtc, toUtc, pageSize, offset, log, ct).ConfigureAwait(false))
                return ReadPage(session, response);
        }

        static async Task<RrResponse> FetchPageAsync(RrSession session, DateTime fromUtc, DateTime toUtc, int pageSize, long offset, IRrLog log, CancellationToken ct)
        {
            var request = RrRequest.Get("ReturnInventory/list", new[]
            {
                Pair("createFrom", Iso(fromUtc)),
                Pair("createTo", Iso(toUtc)),
                Pair("pageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
                Pair("offset", offset.ToString(CultureInfo.InvariantCulture)),
            });
            var response = await session.Client.SendAsync(request, log, ct).ConfigureAwait(false);
            if (!response.HasPayloadArray("data"))
            {
                response.Dispose();
                throw new RrApiException(RrErrorKind.InvalidResponse, $"{request} succeeded but its answer has no data list.",
                    request.Method, request.Path, response.HttpStatus, correlationId: response.CorrelationId);
            }
            return response;
        }

        static InventoryPage ReadPage(RrSession session, RrResponse response)
        {
            var environment = session.Environment.ToString();
            return new InventoryPage
            {
                Items = response.PayloadArray("data").Select(e => Inventory.Parse(e, environment, session.Client.Endpoints.PhotoBase)).ToList(),
                TotalNumberOfRecords = JsonRead.Long(response.Root, "totalNumberOfRecords"),
            };
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

        /// <summary>
        /// Walks [from, to) window by window (at most 62 days each), one after another; see <see cref="WalkWindowAsync"/>.
        /// Get-RrInventory walks the windows concurrently instead, one unit of work each.
        /// </summary>
        public static async Task WalkAsync(RrSession session, DateTime fromUtc, DateTime toUtc, int pageSize, bool readAhead,
            Func<InventoryPage, InventoryWalkPosition, Task<bool>> onPage, IRrLog log, CancellationToken ct)
        {
            var windows = Windows(fromUtc, toUtc).ToList();
            for (var w = 0; w < windows.Count; w++)
                if (!await WalkWindowAsync(session, w, windows.Count, windows[w].Key, windows[w].Value, pageSize, readAhead, onPage, log, ct).ConfigureAwait(false))
                    return;
        }

        /// <summary>
        /// Walks one window [from, to) (at most 62 days) page by page with record offsets, handing each page to
        /// <paramref name="onPage"/> as it arrives; onPage returns false to stop. The window ends at
        /// totalNumberOfRecords or at a short page. Requests are strictly sequential. Without
        /// <paramref name="readAhead"/> the next page is requested only after onPage returned (so a caller that
        /// stops early never causes an extra request); with it, the next request goes out as soon as a page's
        /// answer arrived, while that page is parsed and handed over. Returns false when onPage stopped the walk.
        /// </summary>
        public static async Task<bool> WalkWindowAsync(RrSession session, int windowIndex, int windowCount, DateTime fromUtc, DateTime toUtc,
            int pageSize, bool readAhead, Func<InventoryPage, InventoryWalkPosition, Task<bool>> onPage, IRrLog log, CancellationToken ct)
        {
            if (pageSize < 1 || pageSize > MaxPageSize) throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"The page size must be between 1 and {MaxPageSize}.");
            if (toUtc - fromUtc > MaxWindow) throw new ArgumentOutOfRangeException(nameof(toUtc), toUtc, $"A window spans at most {MaxWindow.TotalDays} days.");
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                Task<RrResponse> Fetch(long at) => FetchPageAsync(session, fromUtc, toUtc, pageSize, at, log, stop.Token);

                long offset = 0;
                var pageNumber = 1;
                var pending = Fetch(offset);
                try
                {
                    while (pending != null)
                    {
                        InventoryPage page;
                        long read;
                        bool windowDone;
                        using (var response = await pending.ConfigureAwait(false))
                        {
                            pending = null;
                            var count = response.PayloadArray("data").Count();
                            var total = JsonRead.Long(response.Root, "totalNumberOfRecords");
                            read = offset + count;
                            windowDone = count < pageSize || (total.HasValue && read >= total.Value);
                            if (readAhead && !windowDone) pending = Fetch(read);
                            page = ReadPage(session, response);
                        }
                        var position = new InventoryWalkPosition(windowIndex, windowCount, fromUtc, toUtc, pageNumber, read, page.TotalNumberOfRecords);
                        if (!await onPage(page, position).ConfigureAwait(false)) return false;
                        if (windowDone) return true;
                        offset = read;
                        pageNumber++;
                        if (pending == null) pending = Fetch(offset);
                    }
                    return true;
                }
                finally
                {
                    // Stopped early (or failed) with a request in flight: cancel it and release its answer.
                    if (pending != null)
                    {
                        stop.Cancel();
                        try { (await pending.ConfigureAwait(false)).Dispose(); }
                        catch (Exception) { /* cancelled or failed: nothing to release */ }
                    }
                }
            }
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
