using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// The filters ReturnInventory/list does not have (handling code and status, warehouse, SKU wildcards)
    /// plus -Skip/-First, applied record by record as pages stream in. Not thread-safe: one walker uses it.
    /// </summary>
    internal sealed class InventoryFilter
    {
        readonly HashSet<string> handlingCodes;
        readonly HashSet<string> handlingStatuses;
        readonly HashSet<int> warehouseIds;
        readonly WildcardPattern[] skus;
        readonly long first;
        long toSkip;
        long emitted;

        public InventoryFilter(IEnumerable<string> handlingCodes, IEnumerable<string> handlingStatuses, IEnumerable<int> warehouseIds,
            IEnumerable<string> skus, long skip, long first)
        {
            // Codes are normalised the way records are (2 -> dis, in-progress -> inProgress), so either spelling filters.
            this.handlingCodes = Set(handlingCodes?.Select(c => Codes.Handling(c?.Trim())));
            this.handlingStatuses = Set(handlingStatuses?.Select(s => Codes.HandlingStatus(s?.Trim())));
            this.warehouseIds = warehouseIds == null ? null : new HashSet<int>(warehouseIds);
            this.skus = skus?.Select(p => new WildcardPattern(p ?? "", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray();
            toSkip = skip;
            this.first = first;
        }

        /// <summary>The normalised -HandlingCode values (for warnings about codes no record can have).</summary>
        public IEnumerable<string> HandlingCodes => handlingCodes ?? Enumerable.Empty<string>();
        public IEnumerable<string> HandlingStatuses => handlingStatuses ?? Enumerable.Empty<string>();

        /// <summary>True once -First records were emitted: nothing more needs to be fetched.</summary>
        public bool Done => emitted >= first;

        /// <summary>True when the record passes the filters and -Skip; counts it towards -First.</summary>
        public bool Take(Inventory inventory)
        {
            if (Done || !Matches(inventory)) return false;
            if (toSkip > 0)
            {
                toSkip--;
                return false;
            }
            emitted++;
            return true;
        }

        bool Matches(Inventory i)
            => (handlingCodes == null || (i.HandlingCode != null && handlingCodes.Contains(i.HandlingCode)))
               && (handlingStatuses == null || (i.HandlingStatusCode != null && handlingStatuses.Contains(i.HandlingStatusCode)))
               && (warehouseIds == null || (i.WarehouseId.HasValue && warehouseIds.Contains(i.WarehouseId.Value)))
               // A parcel without a SKU matches only the empty pattern (-Sku '').
               && (skus == null || skus.Any(p => p.IsMatch(i.Sku ?? "")));

        static HashSet<string> Set(IEnumerable<string> values)
            => values == null ? null : new HashSet<string>(values.Where(v => v != null), StringComparer.OrdinalIgnoreCase);
    }
}
