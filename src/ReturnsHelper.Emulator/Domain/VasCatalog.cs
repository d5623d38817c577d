namespace ReturnsHelper.Emulator.Domain;

// The integer values are the ones the vasUpdated samples send (a status of 1 for a finished service).
internal enum VasStatus { Pending = 0, Successful = 1, Failed = 2 }

/// <summary>
/// The value-added services: what Public <c>vas/getAllVas</c> and <c>vasStatus/getAllVasStatus</c> return (the
/// codes of the API notes 4.5), and the documented <c>metaQuantity</c> rules.
/// </summary>
internal static class VasCatalog
{
    public const string SplitParcel = "split-parcel";
    public const string RequestPictures = "req-pic";

    /// <summary>The documented range of parcels a split may make.</summary>
    public const int MaxParcels = 50;

    public static readonly IReadOnlyList<(string Code, string Description)> Services =
    [
        ("mobi-fmt", "Format phone"),
        ("mobi-imei", "Check IMEI"),
        ("mobi-lock", "Check lock status"),
        ("prd-inspec", "Product inspection"),
        ("repack", "Repack"),
        (RequestPictures, "Take pictures"),
        (SplitParcel, "Split parcel"),
    ];

    private static readonly string[] StatusNames = ["pending", "successful", "failed"];

    public static readonly IReadOnlyList<(VasStatus Status, string Description)> Statuses =
    [
        (VasStatus.Pending, "Requested, the warehouse has not finished"),
        (VasStatus.Successful, "Done"),
        (VasStatus.Failed, "The warehouse could not do it"),
    ];

    public static string Wire(this VasStatus status) => StatusNames[(int)status];

    /// <summary>The catalogue's spelling of a code (matched case-insensitively), or null when it is not a service.</summary>
    public static string? Find(string? code) =>
        Services.Select(s => s.Code).FirstOrDefault(c => string.Equals(c, code?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Only these two services take a quantity (parcels, photos); the others' metaQuantity is not kept.</summary>
    public static bool TakesQuantity(string code) => code is SplitParcel or RequestPictures;
}
