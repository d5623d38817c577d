using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ReturnsHelper.Commands;

/// <summary>
/// The filters ReturnInventory/list does not have (handling code and status, warehouse, SKU and RMA wildcards)
/// plus -Skip/-First, applied record by record as pages stream in. Not thread-safe: one walker uses it.
/// Exact RMAs (no wildcard) are remembered as they are met, so that the walk can stop once all were found.
/// </summary>
internal sealed class InventoryFilter
{
    private readonly HashSet<string> handlingCodes;
    private readonly HashSet<string> handlingStatuses;
    private readonly HashSet<int> warehouseIds;
    private readonly WildcardPattern[] skus;
    private readonly HashSet<string> exactRmas;
    private readonly WildcardPattern[] rmaPatterns;
    private readonly HashSet<string> foundRmas = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    private readonly long first;
    private long toSkip;
    private long emitted;

    public InventoryFilter(IEnumerable<string> handlingCodes, IEnumerable<string> handlingStatuses, IEnumerable<int> warehouseIds,
        IEnumerable<string> skus, IReadOnlyCollection<string> rmas, long skip, long first)
    {
        // Codes are normalised the way records are (2 -> dis, in-progress -> inProgress), so either spelling filters.
        this.handlingCodes = Set(handlingCodes?.Select(c => Codes.Handling(c?.Trim())));
        this.handlingStatuses = Set(handlingStatuses?.Select(s => Codes.HandlingStatus(s?.Trim())));
        this.warehouseIds = warehouseIds == null ? null : new HashSet<int>(warehouseIds);
        this.skus = skus?.Select(Pattern).ToArray();
        if (rmas != null)
        {
            exactRmas = new HashSet<string>(rmas.Where(r => !Rma.HasWildcard(r)), StringComparer.OrdinalIgnoreCase);
            rmaPatterns = rmas.Where(Rma.HasWildcard).Select(Pattern).ToArray();
        }
        toSkip = skip;
        this.first = first;
    }

    /// <summary>The normalised -HandlingCode values (for warnings about codes no record can have).</summary>
    public IEnumerable<string> HandlingCodes => handlingCodes ?? Enumerable.Empty<string>();
    public IEnumerable<string> HandlingStatuses => handlingStatuses ?? Enumerable.Empty<string>();

    /// <summary>True when only exact RMAs are asked for: once each was met, the walk can stop.</summary>
    public bool StopsWhenAllRmasFound => exactRmas != null && exactRmas.Count > 0 && rmaPatterns.Length == 0;

    /// <summary>True once -First records were emitted.</summary>
    public bool FirstReached => emitted >= first;

    /// <summary>True when nothing more needs to be fetched: -First reached, or every exact RMA asked for was met.</summary>
    public bool Done => FirstReached || (StopsWhenAllRmasFound && foundRmas.Count == exactRmas.Count);

    /// <summary>True when an inventory with this exact RMA was met, whether or not the other filters let it through.</summary>
    public bool Found(string rma) => foundRmas.Contains(rma);

    /// <summary>True when the record passes the filters and -Skip; counts it towards -First.</summary>
    public bool Take(Inventory inventory)
    {
        if (Done || !MatchesRma(inventory) || !Matches(inventory)) return false;
        if (toSkip > 0)
        {
            toSkip--;
            return false;
        }
        emitted++;
        return true;
    }

    private bool Matches(Inventory i)
        => (handlingCodes == null || (i.HandlingCode != null && handlingCodes.Contains(i.HandlingCode)))
           && (handlingStatuses == null || (i.HandlingStatusCode != null && handlingStatuses.Contains(i.HandlingStatusCode)))
           && (warehouseIds == null || (i.WarehouseId.HasValue && warehouseIds.Contains(i.WarehouseId.Value)))
           // A parcel without a SKU matches only the empty pattern (-Sku '').
           && (skus == null || skus.Any(p => p.IsMatch(i.Sku ?? "")));

    /// <summary>The RMA filter; notes an exact RMA as found (an RMA is unique: no other record will have it).</summary>
    private bool MatchesRma(Inventory i)
    {
        if (exactRmas == null) return true;
        var rma = i.Rma ?? "";
        if (exactRmas.Contains(rma))
        {
            foundRmas.Add(rma);
            return true;
        }
        return rmaPatterns.Any(p => p.IsMatch(rma));
    }

    private static WildcardPattern Pattern(string pattern) => new WildcardPattern(pattern ?? "", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);

    private static HashSet<string> Set(IEnumerable<string> values)
        => values == null ? null : new HashSet<string>(values.Where(v => v != null), StringComparer.OrdinalIgnoreCase);
}
