using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper
{
    /// <summary>A return inventory: one received parcel (or part of one) held at a warehouse.</summary>
    public sealed class Inventory
    {
        public long ReturnInventoryId { get; set; }
        public string Rma { get; set; }
        public string Sku { get; set; }
        public int? WarehouseId { get; set; }
        public string HandlingCode { get; set; }
        public string HandlingStatusCode { get; set; }
        public DateTime? CreateOn { get; set; }
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
        public DateTime? HandlingUpdatedOn { get; set; }
        public DateTime? CompleteOn { get; set; }
        public DateTime? ModifyOn { get; set; }
        /// <summary>Photo URLs (original size), built from the photo host and the S3 keys.</summary>
        public string[] ImageUrls { get; set; } = new string[0];
        /// <summary>Thumbnail URLs (small size).</summary>
        public string[] ThumbnailUrls { get; set; } = new string[0];
        /// <summary>True when a value-added service on the inventory is still pending (blocks handling and recalls).</summary>
        public bool HasPendingVas { get; set; }
        /// <summary>Metadata maps (EAN, IMEI, LPN, shipment custom fields) keyed by "metaType.key".</summary>
        public Dictionary<string, string> Meta { get; set; } = new Dictionary<string, string>();
        public string Environment { get; set; }

        public override string ToString() => ReturnInventoryId.ToString();

        /// <summary>Reads the full record (GetReturnInventory), a list row (ReturnInventory/list) or a webhook record.</summary>
        internal static Inventory Parse(JsonElement e, string environment, Uri photoBase)
        {
            var images = JsonRead.Array(e, "returnRequestLineItemImages").ToList();
            var inv = new Inventory
            {
                ReturnInventoryId = JsonRead.Long(e, "returnInventoryId") ?? 0,
                Rma = JsonRead.String(e, "rma") ?? JsonRead.String(e, "itemRma") ?? JsonRead.String(e, "warehouseRma"),
                Sku = JsonRead.String(e, "sku"),
                WarehouseId = JsonRead.Int(e, "warehouseId"),
                HandlingCode = Codes.Handling(JsonRead.String(e, "handlingCode")),
                HandlingStatusCode = Codes.HandlingStatus(JsonRead.String(e, "handlingStatusCode")),
                CreateOn = JsonRead.Time(e, "createOn"),
                Description = JsonRead.String(e, "description"),
                ApiId = JsonRead.Long(e, "apiId"),
                ReturnRequestId = JsonRead.Long(e, "returnRequestId"),
                ReturnRequestLineItemId = JsonRead.String(e, "returnRequestLineItemId"),
                SellerReferenceNumber = JsonRead.String(e, "sellerReferenceNumber"),
                Quantity = JsonRead.Int(e, "quantity"),
                Weight = JsonRead.Decimal(e, "weight"),
                WeightUom = JsonRead.String(e, "weightUom"),
                Dimension1 = JsonRead.Decimal(e, "dimension1"),
                Dimension2 = JsonRead.Decimal(e, "dimension2"),
                Dimension3 = JsonRead.Decimal(e, "dimension3"),
                DimensionUom = JsonRead.String(e, "dimensionUom"),
                Value = JsonRead.Decimal(e, "value"),
                ValueCurrencyCode = JsonRead.String(e, "valueCurrencyCode"),
                WarehouseRemarks = JsonRead.String(e, "warehouseRemarks"),
                HandlingUpdatedOn = JsonRead.Time(e, "handlingUpdatedOn"),
                CompleteOn = JsonRead.Time(e, "completeOn"),
                ModifyOn = JsonRead.Time(e, "modifyOn"),
                HasPendingVas = JsonRead.Array(e, "returnRequestLineItemVasList").Any(v => JsonRead.Bool(v, "isFinished") == false),
                Environment = environment,
            };
            inv.ImageUrls = images.Select(i => PhotoUrl(photoBase, JsonRead.String(i, "s3OriginalFileKey") ?? JsonRead.String(i, "s3LargeFileKey")))
                .Concat(JsonRead.Array(e, "imageList").Select(i => JsonRead.String(i, "imageUrl") ?? PhotoUrl(photoBase, JsonRead.String(i, "imageKey"))))
                .Where(u => u != null).ToArray();
            inv.ThumbnailUrls = images.Select(i => PhotoUrl(photoBase, JsonRead.String(i, "s3SmallFileKey"))).Where(u => u != null).ToArray();
            foreach (var meta in JsonRead.Array(e, "returnInventoryMetaList"))
            {
                var type = JsonRead.String(meta, "metaType") ?? "meta";
                foreach (var kv in JsonRead.StringMap(meta, "metaMap")) inv.Meta[type + "." + kv.Key] = kv.Value;
            }
            return inv;
        }

        /// <summary>Photo keys are opaque paths on a public host; the host depends on the environment.</summary>
        static string PhotoUrl(Uri photoBase, string key)
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
}
