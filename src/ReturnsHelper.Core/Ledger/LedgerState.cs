using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper.Ledger;

/// <summary>A create batch that was sent (or about to be) and whose answer the ledger never heard.</summary>
public sealed class PendingBatch
{
    public string IdempotencyKey { get; set; }
    /// <summary>Named like the parameter, so <c>Get-RrRecall -Pending | New-RrRecall</c> resends every pending batch.</summary>
    public long[] ReturnInventoryId { get; set; }
    /// <summary>The same ids as one text, separated by <see cref="Recall.TextSeparator"/> (for CSV).</summary>
    public string ReturnInventoryIdText => ReturnInventoryId == null ? null : InventoryIdList.Text(ReturnInventoryId);
    /// <summary>When the batch was recorded (UTC, offset +00:00).</summary>
    public DateTimeOffset Since { get; set; }
    /// <summary>What the batch creates: null for a recall, else the operation's name (e.g. "resend").</summary>
    public string Operation { get; set; }
    /// <summary>The exact request body of a non-recall batch, so it can be resent as the same request with its key.</summary>
    internal string Request { get; set; }
}

/// <summary>
/// What the ledger knows of something other than a recall that a create batch made (a resend): its id and number,
/// the inventories in it, and whether it was cancelled from this machine.
/// </summary>
internal sealed class LedgerRecord
{
    public string Operation { get; set; }
    public long Id { get; set; }
    public string Number { get; set; }
    public long[] ReturnInventoryId { get; set; }
    public bool Cancelled { get; set; }
    /// <summary>When the ledger last heard of it (UTC, offset +00:00).</summary>
    public DateTimeOffset? LedgerUpdatedOn { get; set; }
}

/// <summary>
/// The ledger folded into what is known now: every recall (the latest snapshot, with status updates applied in
/// event-time order), which inventory is in which active recall, and the batches still pending.
/// </summary>
internal sealed class LedgerState
{
    internal readonly string environment;
    private readonly Dictionary<long, Recall> recalls = new Dictionary<long, Recall>();
    private readonly Dictionary<long, DateTime> statusTimes = new Dictionary<long, DateTime>();
    private readonly Dictionary<string, PendingBatch> pending = new Dictionary<string, PendingBatch>(StringComparer.Ordinal);
    private readonly Dictionary<KeyValuePair<string, long>, LedgerRecord> records = new Dictionary<KeyValuePair<string, long>, LedgerRecord>();
    private Dictionary<long, List<Recall>> byInventory;
    private Dictionary<string, Recall> byNumber;

    internal LedgerState(string environment) => this.environment = environment;

    /// <summary>Lines read, and lines skipped because they were damaged (torn by a crash, edited by hand).</summary>
    public int Lines { get; internal set; }
    public int DamagedLines { get; internal set; }

    public IReadOnlyCollection<Recall> Recalls => recalls.Values;

    /// <summary>True when most lines are superseded (and there are enough to matter): worth a <see cref="RecallLedger.CompactIfWorthIt"/>.</summary>
    public bool WorthCompacting => Lines >= RecallLedger.CompactionMinimumLines && Lines >= 2 * (recalls.Count + pending.Count + records.Count);

    /// <summary>The recall batches still pending (what Get-RrRecall -Pending lists).</summary>
    public IReadOnlyCollection<PendingBatch> Pending => pending.Values.Where(p => p.Operation == null).ToList();

    /// <summary>The pending batches of <paramref name="operation"/> (null: recalls).</summary>
    public IEnumerable<PendingBatch> PendingOf(string operation) => pending.Values.Where(p => p.Operation == operation);

    /// <summary>Every pending batch, of any operation (what compaction keeps).</summary>
    internal IReadOnlyCollection<PendingBatch> AllPending => pending.Values;

    /// <summary>Every non-recall record (what compaction keeps).</summary>
    internal IReadOnlyCollection<LedgerRecord> Records => records.Values;

    /// <summary>The record of <paramref name="operation"/> that holds <paramref name="returnInventoryId"/> and was not cancelled, or null.</summary>
    public LedgerRecord ActiveRecordOf(string operation, long returnInventoryId)
        => records.Values.LastOrDefault(r => r.Operation == operation && !r.Cancelled && r.ReturnInventoryId.Contains(returnInventoryId));

    public LedgerRecord FindRecord(string operation, long id) => records.TryGetValue(new KeyValuePair<string, long>(operation, id), out var r) ? r : null;

    /// <summary>The event time of the last webhook status applied to a recall (kept through compaction).</summary>
    internal DateTime? StatusTimeOf(long recallId) => statusTimes.TryGetValue(recallId, out var t) ? t : (DateTime?)null;

    public Recall FindById(long recallId) => recalls.TryGetValue(recallId, out var r) ? r : null;

    public Recall FindByNumber(string recallNumber)
    {
        byNumber = byNumber ?? recalls.Values.Where(r => r.RecallNumber != null)
            .GroupBy(r => r.RecallNumber, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);
        return recallNumber != null && byNumber.TryGetValue(recallNumber.Trim(), out var r) ? r : null;
    }

    /// <summary>Every recall that holds (or held) <paramref name="returnInventoryId"/>, oldest first.</summary>
    public IReadOnlyList<Recall> RecallsOf(long returnInventoryId)
    {
        if (byInventory == null)
        {
            // One index, built on first use after a change: lookups per input id must not scan every recall.
            byInventory = new Dictionary<long, List<Recall>>();
            foreach (var recall in recalls.Values.OrderBy(r => r.RecallId))
                foreach (var id in recall.AllLines.Select(i => i.ReturnInventoryId).Distinct())
                {
                    if (!byInventory.TryGetValue(id, out var list)) byInventory[id] = list = new List<Recall>();
                    list.Add(recall);
                }
        }
        return byInventory.TryGetValue(returnInventoryId, out var found) ? (IReadOnlyList<Recall>)found : new Recall[0];
    }

    /// <summary>The recall that holds <paramref name="returnInventoryId"/> and is not cancelled (for it or as a whole), or null.</summary>
    public Recall ActiveRecallOf(long returnInventoryId)
        => RecallsOf(returnInventoryId).LastOrDefault(r => !IsCancelled(r.RecallStatusCode)
            && r.AllLines.Any(i => i.ReturnInventoryId == returnInventoryId && !IsCancelled(i.RecallInventoryStatusCode)));

    /// <summary>The pending batches that hold <paramref name="returnInventoryId"/>.</summary>
    public IEnumerable<PendingBatch> PendingWith(long returnInventoryId, string operation = null)
        => pending.Values.Where(p => p.Operation == operation && p.ReturnInventoryId.Contains(returnInventoryId));

    private static bool IsCancelled(string status) => Recall.IsCancelled(status);

    /// <summary>One ledger line, read (on any thread: parsing is the costly part of a read) but not yet applied.</summary>
    internal sealed class Event
    {
        public string Kind, Key, Source, Operation, Request, Number;
        public long Id;
        public bool Cancelled;
        public DateTime At;
        public DateTime? StatusTime, EventTime;
        public long[] Ids;
        public List<Recall> Recalls;
    }

    /// <summary>
    /// Reads one line; throws (JsonException, FormatException, InvalidOperationException) on a damaged one. A
    /// forward-only reader over the ledger's own format (the recalls in the service's wire shape), with unknown
    /// members skipped: reading is what every New-RrRecall and Get-RrRecall pays at its start.
    /// </summary>
    internal static Event Parse(ReadOnlyMemory<byte> bytes, string environment)
    {
        var reader = new Utf8JsonReader(bytes.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        Expect(ref reader, JsonTokenType.StartObject);
        var e = new Event();
        for (; Next(ref reader) == JsonTokenType.PropertyName;)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "e": e.Kind = reader.GetString(); break;
                case "key": e.Key = reader.GetString(); break;
                case "source": e.Source = reader.GetString(); break;
                case "op": e.Operation = reader.GetString(); break;
                case "request": e.Request = reader.GetString(); break;
                case "number": e.Number = reader.GetString(); break;
                case "id": e.Id = reader.GetInt64(); break;
                case "cancelled": e.Cancelled = reader.GetBoolean(); break;
                case "at": e.At = Time(ref reader) ?? DateTime.MinValue; break;
                case "statusTime": e.StatusTime = Time(ref reader); break;
                case "eventTime": e.EventTime = Time(ref reader); break;
                case "ids":
                    var ids = new List<long>();
                    Expect(ref reader, JsonTokenType.StartArray, alreadyRead: true);
                    while (Next(ref reader) == JsonTokenType.Number) ids.Add(reader.GetInt64());
                    Expect(ref reader, JsonTokenType.EndArray, alreadyRead: true);
                    e.Ids = ids.ToArray();
                    break;
                case "recalls":
                    e.Recalls = new List<Recall>();
                    Expect(ref reader, JsonTokenType.StartArray, alreadyRead: true);
                    while (Next(ref reader) == JsonTokenType.StartObject) e.Recalls.Add(ReadRecall(ref reader, environment));
                    Expect(ref reader, JsonTokenType.EndArray, alreadyRead: true);
                    break;
                default: reader.Skip(); break;
            }
        }
        switch (e.Kind)
        {
            case "pending": if (e.Ids == null) throw new FormatException("A pending event without ids."); break;
            case "record": if (e.Operation == null || e.Id <= 0 || e.Ids == null) throw new FormatException("A record event without operation, id or ids."); break;
            case "rejected": break;
            case "created":
            case "changed":
            case "recall":
            case "status": if (e.Recalls == null) throw new FormatException($"A {e.Kind} event without recalls."); break;
            default: throw new FormatException($"Unknown ledger event '{e.Kind}'.");
        }
        return e;
    }

    private static Recall ReadRecall(ref Utf8JsonReader reader, string environment)
    {
        var recall = new Recall { Environment = environment };
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan; // our own names: plain ASCII, never escaped
            reader.Read();
            if (name.SequenceEqual("recallId"u8)) recall.RecallId = reader.GetInt64();
            else if (name.SequenceEqual("recallNumber"u8)) recall.RecallNumber = Text(ref reader);
            else if (name.SequenceEqual("recallStatusCode"u8)) recall.RecallStatusCode = Codes.RecallStatus(Text(ref reader));
            else if (name.SequenceEqual("warehouseId"u8)) recall.WarehouseId = reader.TokenType == JsonTokenType.Null ? (int?)null : reader.GetInt32();
            else if (name.SequenceEqual("warehouseRemarks"u8)) recall.WarehouseRemarks = Text(ref reader);
            else if (name.SequenceEqual("apiId"u8)) recall.ApiId = reader.TokenType == JsonTokenType.Null ? (long?)null : reader.GetInt64();
            else if (name.SequenceEqual("createOn"u8)) recall.CreateOn = OutputTime.Utc(Time(ref reader));
            else if (name.SequenceEqual("recallInventoryList"u8))
            {
                var items = new List<RecallInventory>();
                Expect(ref reader, JsonTokenType.StartArray, alreadyRead: true);
                while (Next(ref reader) == JsonTokenType.StartObject) items.Add(ReadInventory(ref reader));
                Expect(ref reader, JsonTokenType.EndArray, alreadyRead: true);
                recall.RecallInventoryList = items.ToArray();
            }
            else reader.Skip();
        }
        return recall;
    }

    private static RecallInventory ReadInventory(ref Utf8JsonReader reader)
    {
        var item = new RecallInventory();
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan; // our own names: plain ASCII, never escaped
            reader.Read();
            if (name.SequenceEqual("recallInventoryId"u8)) item.RecallInventoryId = reader.GetInt64();
            else if (name.SequenceEqual("returnInventoryId"u8)) item.ReturnInventoryId = reader.GetInt64();
            else if (name.SequenceEqual("recallInventoryStatusCode"u8)) item.RecallInventoryStatusCode = Text(ref reader);
            else if (name.SequenceEqual("pickUpCode"u8)) item.PickUpCode = Text(ref reader);
            else if (name.SequenceEqual("trackingNumber"u8)) item.TrackingNumber = Text(ref reader);
            else if (name.SequenceEqual("listName"u8)) item.ListName = Text(ref reader);
            else if (name.SequenceEqual("weight"u8)) item.Weight = reader.TokenType == JsonTokenType.Null ? (decimal?)null : reader.GetDecimal();
            else if (name.SequenceEqual("amount"u8)) item.Amount = reader.TokenType == JsonTokenType.Null ? (decimal?)null : reader.GetDecimal();
            else if (name.SequenceEqual("pickUpOn"u8)) item.PickUpOn = OutputTime.Utc(Time(ref reader));
            else if (name.SequenceEqual("courierTrackingNumber"u8)) item.CourierTrackingNumber = Text(ref reader);
            else if (name.SequenceEqual("remarks"u8)) item.Remarks = Text(ref reader);
            else if (name.SequenceEqual("recallServiceType"u8)) item.RecallServiceType = Text(ref reader);
            else if (name.SequenceEqual("rma"u8)) item.Rma = Text(ref reader);
            else reader.Skip();
        }
        return item;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new FormatException("The line ends early.");
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, bool alreadyRead = false)
    {
        if (!alreadyRead && !reader.Read()) throw new FormatException("The line ends early.");
        if (reader.TokenType != type) throw new FormatException($"Expected {type}, found {reader.TokenType}.");
    }

    /// <summary>Status and service codes repeat on every line: one shared string each instead of one per value.</summary>
    private static readonly KeyValuePair<byte[], string>[] CommonValues = new[] { "pending", "in-progress", "completed", "canceled", "dhl", "ready" }
        .Select(v => new KeyValuePair<byte[], string>(System.Text.Encoding.UTF8.GetBytes(v), v)).ToArray();

    private static string Text(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= 11)
            foreach (var common in CommonValues)
                if (reader.ValueSpan.SequenceEqual(common.Key)) return common.Value;
        return reader.GetString();
    }

    private static DateTime? Time(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        var t = reader.GetDateTime();
        return t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime();
    }

    /// <summary>Applies one event, in file order.</summary>
    internal void Apply(Event e)
    {
        switch (e.Kind)
        {
            case "pending":
                if (e.Key != null)
                    pending[e.Key] = new PendingBatch { IdempotencyKey = e.Key, ReturnInventoryId = e.Ids, Since = OutputTime.Utc(e.At).Value, Operation = e.Operation, Request = e.Request };
                break;
            case "record":
                if (e.Key != null) pending.Remove(e.Key);
                var recordKey = new KeyValuePair<string, long>(e.Operation, e.Id);
                records.TryGetValue(recordKey, out var known);
                records[recordKey] = new LedgerRecord
                {
                    Operation = e.Operation,
                    Id = e.Id,
                    Number = e.Number ?? known?.Number,
                    ReturnInventoryId = e.Ids.Length > 0 ? e.Ids : known?.ReturnInventoryId ?? e.Ids,
                    Cancelled = e.Cancelled || (known?.Cancelled ?? false), // a cancellation is final
                    LedgerUpdatedOn = OutputTime.Utc(e.At),
                };
                break;
            case "created":
                if (e.Key != null) pending.Remove(e.Key);
                foreach (var recall in e.Recalls) Store(recall, e.At, "create");
                break;
            case "rejected":
                if (e.Key != null) pending.Remove(e.Key);
                break;
            case "changed":
            case "recall":
                foreach (var recall in e.Recalls)
                {
                    Store(recall, e.At, e.Source ?? e.Kind);
                    if (e.StatusTime.HasValue) statusTimes[recall.RecallId] = e.StatusTime.Value;
                }
                break;
            case "status":
                foreach (var recall in e.Recalls) ApplyStatus(recall, e.EventTime ?? e.At, e.At);
                break;
        }
    }

    private void Store(Recall recall, DateTime at, string source)
    {
        if (recall.RecallId <= 0) return;
        if (recalls.TryGetValue(recall.RecallId, out var known))
        {
            // A later answer may omit what an earlier one said (an older service shape): keep what was known.
            recall.RecallNumber = recall.RecallNumber ?? known.RecallNumber;
            recall.CreateOn = recall.CreateOn ?? known.CreateOn;
            recall.WarehouseId = recall.WarehouseId ?? known.WarehouseId;
            // A create answer learnt late (a pending batch resolved by resending it gets the original answer back)
            // is older than any webhook about the recall: keep what the webhooks said.
            if (source == "create" && statusTimes.ContainsKey(recall.RecallId))
            {
                recall.RecallStatusCode = known.RecallStatusCode;
                foreach (var item in recall.AllLines)
                {
                    var old = known.AllLines.FirstOrDefault(i => i.ReturnInventoryId == item.ReturnInventoryId);
                    if (old == null) continue;
                    item.RecallInventoryStatusCode = old.RecallInventoryStatusCode ?? item.RecallInventoryStatusCode;
                    item.TrackingNumber = old.TrackingNumber ?? item.TrackingNumber;
                    item.CourierTrackingNumber = old.CourierTrackingNumber ?? item.CourierTrackingNumber;
                    item.PickUpCode = old.PickUpCode ?? item.PickUpCode;
                    item.PickUpOn = old.PickUpOn ?? item.PickUpOn;
                }
            }
        }
        recall.LedgerUpdatedOn = OutputTime.Utc(at);
        recall.LedgerSource = source;
        recalls[recall.RecallId] = recall;
        byInventory = null;
        byNumber = null;
    }

    /// <summary>A webhook's status: applied only when newer than the last one applied, so a replayed or late event changes nothing.</summary>
    private void ApplyStatus(Recall reported, DateTime eventTime, DateTime at)
    {
        if (reported.RecallId <= 0) return;
        if (statusTimes.TryGetValue(reported.RecallId, out var last) && eventTime <= last) return;
        statusTimes[reported.RecallId] = eventTime;
        if (!recalls.TryGetValue(reported.RecallId, out var recall))
        {
            Store(reported, at, "webhook"); // created elsewhere (another machine, the portal): now known here too
            return;
        }
        // A cancellation is final: a late or replayed webhook from before it never makes the recall active again.
        if (!IsCancelled(recall.RecallStatusCode)) recall.RecallStatusCode = reported.RecallStatusCode ?? recall.RecallStatusCode;
        recall.RecallNumber = recall.RecallNumber ?? reported.RecallNumber;
        foreach (var item in reported.AllLines)
        {
            var mine = recall.AllLines.FirstOrDefault(i => i.ReturnInventoryId == item.ReturnInventoryId);
            if (mine == null) continue;
            if (!IsCancelled(mine.RecallInventoryStatusCode)) mine.RecallInventoryStatusCode = item.RecallInventoryStatusCode ?? mine.RecallInventoryStatusCode;
            mine.TrackingNumber = item.TrackingNumber ?? mine.TrackingNumber;
            mine.CourierTrackingNumber = item.CourierTrackingNumber ?? mine.CourierTrackingNumber;
            mine.PickUpCode = item.PickUpCode ?? mine.PickUpCode;
            mine.PickUpOn = item.PickUpOn ?? mine.PickUpOn;
        }
        recall.LedgerUpdatedOn = OutputTime.Utc(at);
        recall.LedgerSource = "webhook";
    }

}
