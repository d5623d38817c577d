using System.Text.Json.Serialization;
using ReturnsHelper.Emulator.Domain;

namespace ReturnsHelper.Emulator.State;

// A resend ships inventories of one warehouse to a new address (API notes 4.6). Same rules as Models.cs: touched only
// under EmulatorState's lock, persisted as they are.

internal sealed class Resend
{
    public long ResendId { get; set; }
    public int ApiId { get; set; }
    public int WarehouseId { get; set; }
    public string ResendNumber { get; set; } = "";
    public ResendStatus ResendStatusCode { get; set; }
    public string? Description { get; set; }
    public string? Remarks { get; set; }
    public string? WarehouseRemarks { get; set; }

    /// <summary>What the balance was charged at creation; refunded when the resend is cancelled or fails.</summary>
    public decimal Fee { get; set; }

    public DateTime CreateOn { get; set; }
    public DateTime ModifyOn { get; set; }
    public List<ResendLine> Lines { get; set; } = [];
    public ResendShipment Shipment { get; set; } = new();

    [JsonIgnore]
    public bool IsActive => ResendStatusCode is ResendStatus.Pending or ResendStatus.InProgress or ResendStatus.Completed;
}

internal sealed class ResendLine
{
    public long ReturnInventoryId { get; set; }

    /// <summary>The handling code before the resend set <c>rsd</c>, restored when it is cancelled or fails.</summary>
    public HandlingCode CodeBeforeResend { get; set; }
}

internal sealed class ResendShipment
{
    public long ResendShipmentId { get; set; }
    public string ResendShipmentNumber { get; set; } = "";
    public string ShipmentServiceType { get; set; } = "";
    public string ShipmentCountryCode { get; set; } = "";
    public string ShipmentName { get; set; } = "";
    public string? ShipmentPhone { get; set; }
    public string? ShipmentFax { get; set; }
    public string? ShipmentEmail { get; set; }
    public string ShipmentStreet1 { get; set; } = "";
    public string? ShipmentStreet2 { get; set; }
    public string? ShipmentStreet3 { get; set; }
    public string? ShipmentState { get; set; }
    public string ShipmentCity { get; set; } = "";
    public string ShipmentPostalCode { get; set; } = "";
    public string? TrackingNumber { get; set; }
    public string? ShipmentLabelId { get; set; }
    public decimal ChargeableWeight { get; set; }
    public string? Error { get; set; }
}
