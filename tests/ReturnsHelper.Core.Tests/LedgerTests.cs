using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReturnsHelper.Ledger;

namespace ReturnsHelper.Core.Tests;

/// <summary>
/// The local recall ledger: event round trips, folding (pending batches, cancels, webhook status order), torn and
/// damaged lines, concurrent appends, compaction, file naming without secrets, Unix permissions.
///
/// Cross-process appends are not tested here (the Pester suite covers them): a second process takes the same lock
/// file through the same code path as the separate <see cref="RecallLedger"/> instances on separate threads below
/// (a FileShare.None open of the lock file, which is flock LOCK_EX per open file description on Unix and a sharing
/// violation on Windows, so two instances in one process exclude each other exactly like two processes).
/// </summary>
public class LedgerTests : IDisposable
{
    private const string FileName = "recalls-test.jsonl";
    private const string Environment = "Custom";
    private static readonly DateTime T0 = new(2026, 11, 30, 8, 15, 30, DateTimeKind.Utc);

    private readonly string folder = Path.Combine(Path.GetTempPath(), "rh-ledger-tests-" + Guid.NewGuid().ToString("N"));

    public LedgerTests() => Directory.CreateDirectory(folder);

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
    }

    private RecallLedger Open() => RecallLedger.Open(folder, FileName, Environment);

    private static Recall NewRecall(long recallId, string status = "pending", params long[] inventoryIds) => new()
    {
        RecallId = recallId,
        RecallNumber = $"RCL261130-{recallId:0000000}",
        RecallStatusCode = status,
        WarehouseId = 2,
        CreateOn = T0.AddMinutes(recallId % 1000),
        RecallInventoryList = inventoryIds.Select(id => new RecallInventory
        {
            RecallInventoryId = recallId * 100 + id % 100,
            ReturnInventoryId = id,
            RecallInventoryStatusCode = "in-progress",
            Rma = $"USE-{id}",
        }).ToArray(),
    };

    /// <summary>A copy of <paramref name="recall"/> as a webhook would report it: status and per-inventory tracking.</summary>
    private static Recall Reported(Recall recall, string status, string tracking, string inventoryStatus = null) => new()
    {
        RecallId = recall.RecallId,
        RecallNumber = recall.RecallNumber,
        RecallStatusCode = status,
        RecallInventoryList = recall.RecallInventoryList.Select(i => new RecallInventory
        {
            ReturnInventoryId = i.ReturnInventoryId,
            RecallInventoryStatusCode = inventoryStatus,
            TrackingNumber = tracking,
        }).ToArray(),
    };

    private static string[] FileLines(RecallLedger ledger)
    {
        var text = File.ReadAllText(ledger.Path, Encoding.UTF8);
        Assert.True(text.Length == 0 || text.EndsWith('\n'), "The ledger file does not end with a newline.");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Everything a state knows, as text, to compare two states field by field.</summary>
    private static string Describe(LedgerState state)
    {
        var s = new StringBuilder();
        foreach (var r in state.Recalls.OrderBy(r => r.RecallId))
        {
            s.Append($"R {r.RecallId}|{r.RecallNumber}|{r.RecallStatusCode}|{r.WarehouseId}|{r.WarehouseRemarks}|{r.ApiId}|{r.CreateOn?.Ticks}|{r.Environment}|{r.LedgerSource}|{r.LedgerUpdatedOn?.Ticks}\n");
            foreach (var i in r.RecallInventoryList)
                s.Append($"  I {i.RecallInventoryId}|{i.ReturnInventoryId}|{i.RecallInventoryStatusCode}|{i.PickUpCode}|{i.TrackingNumber}|{i.ListName}|{i.Weight}|{i.Amount}|{i.PickUpOn?.Ticks}|{i.CourierTrackingNumber}|{i.Remarks}|{i.RecallServiceType}|{i.Rma}\n");
        }
        foreach (var p in state.Pending.OrderBy(p => p.IdempotencyKey, StringComparer.Ordinal))
            s.Append($"P {p.IdempotencyKey}|{string.Join(",", p.ReturnInventoryId)}|{p.Since.Ticks}\n");
        return s.ToString();
    }

    private static void AssertSameRecall(Recall expected, Recall actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.RecallId, actual.RecallId);
        Assert.Equal(expected.RecallNumber, actual.RecallNumber);
        Assert.Equal(expected.RecallStatusCode, actual.RecallStatusCode);
        Assert.Equal(expected.WarehouseId, actual.WarehouseId);
        Assert.Equal(expected.WarehouseRemarks, actual.WarehouseRemarks);
        Assert.Equal(expected.ApiId, actual.ApiId);
        Assert.Equal(expected.CreateOn, actual.CreateOn);
        Assert.Equal(expected.RecallInventoryList.Length, actual.RecallInventoryList.Length);
        for (var n = 0; n < expected.RecallInventoryList.Length; n++)
        {
            var e = expected.RecallInventoryList[n];
            var a = actual.RecallInventoryList[n];
            Assert.Equal(e.RecallInventoryId, a.RecallInventoryId);
            Assert.Equal(e.ReturnInventoryId, a.ReturnInventoryId);
            Assert.Equal(e.RecallInventoryStatusCode, a.RecallInventoryStatusCode);
            Assert.Equal(e.PickUpCode, a.PickUpCode);
            Assert.Equal(e.TrackingNumber, a.TrackingNumber);
            Assert.Equal(e.ListName, a.ListName);
            Assert.Equal(e.Weight, a.Weight);
            Assert.Equal(e.Amount, a.Amount);
            Assert.Equal(e.PickUpOn, a.PickUpOn);
            Assert.Equal(e.CourierTrackingNumber, a.CourierTrackingNumber);
            Assert.Equal(e.Remarks, a.Remarks);
            Assert.Equal(e.RecallServiceType, a.RecallServiceType);
            Assert.Equal(e.Rma, a.Rma);
        }
    }

    // ---- Round trip ----

    private static Recall FullRecall() => new()
    {
        RecallId = 9001,
        RecallNumber = "RCL261130-0000001",
        RecallStatusCode = "pending",
        WarehouseId = 2,
        WarehouseRemarks = "Fragile: \"handle\" with care \\ caf\u00e9 \u2713",
        ApiId = 4242,
        CreateOn = T0.AddTicks(1234567),
        RecallInventoryList = new[]
        {
            new RecallInventory
            {
                RecallInventoryId = 500001, ReturnInventoryId = 1001, RecallInventoryStatusCode = "in-progress",
                PickUpCode = "PU-1", TrackingNumber = "TRK-1", ListName = "Spring list", Weight = 1.25m, Amount = 19.99m,
                PickUpOn = T0.AddDays(2).AddTicks(7), CourierTrackingNumber = "CT-1", Remarks = "line\nbreak and \u00fcml\u00e4ut",
                RecallServiceType = "courier", Rma = "USE-1001",
            },
            new RecallInventory
            {
                RecallInventoryId = 500002, ReturnInventoryId = 1002, RecallInventoryStatusCode = "in-progress", Rma = "USE-1002",
            },
        },
    };

    [Fact]
    public void A_created_recall_reads_back_with_every_field_and_closes_its_pending_batch()
    {
        var ledger = Open();
        var before = DateTime.UtcNow;
        ledger.BatchPending("key-1", new long[] { 1001, 1002 });
        ledger.RecallsCreated("key-1", new[] { FullRecall() });
        var after = DateTime.UtcNow;

        var state = ledger.Read();

        Assert.Equal(2, state.Lines);
        Assert.Equal(0, state.DamagedLines);
        Assert.Empty(state.Pending);
        var recall = Assert.Single(state.Recalls);
        AssertSameRecall(FullRecall(), recall);
        Assert.Equal(Environment, recall.Environment);
        Assert.Equal("create", recall.LedgerSource);
        Assert.NotNull(recall.LedgerUpdatedOn);
        Assert.Equal(TimeSpan.Zero, recall.LedgerUpdatedOn.Value.Offset);
        Assert.InRange(recall.LedgerUpdatedOn.Value, before, after);
        Assert.False(recall.AlreadyExisted);
    }

    [Fact]
    public void A_created_recall_is_found_by_inventory_number_and_id()
    {
        var ledger = Open();
        ledger.BatchPending("key-1", new long[] { 1001, 1002 });
        ledger.RecallsCreated("key-1", new[] { FullRecall() });

        var state = ledger.Read();

        Assert.Equal(9001, state.ActiveRecallOf(1001)?.RecallId);
        Assert.Equal(9001, state.ActiveRecallOf(1002)?.RecallId);
        Assert.Null(state.ActiveRecallOf(1003));
        Assert.Equal(9001, state.FindByNumber("RCL261130-0000001")?.RecallId);
        Assert.Equal(9001, state.FindByNumber("rcl261130-0000001")?.RecallId);
        Assert.Equal(9001, state.FindByNumber("  Rcl261130-0000001 ")?.RecallId);
        Assert.Null(state.FindByNumber("RCL261130-0000002"));
        Assert.Null(state.FindByNumber(null));
        Assert.Equal("RCL261130-0000001", state.FindById(9001)?.RecallNumber);
        Assert.Null(state.FindById(9002));
    }

    [Fact]
    public void Reopening_an_existing_ledger_keeps_its_events()
    {
        Open().RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });

        var again = Open();
        again.RecallsCreated("key-2", new[] { NewRecall(2, "pending", 12) });

        Assert.Equal(new long[] { 1, 2 }, again.Read().Recalls.Select(r => r.RecallId).OrderBy(i => i));
    }

    // ---- Pending batches ----

    [Fact]
    public void A_batch_without_an_answer_stays_pending_with_its_ids_and_key()
    {
        var ledger = Open();
        var before = DateTime.UtcNow;
        ledger.BatchPending("key-A", new long[] { 101, 102, 103 });
        var after = DateTime.UtcNow;

        var state = ledger.Read();

        var pending = Assert.Single(state.Pending);
        Assert.Equal("key-A", pending.IdempotencyKey);
        Assert.Equal(new long[] { 101, 102, 103 }, pending.ReturnInventoryId);
        Assert.InRange(pending.Since, before, after);
        Assert.Same(pending, Assert.Single(state.PendingWith(102)));
        Assert.Empty(state.PendingWith(104));
        Assert.Null(state.ActiveRecallOf(101)); // pending is not a recall
        Assert.Empty(state.Recalls);
    }

    [Fact]
    public void A_rejected_batch_is_closed_and_its_resubmission_is_pending_under_the_new_key()
    {
        var ledger = Open();
        ledger.BatchPending("key-A", new long[] { 101, 102, 103 });
        ledger.BatchRejected("key-A", new long[] { 101 }, "101 is not in a recallable state");
        ledger.BatchPending("key-B", new long[] { 102, 103 });

        var state = ledger.Read();

        var pending = Assert.Single(state.Pending);
        Assert.Equal("key-B", pending.IdempotencyKey);
        Assert.Empty(state.PendingWith(101));
        Assert.Single(state.PendingWith(102));
        Assert.Empty(state.Recalls);
    }

    [Fact]
    public void An_answer_closes_only_its_own_batch()
    {
        var ledger = Open();
        ledger.BatchPending("key-A", new long[] { 101 });
        ledger.BatchPending("key-B", new long[] { 102 });
        ledger.RecallsCreated("key-B", new[] { NewRecall(7, "pending", 102) });
        ledger.BatchRejected("key-unknown", new long[] { 101 }, "no such batch");

        var state = ledger.Read();

        Assert.Equal("key-A", Assert.Single(state.Pending).IdempotencyKey);
        Assert.Equal(7, state.ActiveRecallOf(102)?.RecallId);
    }

    [Fact]
    public void A_long_rejection_reason_is_shortened_and_the_line_still_reads()
    {
        var ledger = Open();
        ledger.BatchPending("key-A", new long[] { 101 });
        ledger.BatchRejected("key-A", new long[] { 101 }, new string('x', 5000));

        var line = FileLines(ledger)[1];
        using var document = JsonDocument.Parse(line);
        Assert.Equal(503, document.RootElement.GetProperty("reason").GetString().Length);
        Assert.Empty(ledger.Read().Pending);
    }

    // ---- Cancels and removals ----

    [Theory]
    [InlineData("canceled")]
    [InlineData("cancelled")]
    [InlineData("Canceled")]
    [InlineData("3")] // the integer code of canceled
    public void A_cancelled_recall_is_no_longer_active_for_any_of_its_inventories(string cancelled)
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11, 12) });
        var cancel = NewRecall(1, cancelled, 11, 12);
        ledger.RecallsChanged(new[] { cancel }, "cancel");

        var state = ledger.Read();

        Assert.Null(state.ActiveRecallOf(11));
        Assert.Null(state.ActiveRecallOf(12));
        var recall = state.FindById(1);
        Assert.Equal("cancel", recall.LedgerSource);
        Assert.Equal(cancelled == "cancelled" ? "cancelled" : "canceled", recall.RecallStatusCode); // the known code is normalised
        Assert.Same(recall, state.FindByNumber("RCL261130-0000001")); // still known, just not active
    }

    [Fact]
    public void An_inventory_cancelled_alone_is_not_active_but_its_siblings_still_are()
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11, 12, 13) });
        var removed = NewRecall(1, "pending", 11, 12, 13);
        removed.RecallInventoryList[1].RecallInventoryStatusCode = "canceled";
        ledger.RecallsChanged(new[] { removed }, "remove");

        var state = ledger.Read();

        Assert.Equal(1, state.ActiveRecallOf(11)?.RecallId);
        Assert.Null(state.ActiveRecallOf(12));
        Assert.Equal(1, state.ActiveRecallOf(13)?.RecallId);
        Assert.Equal("remove", state.FindById(1).LedgerSource);
    }

    [Fact]
    public void An_inventory_recalled_again_after_a_cancel_belongs_to_the_new_recall()
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        ledger.RecallsChanged(new[] { NewRecall(1, "canceled", 11) }, "cancel");
        ledger.RecallsCreated("key-2", new[] { NewRecall(2, "pending", 11) });

        var state = ledger.Read();

        Assert.Equal(2, state.ActiveRecallOf(11)?.RecallId);
        Assert.Equal(2, state.Recalls.Count);
    }

    [Fact]
    public void A_changed_snapshot_that_omits_number_creation_time_and_warehouse_keeps_what_was_known()
    {
        var ledger = Open();
        var created = NewRecall(1, "pending", 11);
        ledger.RecallsCreated("key-1", new[] { created });
        var sparse = NewRecall(1, "canceled", 11);
        sparse.RecallNumber = null;
        sparse.CreateOn = null;
        sparse.WarehouseId = null;
        ledger.RecallsChanged(new[] { sparse }, "cancel");

        var recall = ledger.Read().FindById(1);

        Assert.Equal("canceled", recall.RecallStatusCode);
        Assert.Equal(created.RecallNumber, recall.RecallNumber);
        Assert.Equal(created.CreateOn, recall.CreateOn);
        Assert.Equal(2, recall.WarehouseId);
    }

    // ---- Webhook status reports ----

    [Fact]
    public void A_status_report_updates_status_and_tracking_of_a_known_recall()
    {
        var ledger = Open();
        var created = NewRecall(1, "pending", 11, 12);
        ledger.RecallsCreated("key-1", new[] { created });
        var report = Reported(created, "in-progress", "TRK-9", inventoryStatus: "readyToPickUp");
        report.RecallInventoryList[0].PickUpCode = "PU-77";
        report.RecallInventoryList[0].CourierTrackingNumber = "CT-77";
        report.RecallInventoryList[0].PickUpOn = T0.AddDays(3);
        ledger.StatusReported(report, T0.AddHours(1), "markReadyToPickUp");

        var state = ledger.Read();
        var recall = state.FindById(1);

        Assert.Equal("in-progress", recall.RecallStatusCode);
        Assert.Equal("webhook", recall.LedgerSource);
        Assert.All(recall.RecallInventoryList, i => Assert.Equal("TRK-9", i.TrackingNumber));
        Assert.All(recall.RecallInventoryList, i => Assert.Equal("readyToPickUp", i.RecallInventoryStatusCode));
        Assert.Equal("PU-77", recall.RecallInventoryList[0].PickUpCode);
        Assert.Equal("CT-77", recall.RecallInventoryList[0].CourierTrackingNumber);
        Assert.Equal(T0.AddDays(3), recall.RecallInventoryList[0].PickUpOn);
        // What the report does not say is kept.
        Assert.Equal("USE-11", recall.RecallInventoryList[0].Rma);
        Assert.Equal(created.RecallInventoryList[0].RecallInventoryId, recall.RecallInventoryList[0].RecallInventoryId);
        Assert.Equal(created.CreateOn, recall.CreateOn);
        Assert.Equal(created.RecallNumber, recall.RecallNumber);
        Assert.Equal(1, state.ActiveRecallOf(11)?.RecallId);
    }

    [Fact]
    public void A_status_report_does_not_add_inventories_the_recall_does_not_have()
    {
        var ledger = Open();
        var created = NewRecall(1, "pending", 11);
        ledger.RecallsCreated("key-1", new[] { created });
        var report = Reported(NewRecall(1, "pending", 11, 99), "in-progress", "TRK-9");
        ledger.StatusReported(report, T0, "updateTrackingNumber");

        var state = ledger.Read();

        Assert.Equal(new long[] { 11 }, state.FindById(1).ReturnInventoryIds);
        Assert.Null(state.ActiveRecallOf(99));
    }

    [Fact]
    public void The_same_status_event_applied_twice_changes_nothing()
    {
        var ledger = Open();
        var created = NewRecall(1, "pending", 11);
        ledger.RecallsCreated("key-1", new[] { created });
        ledger.StatusReported(Reported(created, "in-progress", "TRK-1"), T0.AddHours(1), "updateTrackingNumber");
        var once = ledger.Read();

        Thread.Sleep(20); // so a second application would show a later LedgerUpdatedOn
        ledger.StatusReported(Reported(created, "in-progress", "TRK-1"), T0.AddHours(1), "updateTrackingNumber");
        // The same event time with a different payload is the same event too: not applied.
        ledger.StatusReported(Reported(created, "completed", "TRK-OTHER"), T0.AddHours(1), "updateTrackingNumber");
        var twice = ledger.Read();

        Assert.Equal(4, twice.Lines);
        Assert.Equal(Describe(once), Describe(twice));
        Assert.Equal("TRK-1", twice.FindById(1).RecallInventoryList[0].TrackingNumber);
    }

    [Fact]
    public void An_older_status_event_after_a_newer_one_is_ignored()
    {
        var ledger = Open();
        var created = NewRecall(1, "pending", 11);
        ledger.RecallsCreated("key-1", new[] { created });
        ledger.StatusReported(Reported(created, "completed", "TRK-NEW"), T0.AddHours(2), "pickUpToCourierPickUp");
        ledger.StatusReported(Reported(created, "in-progress", "TRK-OLD"), T0.AddHours(1), "updateTrackingNumber");

        var recall = ledger.Read().FindById(1);

        Assert.Equal("completed", recall.RecallStatusCode);
        Assert.Equal("TRK-NEW", recall.RecallInventoryList[0].TrackingNumber);
    }

    [Fact]
    public void A_newer_status_event_after_an_older_one_is_applied()
    {
        var ledger = Open();
        var created = NewRecall(1, "pending", 11);
        ledger.RecallsCreated("key-1", new[] { created });
        ledger.StatusReported(Reported(created, "in-progress", "TRK-OLD"), T0.AddHours(1), "updateTrackingNumber");
        ledger.StatusReported(Reported(created, "completed", "TRK-NEW"), T0.AddHours(2), "pickUpToCourierPickUp");

        var recall = ledger.Read().FindById(1);

        Assert.Equal("completed", recall.RecallStatusCode);
        Assert.Equal("TRK-NEW", recall.RecallInventoryList[0].TrackingNumber);
    }

    [Fact]
    public void A_status_event_for_an_unknown_recall_adds_it_from_the_webhook()
    {
        var ledger = Open();
        var elsewhere = NewRecall(55, "in-progress", 501, 502);
        ledger.StatusReported(elsewhere, T0, "markReadyToPickUp");

        var state = ledger.Read();
        var recall = state.FindById(55);

        Assert.NotNull(recall);
        Assert.Equal("webhook", recall.LedgerSource);
        Assert.Equal("in-progress", recall.RecallStatusCode);
        Assert.Equal(55, state.FindByNumber("RCL261130-0000055")?.RecallId);
        Assert.Equal(55, state.ActiveRecallOf(501)?.RecallId);
        Assert.Equal(55, state.ActiveRecallOf(502)?.RecallId);
    }

    /// <summary>
    /// A webhook that happened before a cancel (delivered late, or replayed from a receiver's journal with
    /// Convert-FromRrWebhook) must not make the cancelled recall active again: its inventories would then look
    /// recalled to New-RrRecall and be skipped as AlreadyExisted.
    /// </summary>
    [Fact]
    public void A_status_event_older_than_a_cancel_does_not_revive_the_recall()
    {
        var ledger = Open();
        var created = NewRecall(1, "pending", 11);
        ledger.RecallsCreated("key-1", new[] { created });
        ledger.RecallsChanged(new[] { NewRecall(1, "canceled", 11) }, "cancel");
        ledger.StatusReported(Reported(created, "in-progress", "TRK-1"), DateTime.UtcNow.AddHours(-1), "markReadyToPickUp");

        var state = ledger.Read();

        Assert.Equal("canceled", state.FindById(1).RecallStatusCode);
        Assert.Null(state.ActiveRecallOf(11));
    }

    // ---- Torn and damaged lines ----

    private const string TornFragment = "{\"v\":1,\"e\":\"created\",\"key\":\"k9\",\"recalls\":[{\"recallId\":77,\"recallNumber\":\"RCL";

    [Fact]
    public void A_torn_last_line_is_skipped_and_not_yet_counted_as_damaged()
    {
        var ledger = Open();
        for (var i = 1; i <= 3; i++) ledger.RecallsCreated("key-" + i, new[] { NewRecall(i, "pending", 10 + i) });
        File.AppendAllText(ledger.Path, TornFragment);
        var bytes = File.ReadAllBytes(ledger.Path);

        var state = ledger.Read();

        Assert.Equal(3, state.Lines); // the last line has no newline yet: being written or torn, not read
        Assert.Equal(0, state.DamagedLines);
        Assert.Equal(3, state.Recalls.Count);
        Assert.Null(state.FindById(77));
        Assert.Equal(bytes, File.ReadAllBytes(ledger.Path)); // reading repairs nothing
    }

    [Fact]
    public void The_next_append_ends_a_torn_line_so_it_stays_one_damaged_line_and_the_new_event_survives()
    {
        var ledger = Open();
        for (var i = 1; i <= 3; i++) ledger.RecallsCreated("key-" + i, new[] { NewRecall(i, "pending", 10 + i) });
        File.AppendAllText(ledger.Path, TornFragment);

        ledger.RecallsCreated("key-4", new[] { NewRecall(4, "pending", 14) });
        var state = ledger.Read();

        Assert.Equal(5, state.Lines);
        Assert.Equal(1, state.DamagedLines);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, state.Recalls.Select(r => r.RecallId).OrderBy(i => i));
        var lines = FileLines(ledger);
        Assert.Equal(5, lines.Length);
        Assert.Equal(TornFragment, lines[3]);
        using (JsonDocument.Parse(lines[4])) { } // the new event is a line of its own

        // A further append does not add another newline: the torn line was ended once.
        ledger.RecallsCreated("key-5", new[] { NewRecall(5, "pending", 15) });
        var later = ledger.Read();
        Assert.Equal(6, later.Lines);
        Assert.Equal(1, later.DamagedLines);
        Assert.DoesNotContain("\n\n", File.ReadAllText(ledger.Path));
    }

    [Fact]
    public void A_torn_line_that_is_complete_json_but_lacks_its_newline_is_applied_once_ended()
    {
        // A writer killed between the last byte of the JSON and the newline (the line is one write, so this is
        // unlikely, but the repair must not lose it).
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        var line = File.ReadAllText(ledger.Path).TrimEnd('\n').Replace("\"recallId\":1,", "\"recallId\":2,").Replace("\"key\":\"key-1\"", "\"key\":\"key-2\"");
        File.AppendAllText(ledger.Path, line);
        Assert.Null(ledger.Read().FindById(2));

        ledger.RecallsCreated("key-3", new[] { NewRecall(3, "pending", 13) });
        var state = ledger.Read();

        Assert.Equal(0, state.DamagedLines);
        Assert.Equal(new long[] { 1, 2, 3 }, state.Recalls.Select(r => r.RecallId).OrderBy(i => i));
    }

    [Fact]
    public void A_garbage_line_in_the_middle_is_skipped_and_counted()
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        File.AppendAllText(ledger.Path, "this is not json {\"v\":1\n");
        ledger.RecallsCreated("key-2", new[] { NewRecall(2, "pending", 12) });

        var state = ledger.Read();

        Assert.Equal(3, state.Lines);
        Assert.Equal(1, state.DamagedLines);
        Assert.Equal(new long[] { 1, 2 }, state.Recalls.Select(r => r.RecallId).OrderBy(i => i));
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"v\":1,\"e\":\"no-such-event\"}")]
    [InlineData("{\"v\":1,\"e\":\"pending\",\"key\":\"k\",\"ids\":[\"not a number\"]}")]
    [InlineData("{\"v\":1,\"e\":\"pending\",\"key\":\"k\",\"ids\":[1e400]}")]
    [InlineData("{\"v\":1,\"e\":\"created\"")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    public void A_line_that_is_not_a_ledger_event_is_counted_as_damaged(string line)
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        File.AppendAllText(ledger.Path, line + "\n");
        ledger.RecallsCreated("key-2", new[] { NewRecall(2, "pending", 12) });

        var state = ledger.Read();

        Assert.Equal(3, state.Lines);
        Assert.Equal(1, state.DamagedLines);
        Assert.Equal(2, state.Recalls.Count);
        Assert.Empty(state.Pending);
    }

    [Fact]
    public void Invalid_utf8_in_a_line_damages_that_line_only()
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        using (var stream = new FileStream(ledger.Path, FileMode.Append))
        {
            stream.Write(new byte[] { 0xFF, 0xFE, 0x00, (byte)'\n' });
            stream.Write(Encoding.UTF8.GetBytes("{\"v\":1,\"e\":\"pending\",\"key\":\"k"));
            stream.Write(new byte[] { 0xC3, 0x28 }); // an invalid two-byte sequence inside a string
            stream.Write(Encoding.UTF8.GetBytes("\",\"ids\":[5]}\n"));
        }
        ledger.RecallsCreated("key-2", new[] { NewRecall(2, "pending", 12) });

        var state = ledger.Read();

        Assert.Equal(4, state.Lines);
        Assert.Equal(2, state.DamagedLines);
        Assert.Equal(2, state.Recalls.Count);
    }

    [Fact]
    public void Blank_lines_are_neither_read_nor_damaged()
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        File.AppendAllText(ledger.Path, "\n\n");
        ledger.RecallsCreated("key-2", new[] { NewRecall(2, "pending", 12) });

        var state = ledger.Read();

        Assert.Equal(2, state.Lines);
        Assert.Equal(0, state.DamagedLines);
    }

    [Fact]
    public void A_line_longer_than_the_read_buffer_reads_back_whole_with_its_neighbours()
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        var big = NewRecall(2, "pending", Enumerable.Range(100_000, 2_000).Select(i => (long)i).ToArray());
        foreach (var i in big.RecallInventoryList) i.Remarks = new string('r', 100) + i.ReturnInventoryId;
        ledger.RecallsCreated("key-2", new[] { big });
        ledger.RecallsCreated("key-3", new[] { NewRecall(3, "pending", 13) });
        Assert.True(new FileInfo(ledger.Path).Length > 4 * 65536);

        var state = ledger.Read();

        Assert.Equal(3, state.Lines);
        Assert.Equal(0, state.DamagedLines);
        AssertSameRecall(big, state.FindById(2));
        Assert.Equal(3, state.ActiveRecallOf(13)?.RecallId);
        Assert.Equal(2, state.ActiveRecallOf(101_999)?.RecallId);
    }

    // ---- Concurrency ----

    [Fact]
    public void Eight_threads_with_their_own_ledger_instances_append_1600_events_without_interleaving()
    {
        const int Threads = 8, PerThread = 200;
        using var start = new Barrier(Threads);
        var errors = new List<Exception>();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var ledger = RecallLedger.Open(folder, FileName, Environment);
                start.SignalAndWait();
                for (var i = 0; i < PerThread; i++)
                {
                    var id = t * 10_000L + i + 1;
                    ledger.RecallsCreated($"key-{t}-{i}", new[] { NewRecall(id, "pending", 1_000_000 + id) });
                }
            }
            catch (Exception e) { lock (errors) errors.Add(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(errors);
        var reader = Open();
        var state = reader.Read();
        Assert.Equal(Threads * PerThread, state.Lines);
        Assert.Equal(0, state.DamagedLines);
        Assert.Equal(Threads * PerThread, state.Recalls.Count);
        for (var t = 0; t < Threads; t++)
            for (var i = 0; i < PerThread; i++)
                Assert.NotNull(state.FindById(t * 10_000L + i + 1));
        var lines = FileLines(reader);
        Assert.Equal(Threads * PerThread, lines.Length);
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.Equal("created", document.RootElement.GetProperty("e").GetString());
        }
    }

    [Fact]
    public void Compaction_running_alongside_appends_loses_none_of_them()
    {
        const int Count = 300;
        var writer = Open();
        var compactor = Open();
        var done = 0;
        var compactions = 0;
        var errors = new List<Exception>();
        var compacting = new Thread(() =>
        {
            try
            {
                // Not a tight loop: a compactor that retakes the lock the moment it lets go starves the appender,
                // whose retries back off to 50 ms (a real session compacts now and then, not continuously).
                while (Volatile.Read(ref done) == 0)
                {
                    if (compactor.CompactIfWorthIt(minimumLines: 1)) compactions++;
                    Thread.Sleep(5);
                }
            }
            catch (Exception e) { lock (errors) errors.Add(e); }
        });
        compacting.Start();
        try
        {
            for (var i = 1; i <= Count; i++)
            {
                var recall = NewRecall(i, "pending", 10_000 + i);
                writer.RecallsCreated("key-" + i, new[] { recall });
                writer.StatusReported(Reported(recall, "in-progress", "TRK-A"), T0.AddHours(1), "updateTrackingNumber");
                writer.StatusReported(Reported(recall, "completed", "TRK-B"), T0.AddHours(2), "pickUpToCourierPickUp");
            }
        }
        finally
        {
            Volatile.Write(ref done, 1);
            compacting.Join();
        }

        Assert.Empty(errors);
        Assert.True(compactions > 0, "The compactor never compacted, so the test proved nothing.");
        var state = writer.Read();
        Assert.Equal(0, state.DamagedLines);
        Assert.Equal(Count, state.Recalls.Count);
        Assert.All(state.Recalls, r =>
        {
            Assert.Equal("completed", r.RecallStatusCode);
            Assert.Equal("TRK-B", r.RecallInventoryList[0].TrackingNumber);
        });
        foreach (var line in FileLines(writer)) using (JsonDocument.Parse(line)) { }
    }

    // ---- Compaction ----

    /// <summary>
    /// 50 recalls of two inventories created in 5 batches, 3 batches left pending; each recall changed twice
    /// (even ids cancelled, odd ids lose their second inventory) and reported 20 times by webhooks.
    /// </summary>
    private RecallLedger SupersededLedger()
    {
        var ledger = Open();
        var recalls = Enumerable.Range(1, 50).Select(i => NewRecall(i, "pending", 1000 + 2 * i, 1001 + 2 * i)).ToArray();
        for (var batch = 0; batch < 5; batch++)
        {
            var slice = recalls.Skip(batch * 10).Take(10).ToArray();
            ledger.BatchPending("key-" + batch, slice.SelectMany(r => r.ReturnInventoryIds).ToArray());
            ledger.RecallsCreated("key-" + batch, slice);
        }
        for (var p = 0; p < 3; p++) ledger.BatchPending("open-" + p, new long[] { 9000 + p, 9100 + p });
        foreach (var created in recalls)
            for (var n = 0; n < 2; n++)
            {
                var changed = NewRecall(created.RecallId, created.RecallId % 2 == 0 ? "canceled" : "in-progress", created.ReturnInventoryIds);
                if (created.RecallId % 2 == 1) changed.RecallInventoryList[1].RecallInventoryStatusCode = "canceled";
                ledger.RecallsChanged(new[] { changed }, created.RecallId % 2 == 0 ? "cancel" : "remove");
            }
        foreach (var created in recalls)
            for (var n = 1; n <= 20; n++)
                ledger.StatusReported(Reported(created, created.RecallId % 2 == 0 ? "canceled" : "in-progress", $"TRK-{created.RecallId}-{n}"), T0.AddMinutes(n), "updateTrackingNumber");
        return ledger;
    }

    [Fact]
    public void Compaction_rewrites_superseded_lines_as_one_line_per_recall_and_pending_batch()
    {
        var ledger = SupersededLedger();
        var before = ledger.Read();
        Assert.Equal(5 * 2 + 3 + 50 * 2 + 50 * 20, before.Lines);
        Assert.Equal(50, before.Recalls.Count);
        Assert.Equal(3, before.Pending.Count);

        Assert.True(ledger.CompactIfWorthIt(minimumLines: 10));

        var lines = FileLines(ledger);
        Assert.Equal(50 + 3, lines.Length);
        var kinds = lines.Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.GetProperty("e").GetString(); }).ToList();
        Assert.Equal(50, kinds.Count(k => k == "recall"));
        Assert.Equal(3, kinds.Count(k => k == "pending"));
        Assert.False(File.Exists(ledger.Path + ".compact"));

        var after = ledger.Read();
        Assert.Equal(53, after.Lines);
        Assert.Equal(0, after.DamagedLines);
        Assert.Equal(Describe(before), Describe(after));
        for (long id = 1000; id < 1110; id++)
            Assert.Equal(before.ActiveRecallOf(id)?.RecallId, after.ActiveRecallOf(id)?.RecallId);
        Assert.Equal(1, after.ActiveRecallOf(1002)?.RecallId); // odd recall, first inventory: still active
        Assert.Null(after.ActiveRecallOf(1003));               // odd recall, removed inventory
        Assert.Null(after.ActiveRecallOf(1004));               // even recall: cancelled
        Assert.Equal("TRK-1-20", after.FindById(1).RecallInventoryList[0].TrackingNumber);
        Assert.Equal(new long[] { 9001, 9101 }, Assert.Single(after.PendingWith(9001)).ReturnInventoryId);

        // Compacted: nothing left to gain.
        Assert.False(ledger.CompactIfWorthIt(minimumLines: 10));
    }

    [Fact]
    public void Appends_after_compaction_extend_the_compacted_file()
    {
        var ledger = SupersededLedger();
        Assert.True(ledger.CompactIfWorthIt(minimumLines: 10));
        var other = Open(); // another instance, as another session or process would have

        other.RecallsCreated("key-new", new[] { NewRecall(77, "pending", 7777) });
        other.BatchRejected("open-0", new long[] { 9000 }, "refused");

        var state = ledger.Read();
        Assert.Equal(55, state.Lines);
        Assert.Equal(77, state.ActiveRecallOf(7777)?.RecallId);
        Assert.Equal(2, state.Pending.Count);
    }

    [Fact]
    public void Compaction_is_a_no_op_when_lines_are_not_superseded()
    {
        var ledger = Open();
        for (var i = 1; i <= 30; i++) ledger.RecallsCreated("key-" + i, new[] { NewRecall(i, "pending", 100 + i) });
        for (var p = 0; p < 5; p++) ledger.BatchPending("open-" + p, new long[] { 900 + p });
        var bytes = File.ReadAllBytes(ledger.Path);

        Assert.False(ledger.CompactIfWorthIt(minimumLines: 10));

        Assert.Equal(bytes, File.ReadAllBytes(ledger.Path));
    }

    [Fact]
    public void Compaction_is_a_no_op_below_the_minimum_line_count()
    {
        var ledger = SupersededLedger();
        var bytes = File.ReadAllBytes(ledger.Path);

        Assert.False(ledger.CompactIfWorthIt(minimumLines: 2000)); // 1,113 lines, almost all superseded, but fewer than asked

        Assert.Equal(bytes, File.ReadAllBytes(ledger.Path));
        Assert.True(ledger.CompactIfWorthIt()); // the default minimum (1,000) is reached
    }

    [Fact]
    public void Compaction_drops_damaged_lines()
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        File.AppendAllText(ledger.Path, "garbage\n");
        ledger.RecallsChanged(new[] { NewRecall(1, "canceled", 11) }, "cancel");
        File.AppendAllText(ledger.Path, TornFragment);

        Assert.True(ledger.CompactIfWorthIt(minimumLines: 1));

        var state = ledger.Read();
        Assert.Equal(1, state.Lines);
        Assert.Equal(0, state.DamagedLines);
        Assert.Equal("canceled", state.FindById(1).RecallStatusCode);
        Assert.Equal("cancel", state.FindById(1).LedgerSource);
    }

    /// <summary>Replaying a receiver's journal after compaction must still change nothing.</summary>
    [Fact]
    public void An_older_status_event_is_still_ignored_after_compaction()
    {
        var ledger = Open();
        var created = NewRecall(1, "pending", 11);
        ledger.RecallsCreated("key-1", new[] { created });
        ledger.StatusReported(Reported(created, "completed", "TRK-NEW"), T0.AddHours(2), "pickUpToCourierPickUp");
        Assert.True(ledger.CompactIfWorthIt(minimumLines: 1));

        ledger.StatusReported(Reported(created, "in-progress", "TRK-OLD"), T0.AddHours(1), "updateTrackingNumber");

        var recall = ledger.Read().FindById(1);
        Assert.Equal("completed", recall.RecallStatusCode);
        Assert.Equal("TRK-NEW", recall.RecallInventoryList[0].TrackingNumber);
    }

    // ---- No secrets ----

    private const string ApiKey = "my-api-key-1234";

    [Fact]
    public void The_file_name_reveals_neither_the_api_key_nor_the_base_uri()
    {
        var name = RecallLedger.FileNameFor(ApiKey, new Uri("https://api.returnhelper.example/v1/"));

        Assert.Matches(new Regex("^recalls-[0-9a-f]{24}\\.jsonl$"), name);
        Assert.DoesNotContain(ApiKey, name);
        Assert.DoesNotContain("my-api-key", name);
        Assert.DoesNotContain("returnhelper", name);
    }

    [Fact]
    public void The_file_name_tells_accounts_apart_and_is_stable()
    {
        var sandbox = new Uri("https://sandbox.returnhelper.example/");
        var production = new Uri("https://api.returnhelper.example/");

        Assert.Equal(RecallLedger.FileNameFor(ApiKey, sandbox), RecallLedger.FileNameFor(ApiKey, new Uri("https://sandbox.returnhelper.example/")));
        Assert.NotEqual(RecallLedger.FileNameFor(ApiKey, sandbox), RecallLedger.FileNameFor("my-api-key-1235", sandbox));
        Assert.NotEqual(RecallLedger.FileNameFor(ApiKey, sandbox), RecallLedger.FileNameFor(ApiKey, production));
        Assert.NotEqual(RecallLedger.FileNameFor(ApiKey, new Uri("https://api.returnhelper.example/v1")), RecallLedger.FileNameFor(ApiKey, new Uri("https://api.returnhelper.example/v2")));
    }

    [Theory]
    [InlineData("https://api.returnhelper.example/v1", "https://api.returnhelper.example/v1/")]
    [InlineData("https://api.returnhelper.example", "https://api.returnhelper.example/")]
    [InlineData("https://API.ReturnHelper.example/V1/", "https://api.returnhelper.example/v1")]
    public void The_file_name_ignores_a_trailing_slash_and_the_case_of_the_base_uri(string one, string other)
        => Assert.Equal(RecallLedger.FileNameFor(ApiKey, new Uri(one)), RecallLedger.FileNameFor(ApiKey, new Uri(other)));

    [Fact]
    public void The_ledger_file_never_holds_the_api_key()
    {
        var name = RecallLedger.FileNameFor(ApiKey, new Uri("https://api.returnhelper.example/"));
        var ledger = RecallLedger.Open(folder, name, Environment);
        ledger.BatchPending("key-1", new long[] { 11 });
        ledger.RecallsCreated("key-1", new[] { FullRecall() });
        ledger.StatusReported(Reported(FullRecall(), "in-progress", "TRK-1"), T0, "updateTrackingNumber");
        ledger.BatchRejected("key-2", new long[] { 12 }, "refused");
        ledger.CompactIfWorthIt(minimumLines: 1);

        foreach (var file in Directory.GetFiles(folder))
        {
            Assert.DoesNotContain(ApiKey, Path.GetFileName(file));
            Assert.DoesNotContain(ApiKey, File.ReadAllText(file));
            Assert.DoesNotContain("my-api-key", File.ReadAllText(file));
        }
        Assert.Equal(9001, ledger.Read().ActiveRecallOf(1001)?.RecallId); // the file was written
    }

    // ---- Unix permissions ----

    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void On_Unix_a_new_folder_is_owner_only_and_the_file_is_owner_read_write()
    {
        if (OperatingSystem.IsWindows()) return;
        var fresh = Path.Combine(folder, "new-ledger-folder");

        var ledger = RecallLedger.Open(fresh, FileName, Environment);

        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(fresh));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(ledger.Path));
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(ledger.Path));
    }

    [Fact]
    public void On_Unix_the_compacted_file_is_still_owner_read_write()
    {
        if (OperatingSystem.IsWindows()) return;
        var fresh = Path.Combine(folder, "new-ledger-folder");
        var ledger = RecallLedger.Open(fresh, FileName, Environment);
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        ledger.RecallsChanged(new[] { NewRecall(1, "canceled", 11) }, "cancel");

        Assert.True(ledger.CompactIfWorthIt(minimumLines: 1));

        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(ledger.Path));
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(fresh));
    }

    [Fact]
    public void On_Unix_a_ledger_file_recreated_by_an_append_is_owner_read_write()
    {
        if (OperatingSystem.IsWindows()) return;
        var ledger = RecallLedger.Open(Path.Combine(folder, "new-ledger-folder"), FileName, Environment);
        File.Delete(ledger.Path);

        ledger.BatchPending("key-1", new long[] { 11 });

        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(ledger.Path));
    }

    // ---- Missing file ----

    [Fact]
    public void Reading_a_ledger_whose_file_was_deleted_gives_an_empty_state()
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        File.Delete(ledger.Path);

        var state = ledger.Read();

        Assert.Empty(state.Recalls);
        Assert.Empty(state.Pending);
        Assert.Equal(0, state.Lines);
        Assert.Equal(0, state.DamagedLines);
        Assert.Null(state.ActiveRecallOf(11));
    }

    [Fact]
    public void Reading_a_ledger_whose_folder_was_deleted_gives_an_empty_state()
    {
        var sub = Path.Combine(folder, "gone");
        var ledger = RecallLedger.Open(sub, FileName, Environment);
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        Directory.Delete(sub, true);

        var state = ledger.Read();

        Assert.Empty(state.Recalls);
        Assert.Equal(0, state.Lines);
    }

    /// <summary>
    /// A missing folder is not a lock held by another process: the append must not retry for the 30 s lock
    /// timeout and then blame a lock. Either the folder is recreated or the real error is thrown at once.
    /// </summary>
    [Fact]
    public void Appending_after_the_folder_was_deleted_does_not_blame_a_lock()
    {
        var sub = Path.Combine(folder, "gone");
        var ledger = RecallLedger.Open(sub, FileName, Environment);
        Directory.Delete(sub, true);

        var e = Record.Exception(() => ledger.BatchPending("key-1", new long[] { 11 }));

        if (e != null) Assert.IsType<DirectoryNotFoundException>(e);
        else Assert.Single(ledger.Read().Pending);
    }

    [Fact]
    public void Appending_after_the_folder_was_deleted_between_appends_recreates_it_and_keeps_appending()
    {
        var sub = Path.Combine(folder, "gone-later");
        var ledger = RecallLedger.Open(sub, FileName, Environment);
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) }); // this process now holds open handles
        Directory.Delete(sub, true);

        ledger.RecallsCreated("key-2", new[] { NewRecall(2, "pending", 12) });
        ledger.RecallsCreated("key-3", new[] { NewRecall(3, "pending", 13) });

        Assert.True(File.Exists(ledger.Path));
        Assert.Equal(new long[] { 2, 3 }, ledger.Read().Recalls.Select(r => r.RecallId).OrderBy(i => i));
    }

    [Fact]
    public void Appending_after_the_file_was_deleted_starts_a_new_file()
    {
        var ledger = Open();
        ledger.RecallsCreated("key-1", new[] { NewRecall(1, "pending", 11) });
        File.Delete(ledger.Path);

        ledger.RecallsCreated("key-2", new[] { NewRecall(2, "pending", 12) });

        var state = ledger.Read();
        Assert.Equal(2, Assert.Single(state.Recalls).RecallId);
        Assert.Equal(1, state.Lines);
    }

    /// <summary>Lines exactly as the version before DateTimeOffset times and removed-inventory lists wrote them.</summary>
    private static readonly string[] PreviousVersionLines =
    {
        @"{""v"":1,""e"":""pending"",""at"":""2026-11-30T08:15:30Z"",""key"":""key-a"",""ids"":[11,12,13]}",
        @"{""v"":1,""e"":""created"",""at"":""2026-11-30T08:15:31.1234567Z"",""key"":""key-a"",""recalls"":[{""recallId"":1,""recallNumber"":""RCL261130-0000001"",""recallStatusCode"":""pending"",""warehouseId"":2,""apiId"":3,""createOn"":""2026-11-30T08:15:31Z"",""recallInventoryList"":[{""recallInventoryId"":101,""returnInventoryId"":11,""recallInventoryStatusCode"":""in-progress"",""pickUpCode"":""pending"",""recallServiceType"":""dhl"",""rma"":""USE-11""},{""recallInventoryId"":102,""returnInventoryId"":12,""recallInventoryStatusCode"":""in-progress"",""pickUpCode"":""pending"",""recallServiceType"":""dhl"",""rma"":""USE-12""},{""recallInventoryId"":103,""returnInventoryId"":13,""recallInventoryStatusCode"":""in-progress"",""pickUpCode"":""pending"",""recallServiceType"":""dhl"",""rma"":""USE-13""}]}]}",
        @"{""v"":1,""e"":""changed"",""at"":""2026-11-30T08:16:00Z"",""source"":""remove"",""recalls"":[{""recallId"":1,""recallNumber"":""RCL261130-0000001"",""recallStatusCode"":""pending"",""warehouseId"":2,""apiId"":3,""createOn"":""2026-11-30T08:15:31Z"",""recallInventoryList"":[{""recallInventoryId"":101,""returnInventoryId"":11,""recallInventoryStatusCode"":""in-progress"",""pickUpCode"":""pending""},{""recallInventoryId"":102,""returnInventoryId"":12,""recallInventoryStatusCode"":""canceled"",""pickUpCode"":""pending""},{""recallInventoryId"":103,""returnInventoryId"":13,""recallInventoryStatusCode"":""in-progress"",""pickUpCode"":""pending""}]}]}",
        @"{""v"":1,""e"":""status"",""at"":""2026-11-30T09:00:00Z"",""source"":""webhook"",""eventTime"":""2026-11-30T08:59:00Z"",""updateType"":""updateTrackingNumber"",""recalls"":[{""recallId"":1,""recallStatusCode"":""in-progress"",""recallInventoryList"":[{""recallInventoryId"":101,""returnInventoryId"":11,""recallInventoryStatusCode"":""in-transit"",""trackingNumber"":""AWB-1"",""pickUpOn"":""2026-12-02T10:00:00Z""}]}]}",
        @"{""v"":1,""e"":""recall"",""at"":""2026-11-29T07:00:00Z"",""source"":""cancel"",""recalls"":[{""recallId"":2,""recallNumber"":""RCL261129-0000001"",""recallStatusCode"":""canceled"",""warehouseId"":1034,""createOn"":""2026-11-29T06:00:00Z"",""recallInventoryList"":[{""recallInventoryId"":201,""returnInventoryId"":21,""recallInventoryStatusCode"":""canceled""}]}]}",
        @"{""v"":1,""e"":""pending"",""at"":""2026-11-30T10:00:00Z"",""key"":""key-b"",""ids"":[14,15]}",
    };

    [Fact]
    public void A_ledger_written_by_the_previous_version_still_loads_and_survives_compaction()
    {
        var ledger = Open();
        File.WriteAllText(ledger.Path, string.Join("\n", PreviousVersionLines) + "\n");

        AssertPreviousVersionState(ledger.Read());
        Assert.True(ledger.CompactIfWorthIt(minimumLines: 1)); // rewritten by this version: the same state, removed lines included
        AssertPreviousVersionState(ledger.Read());
    }

    private static void AssertPreviousVersionState(LedgerState state)
    {
        Assert.Equal(0, state.DamagedLines);
        var one = state.FindById(1);
        Assert.Equal("in-progress", one.RecallStatusCode);
        Assert.Equal(new long[] { 11, 13 }, one.ReturnInventoryIds);
        Assert.Equal(2, one.Items);
        Assert.Equal("12", one.RemovedReturnInventoryIdText);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 8, 15, 31, TimeSpan.Zero), one.CreateOn);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), one.LedgerUpdatedOn);
        Assert.Equal(TimeSpan.Zero, one.LedgerUpdatedOn.Value.Offset);
        var line = one.RecallInventoryList[0];
        Assert.Equal(("RCL261130-0000001", 1L, 2), (line.RecallNumber, line.RecallId.Value, line.WarehouseId.Value));
        Assert.Equal("AWB-1", line.TrackingNumber);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero), line.PickUpOn);
        Assert.Same(one, state.ActiveRecallOf(11));
        Assert.Null(state.ActiveRecallOf(12));
        Assert.Same(one, Assert.Single(state.RecallsOf(12))); // a removed inventory still finds the recall it left

        var two = state.FindByNumber("RCL261129-0000001");
        Assert.Equal(("canceled", 1, 0), (two.RecallStatusCode, two.Items, two.RemovedInventoryList.Length));
        Assert.Equal(1034, two.RecallInventoryList[0].WarehouseId);

        var pending = Assert.Single(state.Pending);
        Assert.Equal("14;15", pending.ReturnInventoryIdText);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero), pending.Since);
    }
}
