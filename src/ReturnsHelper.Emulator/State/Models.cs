using System.Text.Json.Serialization;
using ReturnsHelper.Emulator.Domain;

namespace ReturnsHelper.Emulator.State;

// Mutable records of the emulated service. They are only touched under EmulatorState's lock and are
// serialized as they are into the state file (see StateFile), so every persisted member is a public property.

internal sealed class Account
{
    public int ApiId { get; set; }
    public string ApiKey { get; set; } = "";
    public string ApiToken { get; set; } = "";
    public string ApiName { get; set; } = "";
    public decimal Balance { get; set; }
}

internal sealed class Inventory
{
    public long ReturnInventoryId { get; set; }
    public int ApiId { get; set; }
    public int WarehouseId { get; set; }
    public long ReturnRequestId { get; set; }
    public long ReturnRequestLineItemId { get; set; }
    public string Rma { get; set; } = "";
    public string? Sku { get; set; }
    public string Description { get; set; } = "";
    public int Quantity { get; set; } = 1;
    public decimal Weight { get; set; }
    public decimal Dimension1 { get; set; }
    public decimal Dimension2 { get; set; }
    public decimal Dimension3 { get; set; }
    public decimal Value { get; set; }
    public string ValueCurrencyCode { get; set; } = "usd";
    public HandlingCode HandlingCode { get; set; }
    public HandlingStatus HandlingStatusCode { get; set; }
    public DateTime? HandlingUpdatedOn { get; set; }
    public DateTime? CompleteOn { get; set; }
    public string? WarehouseRemarks { get; set; }
    public DateTime CreateOn { get; set; }
    public DateTime ModifyOn { get; set; }
    public bool RmaLocked { get; set; }

    /// <summary>The recall this inventory is in, while that recall inventory is not cancelled.</summary>
    public long? ActiveRecallId { get; set; }

    /// <summary>The handling code before the recall set <c>rtn</c>, so cancelling the recall can restore it.</summary>
    public HandlingCode? CodeBeforeRecall { get; set; }

    /// <summary>The resend this inventory is in, while that resend is pending, in progress or completed.</summary>
    public long? ActiveResendId { get; set; }

    public List<InventoryImage>? Images { get; set; }
    public List<InventoryVas>? VasList { get; set; }

    [JsonIgnore]
    public bool HasPendingVas => VasList is not null && VasList.Exists(v => !v.IsFinished);
}

internal sealed class InventoryImage
{
    public long ReturnRequestLineItemImageId { get; set; }
    public string Filename { get; set; } = "";
    public string FileExt { get; set; } = "";
    public string S3OriginalFileKey { get; set; } = "";
    public string S3SmallFileKey { get; set; } = "";
    public string S3MediumFileKey { get; set; } = "";
    public string S3LargeFileKey { get; set; } = "";
}

internal sealed class InventoryVas
{
    public long ReturnRequestLineItemVasId { get; set; }
    public string VasCode { get; set; } = "";
    public bool IsFinished { get; set; }

    /// <summary>A finished request the warehouse could not carry out (a finished one that is not failed succeeded).</summary>
    public bool IsFailed { get; set; }

    /// <summary>Parcels (split-parcel) or photos (req-pic); null for the services that take no quantity.</summary>
    public int? MetaQuantity { get; set; }

    public string? Notes { get; set; }

    /// <summary>What the warehouse reports when it finishes (the inspection's outcome, the reason it failed).</summary>
    public string? VasResult { get; set; }

    /// <summary>Keys of the photos taken for the request, on the photo host.</summary>
    public List<string>? PhotoKeys { get; set; }

    /// <summary>The inventories a finished split-parcel request created, one per parcel.</summary>
    public List<long>? SplitReturnInventoryIds { get; set; }

    /// <summary>Null for the VAS requests of seed data written before requests had dates.</summary>
    public DateTime? CreateOn { get; set; }

    public DateTime? ModifyOn { get; set; }

    [JsonIgnore]
    public VasStatus Status => !IsFinished ? VasStatus.Pending : IsFailed ? VasStatus.Failed : VasStatus.Successful;
}

internal sealed class Recall
{
    public long RecallId { get; set; }
    public int ApiId { get; set; }
    public int WarehouseId { get; set; }
    public string RecallNumber { get; set; } = "";
    public RecallStatus RecallStatusCode { get; set; }
    public string? WarehouseRemarks { get; set; }
    public DateTime CreateOn { get; set; }
    public DateTime ModifyOn { get; set; }
    public List<RecallInventory> RecallInventoryList { get; set; } = [];
}

internal sealed class RecallInventory
{
    public long RecallInventoryId { get; set; }
    public long ReturnInventoryId { get; set; }
    public RecallInventoryStatus RecallInventoryStatusCode { get; set; }
    public string PickUpCode { get; set; } = PickUpCodes.Pending;
    public string? TrackingNumber { get; set; }
    public string? ListName { get; set; }
    public decimal? Weight { get; set; }
    public decimal? Amount { get; set; }
    public DateTime? PickUpOn { get; set; }
    public string? CourierTrackingNumber { get; set; }
    public string? Remarks { get; set; }
    public string RecallServiceType { get; set; } = "dhl";
    public string Rma { get; set; } = "";

    [JsonIgnore]
    public bool IsActive => RecallInventoryStatusCode != RecallInventoryStatus.Canceled;
}

internal static class PickUpCodes
{
    public const string Pending = "pending";
    public const string SelfPickUp = "self-pick-up";
    public const string CourierPickUp = "courier-pick-up";
    public const string Others = "others";
}
