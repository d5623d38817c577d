using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper;

/// <summary>
/// A value-added-service request on a return inventory (photos, inspection, IMEI check, repack, split) and what
/// the warehouse reported: status, result, photos, and for a split the inventories it created.
/// </summary>
public sealed class Vas
{
    /// <summary>The inventory the request is for.</summary>
    public long ReturnInventoryId { get; set; }
    /// <summary>The inventory's RMA, when the record it came from names it.</summary>
    public string Rma { get; set; }
    /// <summary>The request's id (returnRequestLineItemVasId).</summary>
    public long VasId { get; set; }
    public long? ReturnRequestLineItemId { get; set; }
    public string VasCode { get; set; }
    /// <summary>pending, successful or failed (integers and upper-case spellings of webhooks are normalised); null when not reported.</summary>
    public string Status { get; set; }
    public bool? IsFinished { get; set; }
    /// <summary>Photos (req-pic) or parcels (split-parcel) requested.</summary>
    public int? Quantity { get; set; }
    public string Notes { get; set; }
    /// <summary>What the warehouse reported: the inspection's outcome, or why it could not do it.</summary>
    public string Result { get; set; }
    /// <summary>The photos taken for the request (full URLs).</summary>
    public UrlList PhotoUrls { get; set; }
    /// <summary>The photo URLs as one text, separated by <see cref="Recall.TextSeparator"/> (for CSV).</summary>
    public string PhotoUrlText => PhotoUrls?.ToString();
    /// <summary>For a finished split-parcel: the new inventories, one per parcel.</summary>
    public InventoryIdList SplitReturnInventoryIds { get; set; }
    public DateTimeOffset? CreateOn { get; set; }
    public DateTimeOffset? ModifyOn { get; set; }
    public string Environment { get; set; }

    /// <summary>True while the warehouse has not finished it: it blocks handling, recalls and resends of the inventory.</summary>
    public bool IsPending => Status == VasRules.Pending || (Status == null && IsFinished == false);

    public override string ToString() => VasId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a VAS record of GetReturnInventory or of the create answer (returnRequestLineItemVasId, vasCode,
    /// metaQuantity, notes, vasResult, vasStatusCode, isFinished, imageUrlList ...) or a vasUpdated entry.
    /// <paramref name="returnInventoryId"/> is used when the record does not name its inventory.
    /// </summary>
    internal static Vas Parse(JsonElement e, long returnInventoryId, string rma, string environment)
    {
        var vas = new Vas
        {
            ReturnInventoryId = JsonRead.Long(e, "returnInventoryId") ?? returnInventoryId,
            Rma = rma,
            VasId = JsonRead.Long(e, "returnRequestLineItemVasId") ?? 0,
            ReturnRequestLineItemId = JsonRead.Long(e, "returnRequestLineItemId"),
            VasCode = JsonRead.String(e, "vasCode"),
            IsFinished = JsonRead.Bool(e, "isFinished"),
            Quantity = JsonRead.Int(e, "metaQuantity"),
            Notes = JsonRead.String(e, "notes"),
            Result = JsonRead.String(e, "vasResult"),
            PhotoUrls = new UrlList(JsonRead.Array(e, "imageUrlList").Select(JsonRead.AsString).Where(u => !string.IsNullOrEmpty(u)).ToArray()),
            SplitReturnInventoryIds = new InventoryIdList(JsonRead.Array(e, "splitReturnInventoryIdList").Select(JsonRead.AsLong)
                .Where(id => id.HasValue).Select(id => id.Value).ToArray()),
            CreateOn = OutputTime.Utc(JsonRead.Time(e, "createOn")),
            ModifyOn = OutputTime.Utc(JsonRead.Time(e, "modifyOn")),
            Environment = environment,
        };
        vas.Status = VasRules.Status(JsonRead.String(e, "vasStatusCode"));
        if (vas.Status != null && vas.IsFinished == null) vas.IsFinished = vas.Status != VasRules.Pending;
        if (vas.Status == null && vas.IsFinished == false) vas.Status = VasRules.Pending;
        return vas;
    }
}

/// <summary>A value-added service from the Public API (vas/getAllVas).</summary>
public sealed class VasType
{
    public string VasCode { get; set; }
    public string VasDescription { get; set; }
    /// <summary>True when a request needs -Quantity (photos for req-pic, parcels for split-parcel).</summary>
    public bool RequiresQuantity => VasRules.RequiresQuantity(VasCode);
    public override string ToString() => VasCode;

    internal static VasType Parse(JsonElement e) => new VasType
    {
        VasCode = JsonRead.String(e, "vasCode"),
        VasDescription = JsonRead.String(e, "vasDescription"),
    };
}

/// <summary>
/// The documented VAS rules a request is checked against before it is sent (API notes 4.5), and the status
/// vocabulary: strings in the API, integers in vasUpdated, "SUCCESSFUL" in splitLineItem.
/// </summary>
internal static class VasRules
{
    public const string Pending = "pending";
    public const string Successful = "successful";
    public const string Failed = "failed";
    public const string SplitParcel = "split-parcel";
    public const string RequestPictures = "req-pic";
    public const int MaxParcels = 50;

    private static readonly string[] StatusByInt = { Pending, Successful, Failed };

    /// <summary>The documented services with their meanings, for completion when the service's list cannot be read.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> DocumentedServices = new[]
    {
        Pair("mobi-fmt", "Format the phone"),
        Pair("mobi-imei", "Check the IMEI"),
        Pair("mobi-lock", "Check the lock status"),
        Pair("prd-inspec", "Product inspection"),
        Pair("repack", "Repack"),
        Pair(RequestPictures, "Take pictures (-Quantity: how many)"),
        Pair(SplitParcel, "Split the parcel (-Quantity: how many parcels, 1-50; alone in its request)"),
    };

    /// <summary>The documented spelling of a status, whatever form it came in; unknown values pass through.</summary>
    public static string Status(string raw)
    {
        if (string.IsNullOrEmpty(raw)) return null;
        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var i)) return i < StatusByInt.Length ? StatusByInt[i] : raw;
        return StatusByInt.FirstOrDefault(s => string.Equals(s, raw.Trim(), StringComparison.OrdinalIgnoreCase)) ?? raw;
    }

    /// <summary>split-parcel, also in the SPLIT_PARCEL spelling of one page of the newer docs.</summary>
    public static bool IsSplit(string code)
        => string.Equals(code, SplitParcel, StringComparison.OrdinalIgnoreCase) || string.Equals(code, "SPLIT_PARCEL", StringComparison.OrdinalIgnoreCase);

    public static bool RequiresQuantity(string code)
        => IsSplit(code) || string.Equals(code, RequestPictures, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Why a request for <paramref name="codes"/> with <paramref name="quantity"/> would be refused, or null: a split
    /// must be alone, req-pic needs a quantity over 0, a split 1-50 parcels.
    /// </summary>
    public static string Problem(IReadOnlyList<string> codes, int? quantity)
    {
        var repeated = codes.GroupBy(c => c, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (repeated != null) return $"'{repeated.Key}' is given more than once.";
        var split = codes.FirstOrDefault(IsSplit);
        if (split != null && codes.Count > 1)
            return $"'{split}' must be requested alone (the service takes a split only as the one service of its request); request the other services separately.";
        var needing = codes.FirstOrDefault(RequiresQuantity);
        if (needing == null) return null;
        if (quantity == null)
            return $"'{needing}' needs -Quantity ({(IsSplit(needing) ? "how many parcels, 1-" + MaxParcels : "how many photos")}).";
        if (IsSplit(needing) && (quantity < 1 || quantity > MaxParcels))
            return $"-Quantity must be between 1 and {MaxParcels} parcels for '{needing}'; it is {quantity}.";
        if (quantity < 1) return $"-Quantity must be more than 0 for '{needing}'; it is {quantity}.";
        return null;
    }

    private static KeyValuePair<string, string> Pair(string k, string v) => new KeyValuePair<string, string>(k, v);
}
