using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ReturnsHelper.Http;
using ReturnsHelper.Json;

namespace ReturnsHelper
{
    /// <summary>A recall: inventories shipped from an overseas warehouse to the Hong Kong warehouse.</summary>
    public sealed class Recall
    {
        public long RecallId { get; set; }
        public string RecallNumber { get; set; }
        public string RecallStatusCode { get; set; }
        public int? WarehouseId { get; set; }
        public string WarehouseRemarks { get; set; }
        public long? ApiId { get; set; }
        public DateTime? CreateOn { get; set; }
        public RecallInventory[] RecallInventoryList { get; set; } = new RecallInventory[0];
        /// <summary>The environment the recall was created in (Sandbox, Production, China or Custom).</summary>
        public string Environment { get; set; }

        /// <summary>
        /// True when New-RrRecall did not create this recall now: the local ledger knew its inventories to be in it
        /// already (a rerun), so nothing was sent for them.
        /// </summary>
        public bool AlreadyExisted { get; set; }
        /// <summary>When the local ledger last heard of this recall (UTC), and from what: create, cancel, remove, webhook.</summary>
        public DateTime? LedgerUpdatedOn { get; set; }
        public string LedgerSource { get; set; }

        /// <summary>The return inventory ids in this recall (convenience for the default view and for piping).</summary>
        public long[] ReturnInventoryIds => RecallInventoryList.Select(i => i.ReturnInventoryId).ToArray();

        public override string ToString() => RecallNumber ?? RecallId.ToString();

        /// <summary>
        /// Reads one recall in any documented shape: the flat [M] form, the 2022 nested form
        /// <c>{recall:{...}, recallInventoryList:[...]}</c>, and the <c>warehosueRemarks</c> misspelling.
        /// </summary>
        internal static Recall Parse(JsonElement item, string environment)
        {
            var body = JsonRead.TryGet(item, "recall", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : item;
            var inventories = JsonRead.Array(JsonRead.TryGet(item, "recallInventoryList", out _) ? item : body, "recallInventoryList");
            return new Recall
            {
                RecallId = JsonRead.Long(body, "recallId") ?? 0,
                RecallNumber = JsonRead.String(body, "recallNumber") ?? JsonRead.String(body, "recallCode"),
                RecallStatusCode = Codes.RecallStatus(JsonRead.String(body, "recallStatusCode")),
                WarehouseId = JsonRead.Int(body, "warehouseId"),
                WarehouseRemarks = JsonRead.String(body, "warehouseRemarks") ?? JsonRead.String(body, "warehosueRemarks"),
                ApiId = JsonRead.Long(body, "apiId"),
                CreateOn = JsonRead.Time(body, "createOn"),
                RecallInventoryList = inventories.Select(RecallInventory.Parse).ToArray(),
                Environment = environment,
            };
        }

        /// <summary>Reads a recall list wherever the endpoint put it (top level, under data, or data itself).</summary>
        internal static IEnumerable<Recall> ParseList(RrResponse response, string environment)
            => response.PayloadArray("recallList").Select(e => Parse(e, environment));
    }

    /// <summary>One inventory inside a recall.</summary>
    public sealed class RecallInventory
    {
        public long RecallInventoryId { get; set; }
        public long ReturnInventoryId { get; set; }
        public string RecallInventoryStatusCode { get; set; }
        public string PickUpCode { get; set; }
        public string TrackingNumber { get; set; }
        public string ListName { get; set; }
        public decimal? Weight { get; set; }
        public decimal? Amount { get; set; }
        public DateTime? PickUpOn { get; set; }
        public string CourierTrackingNumber { get; set; }
        public string Remarks { get; set; }
        public string RecallServiceType { get; set; }
        public string Rma { get; set; }

        public override string ToString() => ReturnInventoryId.ToString();

        internal static RecallInventory Parse(JsonElement e) => new RecallInventory
        {
            RecallInventoryId = JsonRead.Long(e, "recallInventoryId") ?? 0,
            ReturnInventoryId = JsonRead.Long(e, "returnInventoryId") ?? 0,
            RecallInventoryStatusCode = JsonRead.String(e, "recallInventoryStatusCode"),
            PickUpCode = JsonRead.String(e, "pickUpCode"),
            TrackingNumber = JsonRead.String(e, "trackingNumber"),
            ListName = JsonRead.String(e, "listName"),
            Weight = JsonRead.Decimal(e, "weight"),
            Amount = JsonRead.Decimal(e, "amount"),
            PickUpOn = JsonRead.Time(e, "pickUpOn"),
            CourierTrackingNumber = JsonRead.String(e, "courierTrackingNumber"),
            Remarks = JsonRead.String(e, "remarks"),
            RecallServiceType = JsonRead.String(e, "recallServiceType"),
            Rma = JsonRead.String(e, "rma"),
        };
    }
}
