using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper;

/// <summary>
/// A return inventory: one received parcel (or part of one) held at a warehouse. A row of a listing
/// (ReturnInventory/list) has only the fields the listing returns (<see cref="IsPartial"/>); every other field is
/// null, never a default that could pass for a real value.
/// </summary>
public sealed class Inventory
{
    public long ReturnInventoryId { get; set; }
    public string Rma { get; set; }
    public string Sku { get; set; }
    public int? WarehouseId { get; set; }
    public string HandlingCode { get; set; }
    public string HandlingStatusCode { get; set; }
    /// <summary>UTC, offset +00:00, like every time of the module.</summary>
    public DateTimeOffset? CreateOn { get; set; }
    public string Description { get; set; }
    public long? ApiId { get; set; }
    public long? ReturnRequestId { get; set; }
    public string ReturnRequestLineItemId { get; set; }
    public string SellerReferenceNumber { get; set; }
    public int? Quantity { get; set; }
    public decimal? Weight { get; set; }
    public string WeightUom { get; set; }
    public decimal? Dimension1 { get; set; }
    public decimal? Dimension2 { get; set; }
    public decimal? Dimension3 { get; set; }
    public string DimensionUom { get; set; }
    public decimal? Value { get; set; }
    public string ValueCurrencyCode { get; set; }
    public string WarehouseRemarks { get; set; }
    public DateTimeOffset? HandlingUpdatedOn { get; set; }
    public DateTimeOffset? CompleteOn { get; set; }
    public DateTimeOffset? ModifyOn { get; set; }
    /// <summary>Photo URLs (original size), built from the photo host and the S3 keys; null for a listing row.</summary>
    public UrlList ImageUrls { get; set; }
    /// <summary>The photo URLs as one text, separated by <see cref="Recall.TextSeparator"/> (for CSV).</summary>
    public string ImageUrlText => ImageUrls?.ToString();
    /// <summary>Thumbnail URLs (small size); null for a listing row.</summary>
    public UrlList ThumbnailUrls { get; set; }
    /// <summary>The thumbnail URLs as one text, separated by <see cref="Recall.TextSeparator"/> (for CSV).</summary>
    public string ThumbnailUrlText => ThumbnailUrls?.ToString();
    /// <summary>
    /// True when a value-added service on the inventory is still pending (blocks handling and recalls); null when
    /// not known (a listing row: the listing does not return VAS).
    /// </summary>
    public bool? HasPendingVas { get; set; }
    /// <summary>Metadata maps (EAN, IMEI, LPN, shipment custom fields) keyed by "metaType.key"; null for a listing row.</summary>
    public MetaMap Meta { get; set; }
    /// <summary>The metadata as one text, "key=value" pairs separated by <see cref="Recall.TextSeparator"/> (for CSV).</summary>
    public string MetaText => Meta?.ToString();
    public string Environment { get; set; }
    /// <summary>
    /// True for a row of a listing (Get-RrInventory by date): only ReturnInventoryId, Rma, Sku, WarehouseId,
    /// HandlingCode, HandlingStatusCode, CreateOn, ReturnRequestId and ReturnRequestLineItemId are filled; the rest
    /// is null. Pipe the row to Get-RrInventory for the full record.
    /// </summary>
    public bool IsPartial { get; set; }

    public override string ToString() => ReturnInventoryId.ToString();

    // Shared by every record without photos: the list cannot be changed.
    private static readonly UrlList NoUrls = new UrlList(new string[0]);

    /// <summary>
    /// Reads the full record (GetReturnInventory), a list row (ReturnInventory/list: <paramref name="listRow"/>) or a
    /// webhook record. A full record without photos, VAS or metadata has empty lists and HasPendingVas false; a
    /// list row, which never has them, leaves them null.
    /// </summary>
    /// <remarks>
    /// One pass over the record's members: a list walk parses every row of up to a hundred thousand, and looking up
    /// each of the thirty-odd fields by name (most of them absent from a list row) was most of its cost.
    /// </remarks>
    internal static Inventory Parse(JsonElement e, string environment, Uri photoBase, bool listRow = false)
    {
        var inv = new Inventory { Environment = environment, IsPartial = listRow };
        if (!listRow)
        {
            inv.HasPendingVas = false;
            inv.Meta = new MetaMap();
        }
        string rma = null, itemRma = null, warehouseRma = null;
        List<JsonElement> images = null, imageList = null;
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in e.EnumerateObject())
            {
                var v = member.Value;
                switch (member.Name)
                {
                    case "returnInventoryId": inv.ReturnInventoryId = JsonRead.AsLong(v) ?? 0; break;
                    case "rma": rma = JsonRead.AsString(v); break;
                    case "itemRma": itemRma = JsonRead.AsString(v); break;
                    case "warehouseRma": warehouseRma = JsonRead.AsString(v); break;
                    case "sku": inv.Sku = JsonRead.AsString(v); break;
                    case "warehouseId": inv.WarehouseId = JsonRead.AsInt(v); break;
                    case "handlingCode": inv.HandlingCode = Codes.Handling(JsonRead.AsString(v)); break;
                    case "handlingStatusCode": inv.HandlingStatusCode = Codes.HandlingStatus(JsonRead.AsString(v)); break;
                    case "createOn": inv.CreateOn = OutputTime.Utc(Time(e, member)); break;
                    case "description": inv.Description = JsonRead.AsString(v); break;
                    case "apiId": inv.ApiId = JsonRead.AsLong(v); break;
                    case "returnRequestId": inv.ReturnRequestId = JsonRead.AsLong(v); break;
                    case "returnRequestLineItemId": inv.ReturnRequestLineItemId = JsonRead.AsString(v); break;
                    case "sellerReferenceNumber": inv.SellerReferenceNumber = JsonRead.AsString(v); break;
                    case "quantity": inv.Quantity = JsonRead.AsInt(v); break;
                    case "weight": inv.Weight = JsonRead.AsDecimal(v); break;
                    case "weightUom": inv.WeightUom = JsonRead.AsString(v); break;
                    case "dimension1": inv.Dimension1 = JsonRead.AsDecimal(v); break;
                    case "dimension2": inv.Dimension2 = JsonRead.AsDecimal(v); break;
                    case "dimension3": inv.Dimension3 = JsonRead.AsDecimal(v); break;
                    case "dimensionUom": inv.DimensionUom = JsonRead.AsString(v); break;
                    case "value": inv.Value = JsonRead.AsDecimal(v); break;
                    case "valueCurrencyCode": inv.ValueCurrencyCode = JsonRead.AsString(v); break;
                    case "warehouseRemarks": inv.WarehouseRemarks = JsonRead.AsString(v); break;
                    case "handlingUpdatedOn": inv.HandlingUpdatedOn = OutputTime.Utc(Time(e, member)); break;
                    case "completeOn": inv.CompleteOn = OutputTime.Utc(Time(e, member)); break;
                    case "modifyOn": inv.ModifyOn = OutputTime.Utc(Time(e, member)); break;
                    case "returnRequestLineItemImages": images = JsonRead.Array(e, member.Name).ToList(); break;
                    case "imageList": imageList = JsonRead.Array(e, member.Name).ToList(); break;
                    case "returnRequestLineItemVasList":
                        inv.HasPendingVas = JsonRead.Array(e, member.Name).Any(x => JsonRead.Bool(x, "isFinished") == false);
                        break;
                    case "returnInventoryMetaList":
                        inv.Meta = inv.Meta ?? new MetaMap();
                        foreach (var meta in JsonRead.Array(e, member.Name))
                        {
                            var type = JsonRead.String(meta, "metaType") ?? "meta";
                            foreach (var kv in JsonRead.StringMap(meta, "metaMap")) inv.Meta[type + "." + kv.Key] = kv.Value;
                        }
                        break;
                }
            }
        }
        inv.Rma = rma ?? itemRma ?? warehouseRma;
        if (images == null && imageList == null)
        {
            inv.ImageUrls = inv.ThumbnailUrls = listRow ? null : NoUrls;
        }
        else
        {
            images = images ?? new List<JsonElement>();
            imageList = imageList ?? new List<JsonElement>();
            inv.ImageUrls = new UrlList(images.Select(i => PhotoUrl(photoBase, JsonRead.String(i, "s3OriginalFileKey") ?? JsonRead.String(i, "s3LargeFileKey")))
                .Concat(imageList.Select(i => JsonRead.String(i, "imageUrl") ?? PhotoUrl(photoBase, JsonRead.String(i, "imageKey"))))
                .Where(u => u != null).ToArray());
            inv.ThumbnailUrls = new UrlList(images.Select(i => PhotoUrl(photoBase, JsonRead.String(i, "s3SmallFileKey"))).Where(u => u != null).ToArray());
        }
        return inv;
    }

    /// <summary>
    /// The common ISO 8601 UTC form ("...Z", as every list row has) through the JSON reader's own, faster parser;
    /// anything else through JsonRead.Time, which also reads times without a zone as UTC.
    /// </summary>
    private static DateTime? Time(JsonElement record, JsonProperty member)
        => member.Value.ValueKind == JsonValueKind.String && member.Value.TryGetDateTime(out var t) && t.Kind == DateTimeKind.Utc
            ? t : JsonRead.Time(record, member.Name);

    /// <summary>Photo keys are opaque paths on a public host; the host depends on the environment.</summary>
    private static string PhotoUrl(Uri photoBase, string key)
    {
        if (string.IsNullOrEmpty(key)) return null;
        if (Uri.TryCreate(key, UriKind.Absolute, out var abs) && (abs.Scheme == "https" || abs.Scheme == "http")) return abs.AbsoluteUri;
        return new Uri(photoBase, key.TrimStart('/')).AbsoluteUri;
    }
}

/// <summary>A handling type from the Public API (handling/getAllHandlings).</summary>
public sealed class HandlingType
{
    public string HandlingCode { get; set; }
    public string HandlingDescription { get; set; }
    public override string ToString() => HandlingCode;

    internal static HandlingType Parse(JsonElement e) => new HandlingType
    {
        HandlingCode = Codes.Handling(JsonRead.String(e, "handlingCode")),
        HandlingDescription = JsonRead.String(e, "handlingDescription"),
    };
}

/// <summary>A Return Helper warehouse (warehouse/getAllWarehouse).</summary>
public sealed class Warehouse
{
    public int WarehouseId { get; set; }
    public string Description { get; set; }
    public string CountryCode { get; set; }
    public string CompanyName { get; set; }
    public string ContactName { get; set; }
    public string Phone { get; set; }
    public string Email { get; set; }
    public string Street1 { get; set; }
    public string Street2 { get; set; }
    public string Street3 { get; set; }
    public string City { get; set; }
    public string State { get; set; }
    public string PostalCode { get; set; }
    public string AddressType { get; set; }
    public override string ToString() => Description ?? WarehouseId.ToString();

    internal static Warehouse Parse(JsonElement e) => new Warehouse
    {
        WarehouseId = JsonRead.Int(e, "warehouseId") ?? 0,
        Description = JsonRead.String(e, "description"),
        CountryCode = JsonRead.String(e, "countryCode"),
        CompanyName = JsonRead.String(e, "companyName"),
        ContactName = JsonRead.String(e, "contactName"),
        Phone = JsonRead.String(e, "phone"),
        Email = JsonRead.String(e, "email"),
        Street1 = JsonRead.String(e, "street1"),
        Street2 = JsonRead.String(e, "street2"),
        Street3 = JsonRead.String(e, "street3"),
        City = JsonRead.String(e, "city"),
        State = JsonRead.String(e, "state"),
        PostalCode = JsonRead.String(e, "postalCode"),
        AddressType = JsonRead.String(e, "addressType"),
    };
}
