using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ReturnsHelper.Http;
using ReturnsHelper.Json;

namespace ReturnsHelper;

/// <summary>A recall: inventories shipped from an overseas warehouse to the Hong Kong warehouse.</summary>
public sealed class Recall
{
    public long RecallId { get; set; }
    public string RecallNumber { get; set; }
    public string RecallStatusCode { get; set; }
    public int? WarehouseId { get; set; }
    public string WarehouseRemarks { get; set; }
    public long? ApiId { get; set; }
    /// <summary>When the service created the recall (UTC, offset +00:00).</summary>
    public DateTimeOffset? CreateOn { get; set; }

    private static readonly RecallInventory[] NoLines = new RecallInventory[0];
    private RecallInventory[] lines = NoLines;

    /// <summary>
    /// The inventories in this recall. An inventory taken out by a partial cancel (Stop-RrRecall
    /// -ReturnInventoryId) is in <see cref="RemovedInventoryList"/> instead; a recall cancelled as a whole keeps
    /// every inventory here, each with the status canceled. Assigning it takes every line as the service sends
    /// it (removed ones included), so what is read back is the lines that are still in the recall.
    /// </summary>
    public RecallInventoryCollection RecallInventoryList
    {
        get => IsCancelled(RecallStatusCode) ? new RecallInventoryCollection(lines) : Lines(active: true);
        set
        {
            lines = value?.ToArray() ?? NoLines;
            foreach (var line in lines) line.Recall = this; // each line answers RecallId, RecallNumber and WarehouseId from here
        }
    }

    /// <summary>
    /// Inventories taken out of this recall while it goes on (their line is canceled, the recall is not).
    /// Empty once the whole recall is cancelled: then every line is canceled and stays in <see cref="RecallInventoryList"/>.
    /// </summary>
    public RecallInventoryCollection RemovedInventoryList
        => IsCancelled(RecallStatusCode) ? RecallInventoryCollection.Empty : Lines(active: false);

    private RecallInventoryCollection Lines(bool active) => new RecallInventoryCollection(lines.Where(i => IsCancelled(i.RecallInventoryStatusCode) != active).ToArray());

    /// <summary>Every line the service listed, removed ones included, in its order (what the ledger records).</summary>
    internal RecallInventory[] AllLines => lines;

    /// <summary>True when <paramref name="returnInventoryId"/> is or was in this recall (removed inventories included).</summary>
    internal bool Holds(long returnInventoryId) => lines.Any(i => i.ReturnInventoryId == returnInventoryId);

    /// <summary>The environment the recall was created in (Sandbox, Production, China or Custom).</summary>
    public string Environment { get; set; }

    /// <summary>
    /// True when New-RrRecall did not create this recall now: the local ledger knew its inventories to be in it
    /// already (a rerun), so nothing was sent for them.
    /// </summary>
    public bool AlreadyExisted { get; set; }
    /// <summary>When the local ledger last heard of this recall (UTC, offset +00:00), and from what: create, cancel, remove, webhook.</summary>
    public DateTimeOffset? LedgerUpdatedOn { get; set; }
    public string LedgerSource { get; set; }

    /// <summary>How many inventories are in the recall (<see cref="RecallInventoryList"/>).</summary>
    public int Items => RecallInventoryList.Count;

    /// <summary>The return inventory ids in this recall (convenience for piping; in a CSV, the ids separated by <see cref="TextSeparator"/>).</summary>
    public InventoryIdList ReturnInventoryIds => new InventoryIdList(RecallInventoryList.Select(i => i.ReturnInventoryId).ToArray());

    /// <summary>The same ids as one text, separated by <see cref="TextSeparator"/>: what a CSV cell can hold.</summary>
    public string ReturnInventoryIdText => RecallInventoryList.ToString();

    /// <summary>The return inventory ids taken out of this recall by a partial cancel, separated by <see cref="TextSeparator"/>.</summary>
    public string RemovedReturnInventoryIdText => RemovedInventoryList.ToString();

    /// <summary>What separates the values of a list in its text ("11;12;13"); no id or code contains it.</summary>
    public const string TextSeparator = ";";

    internal static bool IsCancelled(string status)
        => string.Equals(status, "canceled", StringComparison.OrdinalIgnoreCase) || string.Equals(status, "cancelled", StringComparison.OrdinalIgnoreCase);

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
            CreateOn = OutputTime.Utc(JsonRead.Time(body, "createOn")),
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
    /// <summary>The recall this line belongs to (set when the line is put in a recall); not a property, so output stays flat.</summary>
    internal Recall Recall;

    // First, so a CSV of expanded lines (Select-Object -ExpandProperty RecallInventoryList | Export-Csv) starts with its recall.
    public long? RecallId => Recall?.RecallId;
    public string RecallNumber => Recall?.RecallNumber;
    public int? WarehouseId => Recall?.WarehouseId;

    public long RecallInventoryId { get; set; }
    public long ReturnInventoryId { get; set; }
    public string RecallInventoryStatusCode { get; set; }
    public string PickUpCode { get; set; }
    public string TrackingNumber { get; set; }
    public string ListName { get; set; }
    public decimal? Weight { get; set; }
    public decimal? Amount { get; set; }
    /// <summary>When the inventory was picked up at the recall destination (UTC, offset +00:00).</summary>
    public DateTimeOffset? PickUpOn { get; set; }
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
        PickUpOn = OutputTime.Utc(JsonRead.Time(e, "pickUpOn")),
        CourierTrackingNumber = JsonRead.String(e, "courierTrackingNumber"),
        Remarks = JsonRead.String(e, "remarks"),
        RecallServiceType = JsonRead.String(e, "recallServiceType"),
        Rma = JsonRead.String(e, "rma"),
    };
}
