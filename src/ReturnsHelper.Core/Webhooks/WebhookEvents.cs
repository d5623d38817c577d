using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper;

/// <summary>
/// A Return Helper webhook event (API notes 8.5). Every event has these common properties; events the
/// module knows get a subclass with typed payloads, any other event is a plain WebhookEvent (never an error).
/// </summary>
public class WebhookEvent
{
    public string Category { get; set; }
    public string Action { get; set; }
    public DateTimeOffset? EventTime { get; set; }
    public string Version { get; set; }
    public string NotificationId { get; set; }
    /// <summary>
    /// What duplicates share: the notificationId when the event has one, else "sha256:" and the SHA-256 of
    /// the raw body (older events have no notificationId; a redelivery repeats the body byte for byte).
    /// </summary>
    public string DedupeKey { get; set; }
    /// <summary>When Receive-RrWebhook accepted the delivery (from the JSON-lines record); null for a bare body.</summary>
    public DateTimeOffset? ReceivedAt { get; set; }
    /// <summary>The body exactly as received (what the signature covers).</summary>
    public string RawBody { get; set; }
    /// <summary>What the cmdlets show as Payload, made from the parse that made the event (null when it was not asked for).</summary>
    internal object Payload { get; set; }

    /// <summary>One line for the default view.</summary>
    public virtual string Summary => string.IsNullOrEmpty(Version) ? "" : "version " + Version;

    public override string ToString() => $"{Category}/{Action}";
}

/// <summary>An event about one return inventory (a top-level returnInventory object).</summary>
public class InventoryWebhookEvent : WebhookEvent
{
    public Inventory Inventory { get; set; }
    /// <summary>Top level so the event pipes into New-RrRecall / Set-RrInventoryHandling by property name.</summary>
    public long ReturnInventoryId { get; set; }
    public string Rma { get; set; }

    public override string Summary => Describe(Inventory);

    internal static string Describe(Inventory i)
        => i == null ? "" : Join($"inventory {i.ReturnInventoryId}", i.Rma, Pair(i.HandlingCode, i.HandlingStatusCode), i.Description);

    internal static string Pair(string a, string b) => a == null && b == null ? null : $"{a}/{b}";

    internal static string Join(params string[] parts) => string.Join(", ", parts.Where(p => !string.IsNullOrEmpty(p)));
}

/// <summary>newInventoryCreated: the warehouse created an inventory (the source of returnInventoryId values).</summary>
public sealed class NewInventoryCreatedEvent : InventoryWebhookEvent
{
    public WebhookShipment Shipment { get; set; }
    public long? ShipmentId => Shipment?.ShipmentId;
    public string TrackingNumber => Shipment?.TrackingNumber;

    public override string Summary => Join(Describe(Inventory), Shipment?.TrackingNumber == null ? null : "tracking " + Shipment.TrackingNumber);
}

/// <summary>rinv/completeInventoryHandling (and cancelInventoryHandling): the warehouse finished or cancelled a handling.</summary>
public sealed class InventoryHandlingEvent : InventoryWebhookEvent
{
    public DateTimeOffset? CompleteOn => Inventory?.CompleteOn;
}

/// <summary>recall/recallUpdateStatus: a recall moved on (tracking number, ready to pick up, picked up).</summary>
public sealed class RecallUpdateEvent : WebhookEvent
{
    public Recall Recall { get; set; }
    /// <summary>
    /// The update type in one spelling whatever vocabulary the event used (2024 table, 2024 samples, 2021 integers):
    /// updateTrackingNumber, markReadyToPickUp, pickUpToSelfPickUp, pickUpToCourierPickUp or pickUpToOthers.
    /// Unknown values pass through unchanged.
    /// </summary>
    public string UpdateType { get; set; }
    /// <summary>The AWB of the international leg: the 2021 top-level trackingNumber, else the recall inventories'.</summary>
    public string TrackingNumber { get; set; }
    public long RecallId => Recall?.RecallId ?? 0;
    public string RecallNumber => Recall?.RecallNumber;
    public string RecallStatusCode => Recall?.RecallStatusCode;
    public RecallInventoryCollection Inventories => Recall?.RecallInventoryList ?? RecallInventoryCollection.Empty;
    public InventoryIdList ReturnInventoryIds => Recall?.ReturnInventoryIds ?? new InventoryIdList(new long[0]);

    public override string Summary
        => InventoryWebhookEvent.Join(RecallNumber ?? (RecallId == 0 ? null : "recall " + RecallId), UpdateType, RecallStatusCode,
            TrackingNumber == null ? null : "tracking " + TrackingNumber);
}

/// <summary>rrliv/vasUpdated: the warehouse finished (or moved on with) value-added-service requests.</summary>
public sealed class VasUpdatedEvent : WebhookEvent
{
    /// <summary>One entry per request the event reports (ReturnInventoryId is 0 when the event does not name it).</summary>
    public Vas[] Updates { get; set; } = new Vas[0];
    /// <summary>The first request's inventory, top level so the event pipes into Get-RrVas or Get-RrInventory by property name.</summary>
    public long? ReturnInventoryId => Updates.Select(u => u.ReturnInventoryId).FirstOrDefault(id => id > 0) is long id && id > 0 ? id : (long?)null;
    public long? VasId => Updates.FirstOrDefault()?.VasId;
    public string VasCode => Updates.FirstOrDefault()?.VasCode;
    public string Status => Updates.FirstOrDefault()?.Status;
    public string Result => Updates.FirstOrDefault()?.Result;
    public UrlList PhotoUrls => Updates.FirstOrDefault()?.PhotoUrls;

    public override string Summary
        => InventoryWebhookEvent.Join(string.Join("; ", Updates.Select(u => InventoryWebhookEvent.Join(
            "VAS " + u.VasId, u.VasCode, u.Status, u.ReturnInventoryId > 0 ? "inventory " + u.ReturnInventoryId : null,
            u.PhotoUrls.Count > 0 ? u.PhotoUrls.Count + " photos" : null))));
}

/// <summary>lineItemVasReturnInventoryLineItem/splitLineItem: a split-parcel request is done; one new inventory per parcel.</summary>
public sealed class SplitLineItemEvent : WebhookEvent
{
    public long? ReturnRequestId { get; set; }
    /// <summary>The line item that was split.</summary>
    public long? ReturnRequestLineItemId { get; set; }
    /// <summary>The inventory that was split, when the event names it.</summary>
    public long? SplitReturnInventoryId { get; set; }
    public long? VasId { get; set; }
    /// <summary>successful (the sample's "SUCCESSFUL" normalised).</summary>
    public string Status { get; set; }
    /// <summary>The new inventories, one per parcel.</summary>
    public Inventory[] Inventories { get; set; } = new Inventory[0];
    public InventoryIdList ReturnInventoryIds => new InventoryIdList(Inventories.Select(i => i.ReturnInventoryId).ToArray());

    public override string Summary
        => InventoryWebhookEvent.Join(VasId == null ? null : "VAS " + VasId, Status,
            SplitReturnInventoryId == null ? null : "inventory " + SplitReturnInventoryId,
            $"{Inventories.Length} new inventories" + (Inventories.Length == 0 ? "" : " (" + ReturnInventoryIds + ")"));
}

/// <summary>
/// resend/updateResendStatus: a resend's status changed (label made, completed, failed). The deprecated
/// updateResendTrackingNumber and forceCancelResend carry the tracking number and failure reason at top level.
/// </summary>
public sealed class ResendUpdateEvent : WebhookEvent
{
    public Resend Resend { get; set; }
    /// <summary>The resend's inventories as the event describes them (handling rsd, or released after a failure).</summary>
    public Inventory[] Inventories { get; set; } = new Inventory[0];
    public long ResendId => Resend?.ResendId ?? 0;
    public string ResendNumber => Resend?.ResendNumber;
    public string ResendStatusCode => Resend?.ResendStatusCode;
    public string TrackingNumber { get; set; }
    /// <summary>Why the resend failed: the shipment's error, or the older events' failureReason.</summary>
    public string FailureReason { get; set; }
    public InventoryIdList ReturnInventoryIds
        => Inventories.Length > 0 ? new InventoryIdList(Inventories.Select(i => i.ReturnInventoryId).ToArray()) : Resend?.ReturnInventoryIds ?? new InventoryIdList(new long[0]);

    public override string Summary
        => InventoryWebhookEvent.Join(ResendNumber ?? (ResendId == 0 ? null : "resend " + ResendId), ResendStatusCode,
            TrackingNumber == null ? null : "tracking " + TrackingNumber, FailureReason);
}

/// <summary>labelGenerated: a label is ready or failed. Match it to your shipment by ShipmentId, never LabelId.</summary>
public sealed class LabelGeneratedEvent : WebhookEvent
{
    public WebhookLabel Label { get; set; }
    public long? ShipmentId => Label?.ShipmentId;
    public long? LabelId => Label?.LabelId;
    public string ReferenceNumber => Label?.ReferenceNumber;
    public string LabelRequestStatusCode => Label?.LabelRequestStatusCode;
    public string TrackingNumber => Label?.TrackingNumber;
    public string LabelUrl => Label?.LabelUrl;
    public string Error => Label?.Error;
    public bool Succeeded => string.Equals(Label?.LabelRequestStatusCode, "success", StringComparison.OrdinalIgnoreCase);

    public override string Summary
        => InventoryWebhookEvent.Join(ShipmentId == null ? null : "shipment " + ShipmentId, LabelRequestStatusCode,
            Succeeded ? TrackingNumber : Error);
}

/// <summary>
/// rsl/markShipmentArrive: the warehouse received a shipment. Version 2 (version 202407 and later) carries only
/// the shipment; version 1 (no version) also carries the inventories, the return request and the label.
/// </summary>
public sealed class ShipmentArrivedEvent : WebhookEvent
{
    public WebhookShipment Shipment { get; set; }
    public long? ShipmentId => Shipment?.ShipmentId;
    public string TrackingNumber => Shipment?.TrackingNumber;
    public long? ReturnRequestId { get; set; }
    /// <summary>Version 1 only: the inventories created for the shipment (version 2 sends newInventoryCreated events).</summary>
    public Inventory[] Inventories { get; set; } = new Inventory[0];
    public InventoryIdList ReturnInventoryIds => new InventoryIdList(Inventories.Select(i => i.ReturnInventoryId).ToArray());
    /// <summary>Version 1 only.</summary>
    public WebhookLabel Label { get; set; }
    public bool IsVersion1 { get; set; }

    public override string Summary
        => InventoryWebhookEvent.Join(ShipmentId == null ? null : "shipment " + ShipmentId, TrackingNumber == null ? null : "tracking " + TrackingNumber,
            IsVersion1 ? $"v1, {Inventories.Length} inventories" : null);
}

/// <summary>The shipment object of arrival and inventory events (v2 shape and the older full shipment).</summary>
public sealed class WebhookShipment
{
    public long? ShipmentId { get; set; }
    public long? ReturnRequestId { get; set; }
    public string ShipmentNumber { get; set; }
    public string TrackingNumber { get; set; }
    public string ReferenceNumber { get; set; }
    public string SellerReferenceNumber { get; set; }
    public string ServiceType { get; set; }
    public int? ShipToWarehouseId { get; set; }
    public string ShipmentStatusCode { get; set; }
    public long? LabelId { get; set; }
    public DateTimeOffset? ReceiveDate { get; set; }
    public Dictionary<string, string> CustomFields { get; set; } = new Dictionary<string, string>();

    public override string ToString() => ShipmentId?.ToString() ?? TrackingNumber ?? "";

    internal static WebhookShipment Parse(JsonElement e) => new WebhookShipment
    {
        ShipmentId = JsonRead.Long(e, "shipmentId"),
        ReturnRequestId = JsonRead.Long(e, "returnRequestId"),
        ShipmentNumber = JsonRead.String(e, "shipmentNumber"),
        TrackingNumber = JsonRead.String(e, "trackingNumber"),
        ReferenceNumber = JsonRead.String(e, "referenceNumber"),
        SellerReferenceNumber = JsonRead.String(e, "sellerReferenceNumber"),
        ServiceType = JsonRead.String(e, "serviceType") ?? JsonRead.String(e, "shipmentServiceType"),
        // The table says shipToWarehouse, the sample shipToWarehouseId, the older shape warehouseId.
        ShipToWarehouseId = JsonRead.Int(e, "shipToWarehouseId") ?? JsonRead.Int(e, "shipToWarehouse") ?? JsonRead.Int(e, "warehouseId"),
        ShipmentStatusCode = JsonRead.String(e, "shipmentStatusCode"),
        LabelId = JsonRead.Long(e, "labelId"),
        ReceiveDate = OutputTime.Utc(JsonRead.Time(e, "receiveDate") ?? JsonRead.Time(e, "receiveDateStr")),
        CustomFields = JsonRead.StringMap(e, "customFieldMap"),
    };
}

/// <summary>A label result (labelGenerated, and the label of a version 1 arrival).</summary>
public sealed class WebhookLabel
{
    public long? LabelId { get; set; }
    public long? ShipmentId { get; set; }
    public long? ApiId { get; set; }
    public string RefKey { get; set; }
    public string ReferenceNumber { get; set; }
    public long? LabelRequestId { get; set; }
    /// <summary>success, fail, queued, ... (some payloads send an undocumented integer; it passes through as text).</summary>
    public string LabelRequestStatusCode { get; set; }
    public string ServiceType { get; set; }
    public string TrackingNumber { get; set; }
    public string LabelUrl { get; set; }
    public string QrcodeUrl { get; set; }
    public string QrcodeError { get; set; }
    /// <summary>The carrier's error (often JSON inside a string) when the label failed.</summary>
    public string Error { get; set; }
    public DateTimeOffset? CancelCutoffTime { get; set; }
    /// <summary>Region code to label URL (e.g. RHCN).</summary>
    public Dictionary<string, string> Regions { get; set; } = new Dictionary<string, string>();

    public override string ToString() => LabelId?.ToString() ?? "";

    internal static WebhookLabel Parse(JsonElement e) => new WebhookLabel
    {
        LabelId = JsonRead.Long(e, "labelId"),
        ShipmentId = JsonRead.Long(e, "shipmentId"),
        ApiId = JsonRead.Long(e, "apiId"),
        RefKey = JsonRead.String(e, "refKey"),
        ReferenceNumber = JsonRead.String(e, "referenceNumber"),
        LabelRequestId = JsonRead.Long(e, "labelRequestId"),
        LabelRequestStatusCode = JsonRead.String(e, "labelRequestStatusCode"),
        ServiceType = JsonRead.String(e, "serviceType"),
        TrackingNumber = JsonRead.String(e, "trackingNumber"),
        LabelUrl = JsonRead.String(e, "labelUrl"),
        QrcodeUrl = JsonRead.String(e, "qrcodeUrl"),
        QrcodeError = JsonRead.String(e, "qrcodeError"),
        Error = JsonRead.String(e, "error"),
        CancelCutoffTime = OutputTime.Utc(JsonRead.Time(e, "cancelCutoffTime")),
        Regions = JsonRead.StringMap(e, "regions"),
    };
}
