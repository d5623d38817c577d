using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace ReturnsHelper;

/// <summary>
/// What a client may read from an RMA (API notes §9): <c>&lt;prefix&gt;-&lt;warehouse id&gt;-&lt;yyMMdd&gt;-&lt;environment
/// letter&gt;&lt;sequence&gt;[-&lt;split sequence&gt;]-&lt;check digits&gt;</c>, e.g. <c>USE-1034-260603-D00001-05</c>. The
/// check digits are opaque (no published algorithm fits the samples): they are never validated.
/// </summary>
internal static class Rma
{
    // Lenient where production may differ from the sandbox samples: prefix length, sequence length, env letter.
    private static readonly Regex Shape = new Regex(
        @"^[A-Za-z][A-Za-z0-9]{0,9}-(?<warehouse>\d{1,9})-(?<date>\d{6})-[A-Za-z]\d{1,7}(?<split>-\d{2})?-\d{1,2}$",
        RegexOptions.CultureInvariant);

    private static readonly char[] WildcardCharacters = { '*', '?', '[', '`' };

    /// <summary>
    /// The listing window around an RMA's receive date: from the day before to the end of the day after, in UTC.
    /// The date is the warehouse's day, whatever its time zone (UTC-12 to UTC+14), so the creation time lies in it.
    /// </summary>
    public static readonly TimeSpan WindowBeforeReceiveDate = TimeSpan.FromDays(1);
    public static readonly TimeSpan WindowAfterReceiveDate = TimeSpan.FromDays(2);

    /// <summary>True when <paramref name="value"/> (surrounding white space ignored) has the shape of an RMA; the date is not checked.</summary>
    public static bool LooksLikeRma(string value) => value != null && Shape.IsMatch(value.Trim());

    /// <summary>True when <paramref name="pattern"/> has a wildcard character (or the wildcard escape) and so is not one exact RMA.</summary>
    public static bool HasWildcard(string pattern) => pattern != null && pattern.IndexOfAny(WildcardCharacters) >= 0;

    /// <summary>
    /// The warehouse id and receive date a pattern fixes: its first three dash-separated parts, as long as they are
    /// complete before any wildcard (<c>USE-1034-260603-*</c> fixes both, <c>USE-1034-2606*</c> only the warehouse,
    /// <c>*-260603-*</c> neither, since the <c>*</c> may span dashes). An exact RMA of a split parcel is marked
    /// as such: its date is the original parcel's, not the split's.
    /// </summary>
    public static RmaParts KnownParts(string pattern)
    {
        var text = (pattern ?? "").Trim();
        var wildcard = text.IndexOfAny(WildcardCharacters);
        var literal = wildcard < 0 ? text : text.Substring(0, wildcard);
        var parts = literal.Split('-');
        // With a wildcard, the last part is cut short by it; an exact pattern's parts are all complete.
        var complete = wildcard < 0 ? parts.Length : parts.Length - 1;

        int? warehouseId = null;
        DateTime? receivedOn = null;
        if (complete >= 2 && parts[0].Length > 0 && parts[1].Length > 0 && parts[1].All(IsDigit)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var warehouse))
            warehouseId = warehouse;
        if (warehouseId != null && complete >= 3 && parts[2].Length == 6 && parts[2].All(IsDigit)
            && DateTime.TryParseExact(parts[2], "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
            receivedOn = DateTime.SpecifyKind(date, DateTimeKind.Utc);
        var match = wildcard < 0 ? Shape.Match(text) : null;
        return new RmaParts(warehouseId, receivedOn, match != null && match.Success && match.Groups["split"].Success);
    }

    /// <summary>
    /// The creation-time periods to list for patterns that all fix a receive date: one period per date (see
    /// <see cref="WindowBeforeReceiveDate"/>), overlapping or touching periods merged, in time order. An exact split
    /// RMA's period runs on to <paramref name="nowUtc"/>, since the split is created after the parcel's receive date.
    /// Null when some pattern fixes no date: then only the ordinary period can be listed.
    /// </summary>
    public static List<KeyValuePair<DateTime, DateTime>> ListingPeriods(IEnumerable<string> patterns, DateTime nowUtc)
    {
        var periods = new List<KeyValuePair<DateTime, DateTime>>();
        foreach (var pattern in patterns)
        {
            var parts = KnownParts(pattern);
            if (parts.ReceivedOn == null) return null;
            var from = parts.ReceivedOn.Value - WindowBeforeReceiveDate;
            var to = parts.ReceivedOn.Value + WindowAfterReceiveDate;
            if (parts.IsSplit && nowUtc > to) to = nowUtc;
            periods.Add(new KeyValuePair<DateTime, DateTime>(from, to));
        }

        var merged = new List<KeyValuePair<DateTime, DateTime>>();
        foreach (var period in periods.OrderBy(p => p.Key))
        {
            var last = merged.Count - 1;
            if (last >= 0 && period.Key <= merged[last].Value)
            {
                if (period.Value > merged[last].Value) merged[last] = new KeyValuePair<DateTime, DateTime>(merged[last].Key, period.Value);
            }
            else merged.Add(period);
        }
        return merged;
    }

    private static bool IsDigit(char c) => c >= '0' && c <= '9';
}

/// <summary>What an RMA pattern fixes (see <see cref="Rma.KnownParts"/>); null where it does not.</summary>
internal sealed class RmaParts
{
    public RmaParts(int? warehouseId, DateTime? receivedOn, bool isSplit)
    {
        WarehouseId = warehouseId;
        ReceivedOn = receivedOn;
        IsSplit = isSplit;
    }

    public int? WarehouseId { get; }

    /// <summary>The receive date (midnight, UTC kind) the RMA encodes: the warehouse's local day.</summary>
    public DateTime? ReceivedOn { get; }

    /// <summary>An exact RMA with a split sequence (<c>USE-2-240715-D00003-01-30</c>).</summary>
    public bool IsSplit { get; }
}
