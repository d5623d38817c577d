using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;
using ReturnsHelper.Json;

namespace ReturnsHelper.Api;

/// <summary>One page of ReturnInventory/list.</summary>
internal sealed class InventoryPage
{
    public IReadOnlyList<Inventory> Items { get; set; }
    /// <summary>Rows in the whole window, when the service reports it.</summary>
    public long? TotalNumberOfRecords { get; set; }
}

/// <summary>Where a page sits in a listing of several windows (for progress reporting).</summary>
internal sealed class InventoryWalkPosition
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
internal static class InventoryApi
{
    /// <summary>The service's limits for ReturnInventory/list.</summary>
    public const int MaxPageSize = 50;
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(62);

    public static async Task<Inventory> GetAsync(RrSession session, long returnInventoryId, IRrLog log, CancellationToken ct)
    {
        var request = GetRequest(returnInventoryId);
        return await session.Client.SendAsync(request, response =>
        {
            var record = response.PayloadObject();
            if (JsonRead.Long(record, "returnInventoryId") == null)
                throw new RrApiException(RrErrorKind.InvalidResponse, $"{request} succeeded but its answer has no returnInventoryId.",
                    request.Method, request.Path, response.HttpStatus, correlationId: response.CorrelationId);
            return Inventory.Parse(record, session.Environment.ToString(), session.Client.Endpoints.PhotoBase);
        }, log, ct).ConfigureAwait(false);
    }

    /// <summary>GetReturnInventory of one inventory (also read by VasApi, for the inventory's VAS requests).</summary>
    internal static RrRequest GetRequest(long returnInventoryId)
        => RrRequest.Get("ReturnInventory/GetReturnInventory", Query("returnInventoryId", returnInventoryId.ToString(CultureInfo.InvariantCulture)));

    /// <summary>One page of the window [from, to) (start inclusive, end exclusive, at most <see cref="MaxWindow"/>).</summary>
    public static async Task<InventoryPage> ListPageAsync(RrSession session, DateTime fromUtc, DateTime toUtc, int pageSize, long offset, IRrLog log, CancellationToken ct)
    {
        if (pageSize < 1 || pageSize > MaxPageSize) throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"The page size must be between 1 and {MaxPageSize}.");
        var request = RrRequest.Get("ReturnInventory/list", new[]
        {
            Pair("createFrom", Iso(fromUtc)),
            Pair("createTo", Iso(toUtc)),
            Pair("pageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
            Pair("offset", offset.ToString(CultureInfo.InvariantCulture)),
        });
        return await session.Client.SendAsync(request, response =>
        {
            if (!response.TryGetPayloadArray("data", out var rows))
                throw new RrApiException(RrErrorKind.InvalidResponse, $"{request} succeeded but its answer has no data list.",
                    request.Method, request.Path, response.HttpStatus, correlationId: response.CorrelationId);
            return ReadPage(session, response, rows);
        }, log, ct).ConfigureAwait(false);
    }

    private static InventoryPage ReadPage(RrSession session, RrResponse response, JsonElement rows)
    {
        var environment = session.Environment.ToString();
        var photoBase = session.Client.Endpoints.PhotoBase;
        return new InventoryPage
        {
            // A listing row has only the summary fields: the rest stays null (Inventory.IsPartial), not a default.
            Items = rows.EnumerateArray().Select(e => Inventory.Parse(e, environment, photoBase, listRow: true)).ToList(),
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

    private static async Task WriteAsync(RrSession session, string path, byte[] body, IRrLog log, CancellationToken ct)
        => await session.Client.SendAsync(RrRequest.Write(path, body), _ => true, log, ct).ConfigureAwait(false);

    /// <summary>
    /// True when a window has no records after the page at <paramref name="offset"/> that returned
    /// <paramref name="count"/> records: a short page, or the window's totalNumberOfRecords reached.
    /// </summary>
    public static bool IsLastPage(long offset, int count, int pageSize, long? totalInWindow)
        => count < pageSize || (totalInWindow.HasValue && offset + count >= totalInWindow.Value);

    /// <summary>
    /// The offsets of a window's pages after its first, once the first page told the window's size: they can all be
    /// requested at once (Get-RrInventory does, up to -ThrottleLimit). Without a reported size the pages have to be
    /// read one after another until a short page (see <see cref="IsLastPage"/>).
    /// </summary>
    public static IEnumerable<long> RemainingOffsets(int pageSize, long totalInWindow)
    {
        for (long offset = pageSize; offset < totalInWindow; offset += pageSize) yield return offset;
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
    private static KeyValuePair<string, string> Pair(string k, string v) => new KeyValuePair<string, string>(k, v);
    private static KeyValuePair<string, string>[] Query(string k, string v) => new[] { Pair(k, v) };
}
