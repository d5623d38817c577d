using System.Globalization;
using System.Text.Json;
using ReturnsHelper.Emulator.Domain;
using ReturnsHelper.Emulator.Http;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Api;

/// <summary>Which documented form of the return-inventory object to write.</summary>
internal enum InventoryShape
{
    /// <summary><c>ReturnInventory/GetReturnInventory</c> and the control surface.</summary>
    Api,

    /// <summary><c>newInventoryCreated</c> (2024 format): string codes, the id as a JSON string, <c>imageList</c>.</summary>
    CreatedEvent,

    /// <summary><c>completeInventoryHandling</c> (older format): integer codes, <c>completeBy</c>.</summary>
    CompletedEvent,
}

/// <summary>The API's objects in their wire shapes, shared by the API, the control surface and the webhooks.</summary>
internal static class WireFormat
{
    /// <summary>Where photos are served from in the sandbox; keys are appended as they are.</summary>
    private const string PhotoHost = "https://rr-dev-files.returnshelper.com/";

    /// <summary>The warehouse's own api id in every documented payload.</summary>
    private const int WarehouseApiId = 3;

    public static void WriteRecallList(Utf8JsonWriter writer, IEnumerable<Recall> recalls, RecallShape shape)
    {
        writer.WriteStartArray("recallList");
        foreach (var recall in recalls)
        {
            WriteRecall(writer, recall, shape);
        }

        writer.WriteEndArray();
    }

    public static void WriteRecall(Utf8JsonWriter writer, Recall recall, RecallShape shape = RecallShape.Flat)
    {
        writer.WriteStartObject();
        if (shape == RecallShape.Nested)
        {
            writer.WriteStartObject("recall");
            WriteRecallFields(writer, recall, "warehosueRemarks");
            writer.WriteEndObject();
        }
        else
        {
            WriteRecallFields(writer, recall, "warehouseRemarks");
        }

        writer.WriteStartArray("recallInventoryList");
        foreach (var item in recall.RecallInventoryList)
        {
            WriteRecallInventory(writer, item);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteRecallFields(Utf8JsonWriter writer, Recall recall, string remarksProperty)
    {
        writer.WriteNumber("apiId", recall.ApiId);
        writer.WriteNumber("recallId", recall.RecallId);
        writer.WriteNumber("warehouseId", recall.WarehouseId);
        writer.WriteString("recallNumber", recall.RecallNumber);
        writer.WriteString("recallStatusCode", recall.RecallStatusCode.Wire());
        writer.WriteString(remarksProperty, recall.WarehouseRemarks);
        writer.WriteString("createOn", recall.CreateOn);
    }

    private static void WriteRecallInventory(Utf8JsonWriter writer, RecallInventory item)
    {
        writer.WriteStartObject();
        writer.WriteNumber("recallInventoryId", item.RecallInventoryId);
        writer.WriteNumber("returnInventoryId", item.ReturnInventoryId);
        writer.WriteString("recallInventoryStatusCode", item.RecallInventoryStatusCode.Wire());
        writer.WriteString("pickUpCode", item.PickUpCode);
        writer.WriteString("trackingNumber", item.TrackingNumber);
        writer.WriteString("listName", item.ListName);
        writer.WriteNullableNumber("weight", item.Weight);
        writer.WriteNullableNumber("amount", item.Amount);
        writer.WriteDate("pickUpOn", item.PickUpOn);
        writer.WriteString("courierTrackingNumber", item.CourierTrackingNumber);
        writer.WriteString("remarks", item.Remarks);
        writer.WriteString("recallServiceType", item.RecallServiceType);
        writer.WriteString("rma", item.Rma);
        writer.WriteEndObject();
    }

    public static void WriteInventory(Utf8JsonWriter writer, Inventory inventory, InventoryShape shape = InventoryShape.Api)
    {
        writer.WriteStartObject();
        WriteInventoryFields(writer, inventory, shape);
        writer.WriteEndObject();
    }

    /// <summary>The members of an inventory, without the braces (GetReturnInventory puts them at top level).</summary>
    public static void WriteInventoryFields(Utf8JsonWriter writer, Inventory inventory, InventoryShape shape = InventoryShape.Api)
    {
        if (shape == InventoryShape.CreatedEvent)
        {
            writer.WriteString("returnInventoryId", inventory.ReturnInventoryId.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNumber("returnInventoryId", inventory.ReturnInventoryId);
        }

        writer.WriteNumber("warehouseId", inventory.WarehouseId);
        writer.WriteNumber("apiId", inventory.ApiId);
        if (shape != InventoryShape.CreatedEvent)
        {
            writer.WriteNumber("returnRequestId", inventory.ReturnRequestId);
            writer.WriteNumber("returnRequestLineItemId", inventory.ReturnRequestLineItemId);
        }

        writer.WriteString("rma", inventory.Rma);
        writer.WriteString("sku", inventory.Sku);
        writer.WriteString("description", inventory.Description);
        writer.WriteNumber("quantity", inventory.Quantity);
        WriteWeightAndDimensions(writer, inventory);
        writer.WriteNumber("value", inventory.Value);
        writer.WriteString("valueCurrencyCode", inventory.ValueCurrencyCode);
        if (shape == InventoryShape.CompletedEvent)
        {
            writer.WriteNumber("handlingCode", (int)inventory.HandlingCode);
            writer.WriteNumber("handlingStatusCode", (int)inventory.HandlingStatusCode);
            writer.WriteString("completeBy", inventory.CompleteOn is null ? null : WarehouseApiId.ToString(CultureInfo.InvariantCulture));
            writer.WriteNumber("warehouseApiId", WarehouseApiId);
        }
        else
        {
            writer.WriteString("handlingCode", inventory.HandlingCode.Wire());
            writer.WriteString("handlingStatusCode", inventory.HandlingStatusCode.Wire());
        }

        writer.WriteDate("handlingUpdatedOn", inventory.HandlingUpdatedOn);
        writer.WriteDate("completeOn", inventory.CompleteOn);
        writer.WriteString("warehouseRemarks", inventory.WarehouseRemarks);
        writer.WriteString("createOn", inventory.CreateOn);
        writer.WriteString("modifyOn", inventory.ModifyOn);
        if (shape == InventoryShape.Api)
        {
            WriteImages(writer, inventory);
            WriteVasList(writer, inventory);
        }
        else
        {
            WriteImageList(writer, inventory);
        }

        writer.WriteStartArray("returnInventoryMetaList");
        writer.WriteEndArray();
    }

    private static void WriteImages(Utf8JsonWriter writer, Inventory inventory)
    {
        writer.WriteStartArray("returnRequestLineItemImages");
        foreach (var image in inventory.Images ?? [])
        {
            writer.WriteStartObject();
            writer.WriteNumber("returnRequestLineItemImageId", image.ReturnRequestLineItemImageId);
            writer.WriteString("filename", image.Filename);
            writer.WriteString("fileExt", image.FileExt);
            writer.WriteString("s3OriginalFileKey", image.S3OriginalFileKey);
            writer.WriteString("s3SmallFileKey", image.S3SmallFileKey);
            writer.WriteString("s3MediumFileKey", image.S3MediumFileKey);
            writer.WriteString("s3LargeFileKey", image.S3LargeFileKey);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteVasList(Utf8JsonWriter writer, Inventory inventory)
    {
        writer.WriteStartArray("returnRequestLineItemVasList");
        foreach (var vas in inventory.VasList ?? [])
        {
            WriteVas(writer, inventory, vas);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// A VAS request (ReturnRequestLineItemVasPayload) plus what the emulator adds so a client can follow it without
    /// webhooks: <c>vasStatusCode</c>, <c>imageUrlList</c> and <c>splitReturnInventoryIdList</c> (README decisions).
    /// </summary>
    public static void WriteVas(Utf8JsonWriter writer, Inventory inventory, InventoryVas vas)
    {
        writer.WriteStartObject();
        writer.WriteNumber("returnRequestLineItemVasId", vas.ReturnRequestLineItemVasId);
        writer.WriteNumber("returnRequestLineItemId", inventory.ReturnRequestLineItemId);
        writer.WriteString("vasCode", vas.VasCode);
        writer.WriteNullableNumber("metaQuantity", vas.MetaQuantity);
        writer.WriteString("notes", vas.Notes);
        writer.WriteString("vasResult", vas.VasResult);
        writer.WriteString("vasStatusCode", vas.Status.Wire());
        writer.WriteBoolean("isFinished", vas.IsFinished);
        WriteVasPhotos(writer, vas);
        writer.WriteStartArray("splitReturnInventoryIdList");
        foreach (long id in vas.SplitReturnInventoryIds ?? [])
        {
            writer.WriteNumberValue(id);
        }

        writer.WriteEndArray();
        writer.WriteDate("createOn", vas.CreateOn);
        writer.WriteDate("modifyOn", vas.ModifyOn);
        writer.WriteEndObject();
    }

    public static void WriteVasPhotos(Utf8JsonWriter writer, InventoryVas vas)
    {
        writer.WriteStartArray("imageUrlList");
        foreach (string key in vas.PhotoKeys ?? [])
        {
            writer.WriteStringValue(PhotoHost + key);
        }

        writer.WriteEndArray();
    }

    private static void WriteImageList(Utf8JsonWriter writer, Inventory inventory)
    {
        writer.WriteStartArray("imageList");
        foreach (var image in inventory.Images ?? [])
        {
            writer.WriteStartObject();
            writer.WriteString("imageUrl", PhotoHost + image.S3OriginalFileKey);
            writer.WriteString("imageKey", image.S3OriginalFileKey);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The return request line item an inventory is (older webhook style: integer handling code).</summary>
    public static void WriteLineItemFields(Utf8JsonWriter writer, Inventory inventory)
    {
        writer.WriteNumber("returnRequestLineItemId", inventory.ReturnRequestLineItemId);
        writer.WriteNumber("apiId", inventory.ApiId);
        writer.WriteNumber("returnRequestId", inventory.ReturnRequestId);
        writer.WriteString("returnRequestLineItemNumber",
            $"RL{inventory.CreateOn.ToString("yyMMdd", CultureInfo.InvariantCulture)}-{inventory.ReturnRequestLineItemId % 10_000_000:D7}");
        writer.WriteString("sellerReferenceNumber", $"RL{inventory.ReturnRequestLineItemId}");
        writer.WriteString("description", inventory.Description);
        writer.WriteNumber("quantity", inventory.Quantity);
        writer.WriteNumber("weight", inventory.Weight);
        writer.WriteString("weightUom", "g");
        writer.WriteString("valueCurrencyCode", inventory.ValueCurrencyCode);
        writer.WriteNumber("value", inventory.Value);
        writer.WriteNumber("handlingCode", (int)inventory.HandlingCode);
        writer.WriteBoolean("isDeleted", false);
        writer.WriteBoolean("isFraudulent", false);
        writer.WriteNull("fraudReasonCode");
        writer.WriteString("itemRma", inventory.Rma);
    }

    /// <summary>A <c>ReturnInventory/list</c> row.</summary>
    public static void WriteInventoryRow(Utf8JsonWriter writer, Inventory inventory)
    {
        writer.WriteStartObject();
        writer.WriteNumber("returnInventoryId", inventory.ReturnInventoryId);
        writer.WriteNumber("returnRequestId", inventory.ReturnRequestId);
        writer.WriteString("returnRequestLineItemId", inventory.ReturnRequestLineItemId.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("rma", inventory.Rma);
        writer.WriteString("itemRma", inventory.Rma);
        writer.WriteString("sku", inventory.Sku);
        writer.WriteString("handlingCode", inventory.HandlingCode.Wire());
        writer.WriteString("handlingStatusCode", inventory.HandlingStatusCode.Wire());
        writer.WriteNumber("warehouseId", inventory.WarehouseId);
        writer.WriteString("createOn", inventory.CreateOn);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The ResendPayload members (API notes 4.6) without braces. <c>returnInventoryId</c> and the line item are the
    /// first inventory's (the documented model has one); <c>returnInventoryIdList</c> lists every inventory of the group.
    /// </summary>
    public static void WriteResendFields(Utf8JsonWriter writer, Resend resend, StateData data)
    {
        var first = data.FindInventory(resend.Lines[0].ReturnInventoryId)!;
        writer.WriteNumber("resendId", resend.ResendId);
        writer.WriteNumber("warehouseId", resend.WarehouseId);
        writer.WriteNumber("returnInventoryId", first.ReturnInventoryId);
        writer.WriteNumber("returnRequestLineItemId", first.ReturnRequestLineItemId);
        writer.WriteStartArray("returnInventoryIdList");
        foreach (var line in resend.Lines)
        {
            writer.WriteNumberValue(line.ReturnInventoryId);
        }

        writer.WriteEndArray();
        writer.WriteString("resendNumber", resend.ResendNumber);
        writer.WriteNumber("resendStatusCode", ResendOperations.Wire(resend.ResendStatusCode));
        writer.WriteString("description", resend.Description);
        writer.WriteString("remarks", resend.Remarks);
        writer.WriteString("warehouseRemarks", resend.WarehouseRemarks);
        writer.WriteString("createOn", resend.CreateOn);
        writer.WriteString("modifyOn", resend.ModifyOn);
    }

    public static void WriteResendShipmentList(Utf8JsonWriter writer, Resend resend)
    {
        var shipment = resend.Shipment;
        writer.WriteStartArray("resendShipmentList");
        writer.WriteStartObject();
        writer.WriteNumber("resendShipmentId", shipment.ResendShipmentId);
        writer.WriteNumber("resendId", resend.ResendId);
        writer.WriteNumber("warehouseId", resend.WarehouseId);
        writer.WriteString("resendShipmentNumber", shipment.ResendShipmentNumber);
        writer.WriteString("shipmentServiceType", shipment.ShipmentServiceType);
        writer.WriteString("shipmentCountryCode", shipment.ShipmentCountryCode);
        writer.WriteString("shipmentName", shipment.ShipmentName);
        writer.WriteString("shipmentPhone", shipment.ShipmentPhone);
        writer.WriteString("shipmentFax", shipment.ShipmentFax);
        writer.WriteString("shipmentEmail", shipment.ShipmentEmail);
        writer.WriteString("shipmentStreet1", shipment.ShipmentStreet1);
        writer.WriteString("shipmentStreet2", shipment.ShipmentStreet2);
        writer.WriteString("shipmentStreet3", shipment.ShipmentStreet3);
        writer.WriteString("shipmentState", shipment.ShipmentState);
        writer.WriteString("shipmentCity", shipment.ShipmentCity);
        writer.WriteString("shipmentPostalCode", shipment.ShipmentPostalCode);
        writer.WriteString("trackingNumber", shipment.TrackingNumber);
        writer.WriteNumber("cost", resend.Fee);
        writer.WriteString("costCurrencyCode", ResendRates.Currency);
        writer.WriteString("chargeTypeCode", "actualWeight");
        writer.WriteNumber("chargeableWeight", shipment.ChargeableWeight);
        writer.WriteString("shipmentLabelId", shipment.ShipmentLabelId);
        writer.WriteString("error", shipment.Error);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    /// <summary>An inventory's weight and dimensions with their units, as inventories and VAS updates carry them.</summary>
    public static void WriteWeightAndDimensions(Utf8JsonWriter writer, Inventory inventory)
    {
        writer.WriteNumber("weight", inventory.Weight);
        writer.WriteString("weightUom", "g");
        writer.WriteNumber("dimension1", inventory.Dimension1);
        writer.WriteNumber("dimension2", inventory.Dimension2);
        writer.WriteNumber("dimension3", inventory.Dimension3);
        writer.WriteString("dimensionUom", "cm");
    }

    public static void WriteWarehouse(Utf8JsonWriter writer, Warehouse warehouse)
    {
        writer.WriteStartObject();
        writer.WriteNumber("warehouseId", warehouse.WarehouseId);
        writer.WriteString("countryCode", warehouse.CountryCode);
        writer.WriteString("contactName", warehouse.ContactName);
        writer.WriteString("companyName", warehouse.CompanyName);
        writer.WriteString("phone", warehouse.Phone);
        writer.WriteString("email", warehouse.Email);
        writer.WriteNull("fax");
        writer.WriteString("street1", warehouse.Street1);
        writer.WriteNull("street2");
        writer.WriteNull("street3");
        writer.WriteString("state", warehouse.State);
        writer.WriteString("city", warehouse.City);
        writer.WriteString("postalCode", warehouse.PostalCode);
        writer.WriteString("addressType", "business");
        writer.WriteString("description", warehouse.Description);
        writer.WriteEndObject();
    }
}
