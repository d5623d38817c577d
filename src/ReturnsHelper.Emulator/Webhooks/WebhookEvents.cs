using System.Globalization;
using System.Text.Json;
using ReturnsHelper.Emulator.Api;
using ReturnsHelper.Emulator.Http;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Webhooks;

/// <summary>A rendered event: the body bytes are what gets signed and sent, on every attempt.</summary>
internal sealed record WebhookEvent(string NotificationId, string Category, string Action, byte[] Body)
{
    /// <summary>Told the time of the event's first attempt and of its delivery (a soak measures latency with them).</summary>
    public IWebhookObserver? Observer { get; init; }
}

/// <summary>Watches the sending of an event (see <see cref="WebhookEvent.Observer"/>); called on the sender's loop, keep it quick.</summary>
internal interface IWebhookObserver
{
    public void Attempting(WebhookEvent webhookEvent, int attempt, DateTime time);

    public void Delivered(WebhookEvent webhookEvent, DateTime time);
}

/// <summary>
/// The events the emulator sends, in the documented shapes: <c>category</c>, <c>action</c>, <c>eventTime</c>,
/// <c>version</c> and <c>notificationId</c> beside the event's own objects (no <c>data</c> wrapper).
/// Render them under the state lock: they read mutable records.
/// </summary>
internal static class WebhookEvents
{
    public const string Version = "202407";

    public static WebhookEvent InventoryCreated(Inventory inventory) =>
        Create("newInventoryCreated", "newInventoryCreated", writer =>
        {
            writer.WriteStartObject("returnInventory");
            WireFormat.WriteInventoryFields(writer, inventory, InventoryShape.CreatedEvent);
            writer.WriteEndObject();

            // The parcel's shipment; ids as JSON strings as in the documented sample.
            writer.WriteStartObject("shipment");
            writer.WriteString("shipmentId", (inventory.ReturnRequestId + 100_000).ToString(CultureInfo.InvariantCulture));
            writer.WriteString("sellerReferenceNumber", $"S{inventory.ReturnRequestId}");
            writer.WriteString("returnRequestId", inventory.ReturnRequestId.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("trackingNumber", $"9400{inventory.ReturnRequestId:D18}");
            writer.WriteString("referenceNumber", "");
            writer.WriteString("serviceType", "usps");
            writer.WriteStartObject("customFieldMap");
            writer.WriteEndObject();
            writer.WriteNumber("shipToWarehouseId", inventory.WarehouseId);
            writer.WriteString("receiveDate", inventory.CreateOn);
            writer.WriteEndObject();
        });

    /// <param name="updateType">The <c>recallUpdateTypeStatus</c>, e.g. <c>updateTrackingNumber</c>.</param>
    public static WebhookEvent RecallUpdated(Recall recall, string updateType) =>
        Create("recall", "recallUpdateStatus", writer =>
        {
            writer.WritePropertyName("recall");
            WireFormat.WriteRecall(writer, recall);
            writer.WriteString("recallUpdateTypeStatus", updateType);
        });

    /// <summary>
    /// <c>updateResendStatus</c>: the resend, its shipment (tracking, cost, label id, error) and its inventories in the
    /// older payload style (integer codes), as the resend events send them.
    /// </summary>
    public static WebhookEvent ResendUpdated(Resend resend, StateData data) =>
        Create("resend", "updateResendStatus", writer =>
        {
            writer.WriteStartObject("resend");
            WireFormat.WriteResendFields(writer, resend, data);
            writer.WriteEndObject();
            WireFormat.WriteResendShipmentList(writer, resend);
            writer.WriteStartArray("returnInventoryList");
            foreach (var line in resend.Lines)
            {
                WireFormat.WriteInventory(writer, data.FindInventory(line.ReturnInventoryId)!, InventoryShape.CompletedEvent);
            }

            writer.WriteEndArray();
        });

    /// <summary>Older payload style: handling code and status as integers.</summary>
    public static WebhookEvent HandlingCompleted(Inventory inventory) =>
        Create("rinv", "completeInventoryHandling", writer =>
        {
            writer.WriteStartObject("returnInventory");
            WireFormat.WriteInventoryFields(writer, inventory, InventoryShape.CompletedEvent);
            writer.WriteEndObject();
        });

    /// <summary>
    /// rrliv/vasUpdated: the documented <c>updateVasList</c> members, the status as the sample's integer, plus the
    /// request's inventory, line item and code (the documented entry names none of them; README decisions).
    /// </summary>
    public static WebhookEvent VasUpdated(Inventory inventory, InventoryVas vas) =>
        Create("rrliv", "vasUpdated", writer =>
        {
            writer.WriteStartArray("updateVasList");
            writer.WriteStartObject();
            writer.WriteNumber("returnRequestLineItemVasId", vas.ReturnRequestLineItemVasId);
            writer.WriteNumber("returnRequestLineItemId", inventory.ReturnRequestLineItemId);
            writer.WriteNumber("returnInventoryId", inventory.ReturnInventoryId);
            writer.WriteString("vasCode", vas.VasCode);
            writer.WriteString("vasResult", vas.VasResult);
            WireFormat.WriteWeightAndDimensions(writer, inventory);
            writer.WriteNumber("vasStatusCode", (int)vas.Status);
            WireFormat.WriteVasPhotos(writer, vas);
            writer.WriteEndObject();
            writer.WriteEndArray();
        });

    /// <summary>
    /// lineItemVasReturnInventoryLineItem/splitLineItem: a split-parcel request is done; one line item and inventory
    /// per parcel, in the older style (integer codes), <c>vasStatusCode</c> "SUCCESSFUL" as in the sample.
    /// </summary>
    public static WebhookEvent SplitLineItem(Inventory original, InventoryVas vas, IReadOnlyList<Inventory> parcels) =>
        Create("lineItemVasReturnInventoryLineItem", "splitLineItem", writer =>
        {
            writer.WriteNumber("returnRequestId", original.ReturnRequestId);
            writer.WriteNumber("returnRequestLineItemId", original.ReturnRequestLineItemId);
            writer.WriteNumber("returnInventoryId", original.ReturnInventoryId);
            writer.WriteNumber("returnRequestLineItemVasId", vas.ReturnRequestLineItemVasId);
            writer.WriteString("vasStatusCode", "SUCCESSFUL");
            writer.WriteStartArray("splitLineItemAndReturnInventoryList");
            foreach (var parcel in parcels)
            {
                writer.WriteStartObject();
                writer.WriteStartObject("returnRequestLineItem");
                WireFormat.WriteLineItemFields(writer, parcel);
                writer.WriteEndObject();
                writer.WriteStartObject("returnInventory");
                WireFormat.WriteInventoryFields(writer, parcel, InventoryShape.CompletedEvent);
                writer.WriteEndObject();
                writer.WriteNull("returnRequestLineItemSupplement");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

    private static WebhookEvent Create(string category, string action, Action<Utf8JsonWriter> writePayload)
    {
        string notificationId = Ulid.NewUlid();
        byte[] body = Json.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("category", category);
            writer.WriteString("action", action);
            writer.WriteString("eventTime", DateTime.UtcNow);
            writer.WriteString("version", Version);
            writer.WriteString("notificationId", notificationId);
            writePayload(writer);
            writer.WriteEndObject();
        });
        return new WebhookEvent(notificationId, category, action, body);
    }
}
