using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper.Ledger
{
    /// <summary>A create batch that was sent (or about to be) and whose answer the ledger never heard.</summary>
    public sealed class PendingBatch
    {
        public string IdempotencyKey { get; set; }
        /// <summary>Named like the parameter, so <c>Get-RrRecall -Pending | New-RrRecall</c> resends every pending batch.</summary>
        public long[] ReturnInventoryId { get; set; }
        public DateTime Since { get; set; }
    }

    /// <summary>
    /// The ledger folded into what is known now: every recall (the latest snapshot, with status updates applied in
    /// event-time order), which inventory is in which active recall, and the batches still pending.
    /// </summary>
    public sealed class LedgerState
    {
        internal readonly string environment;
        readonly Dictionary<long, Recall> recalls = new Dictionary<long, Recall>();
        readonly Dictionary<long, DateTime> statusTimes = new Dictionary<long, DateTime>();
        readonly Dictionary<string, PendingBatch> pending = new Dictionary<string, PendingBatch>(StringComparer.Ordinal);
        Dictionary<long, Recall> byInventory;
        Dictionary<string, Recall> byNumber;

        internal LedgerState(string environment) => this.environment = environment;

        /// <summary>Lines read, and lines skipped because they were damaged (torn by a crash, edited by hand).</summary>
        public int Lines { get; internal set; }
        public int DamagedLines { get; internal set; }

        public IReadOnlyCollection<Recall> Recalls => recalls.Values;

        /// <summary>True when most lines are superseded (and there are enough to matter): worth a <see cref="RecallLedger.CompactIfWorthIt"/>.</summary>
        public bool WorthCompacting => Lines >= RecallLedger.CompactionMinimumLines && Lines >= 2 * (recalls.Count + pending.Count);
        public IReadOnlyCollection<PendingBatch> Pending => pending.Values;

        /// <summary>The event time of the last webhook status applied to a recall (kept through compaction).</summary>
        internal DateTime? StatusTimeOf(long recallId) => statusTimes.TryGetValue(recallId, out var t) ? t : (DateTime?)null;

        public Recall FindById(long recallId) => recalls.TryGetValue(recallId, out var r) ? r : null;

        public Recall FindByNumber(string recallNumber)
        {
            byNumber = byNumber ?? recalls.Values.Where(r => r.RecallNumber != null)
                .GroupBy(r => r.RecallNumber, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);
            return recallNumber != null && byNumber.TryGetValue(recallNumber.Trim(), out var r) ? r : null;
        }

        /// <summary>The recall that holds <paramref name="returnInventoryId"/> and is not cancelled (for it or as a whole), or null.</summary>
        public Recall ActiveRecallOf(long returnInventoryId)
        {
            if (byInventory == null)
            {
                byInventory = new Dictionary<long, Recall>();
                foreach (var recall in recalls.Values.OrderBy(r => r.RecallId))
                {
                    if (IsCancelled(recall.RecallStatusCode)) continue;
                    foreach (var item in recall.RecallInventoryList)
                        if (!IsCancelled(item.RecallInventoryStatusCode)) byInventory[item.ReturnInventoryId] = recall;
                }
            }
            return byInventory.TryGetValue(returnInventoryId, out var found) ? found : null;
        }

        /// <summary>The pending batches that hold <paramref name="returnInventoryId"/>.</summary>
        public IEnumerable<PendingBatch> PendingWith(long returnInventoryId) => pending.Values.Where(p => p.ReturnInventoryId.Contains(returnInventoryId));

        static bool IsCancelled(string status) => string.Equals(status, "canceled", StringComparison.OrdinalIgnoreCase) || string.Equals(status, "cancelled", StringComparison.OrdinalIgnoreCase);

        /// <summary>One ledger line, read (on any thread: parsing is the costly part of a read) but not yet applied.</summary>
        internal sealed class Event
        {
            public string Kind, Key, Source;
            public DateTime At;
            public DateTime? StatusTime, EventTime;
            public long[] Ids;
            public List<Recall> Recalls;
        }

        /// <summary>Reads one line; throws (JsonException, FormatException, InvalidOperationException) on a damaged one.</summary>
        internal static Event Parse(ReadOnlyMemory<byte> bytes, string environment)
        {
            using (var document = JsonDocument.Parse(bytes))
            {
                var line = document.RootElement;
                var e = new Event
                {
                    Kind = JsonRead.String(line, "e"),
                    Key = JsonRead.String(line, "key"),
                    Source = JsonRead.String(line, "source"),
                    At = JsonRead.Time(line, "at") ?? DateTime.MinValue,
                    StatusTime = JsonRead.Time(line, "statusTime"),
                    EventTime = JsonRead.Time(line, "eventTime"),
                };
                switch (e.Kind)
                {
                    case "pending": e.Ids = JsonRead.Array(line, "ids").Select(i => i.GetInt64()).ToArray(); break;
                    case "rejected": break;
                    case "created":
                    case "changed":
                    case "recall":
                    case "status": e.Recalls = JsonRead.Array(line, "recalls").Select(r => Recall.Parse(r, environment)).ToList(); break;
                    default: throw new FormatException($"Unknown ledger event '{e.Kind}'.");
                }
                return e;
            }
        }

        /// <summary>Applies one event, in file order.</summary>
        internal void Apply(Event e)
        {
            switch (e.Kind)
            {
                case "pending":
                    if (e.Key != null)
                        pending[e.Key] = new PendingBatch { IdempotencyKey = e.Key, ReturnInventoryId = e.Ids, Since = e.At };
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

        void Store(Recall recall, DateTime at, string source)
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
                    foreach (var item in recall.RecallInventoryList)
                    {
                        var old = known.RecallInventoryList.FirstOrDefault(i => i.ReturnInventoryId == item.ReturnInventoryId);
                        if (old == null) continue;
                        item.RecallInventoryStatusCode = old.RecallInventoryStatusCode ?? item.RecallInventoryStatusCode;
                        item.TrackingNumber = old.TrackingNumber ?? item.TrackingNumber;
                        item.CourierTrackingNumber = old.CourierTrackingNumber ?? item.CourierTrackingNumber;
                        item.PickUpCode = old.PickUpCode ?? item.PickUpCode;
                        item.PickUpOn = old.PickUpOn ?? item.PickUpOn;
                    }
                }
            }
            recall.LedgerUpdatedOn = at;
            recall.LedgerSource = source;
            recalls[recall.RecallId] = recall;
            byInventory = null;
            byNumber = null;
        }

        /// <summary>A webhook's status: applied only when newer than the last one applied, so a replayed or late event changes nothing.</summary>
        void ApplyStatus(Recall reported, DateTime eventTime, DateTime at)
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
            foreach (var item in reported.RecallInventoryList)
            {
                var mine = recall.RecallInventoryList.FirstOrDefault(i => i.ReturnInventoryId == item.ReturnInventoryId);
                if (mine == null) continue;
                if (!IsCancelled(mine.RecallInventoryStatusCode)) mine.RecallInventoryStatusCode = item.RecallInventoryStatusCode ?? mine.RecallInventoryStatusCode;
                mine.TrackingNumber = item.TrackingNumber ?? mine.TrackingNumber;
                mine.CourierTrackingNumber = item.CourierTrackingNumber ?? mine.CourierTrackingNumber;
                mine.PickUpCode = item.PickUpCode ?? mine.PickUpCode;
                mine.PickUpOn = item.PickUpOn ?? mine.PickUpOn;
            }
            recall.LedgerUpdatedOn = at;
            recall.LedgerSource = "webhook";
            byInventory = null;
        }

    }
}
