using System.Text;
using ReturnsHelper.Ledger;
using Xunit;

namespace ReturnsHelper.Tests;

/// <summary>The ledger's generic part: pending batches and records of other operations than recalls (resends).</summary>
public class LedgerRecordTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rh-ledger-record-tests-" + Guid.NewGuid().ToString("N"));

    public LedgerRecordTests() => Directory.CreateDirectory(folder);

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
    }

    private RecallLedger Open() => RecallLedger.Open(folder, "recalls-test.jsonl", "Custom");

    private static LedgerRecord Resend(long id, bool cancelled = false, params long[] ids)
        => new() { Operation = LedgeredResend.Operation, Id = id, Number = $"RSD261130-{id:0000000}", ReturnInventoryId = ids, Cancelled = cancelled };

    [Fact]
    public void A_resend_batch_is_pending_with_its_exact_body_until_its_record_closes_it_and_recall_listings_never_show_it()
    {
        var ledger = Open();
        const string body = "{\"returnInventoryIdList\":[11,12],\"resendShipment\":{\"shipmentName\":\"Zoë\"}}";
        ledger.BatchPending("k-resend", new long[] { 11, 12 }, LedgeredResend.Operation, body);
        ledger.BatchPending("k-recall", new long[] { 13 });

        var state = ledger.Read();
        var pending = Assert.Single(state.PendingOf(LedgeredResend.Operation));
        Assert.Equal(Encoding.UTF8.GetBytes(body), LedgeredResend.BodyOf(pending));
        Assert.Equal("k-recall", Assert.Single(state.Pending).IdempotencyKey);
        Assert.Empty(state.PendingWith(11));
        Assert.Single(state.PendingWith(11, LedgeredResend.Operation));

        ledger.Recorded(Resend(5, false, 11, 12), "k-resend");

        state = ledger.Read();
        Assert.Empty(state.PendingOf(LedgeredResend.Operation));
        Assert.Equal(5, state.ActiveRecordOf(LedgeredResend.Operation, 12).Id);
        Assert.Null(state.ActiveRecordOf(null, 12));
    }

    [Fact]
    public void A_cancel_is_final_and_keeps_what_the_create_said()
    {
        var ledger = Open();
        ledger.Recorded(Resend(5, false, 11), "k1");
        ledger.Recorded(new LedgerRecord { Operation = LedgeredResend.Operation, Id = 5, ReturnInventoryId = new long[0], Cancelled = true });
        ledger.Recorded(Resend(5, false, 11)); // a late copy of the create

        var state = ledger.Read();
        Assert.Null(state.ActiveRecordOf(LedgeredResend.Operation, 11));
        var record = state.FindRecord(LedgeredResend.Operation, 5);
        Assert.True(record.Cancelled);
        Assert.Equal("RSD261130-0000005", record.Number);
        Assert.Equal(new long[] { 11 }, record.ReturnInventoryId);
    }

    [Fact]
    public void Compaction_keeps_pending_batches_of_every_operation_with_their_bodies_and_every_record()
    {
        var ledger = Open();
        for (var round = 0; round < 3; round++) // superseded copies: the majority of the lines
            for (var i = 1; i <= 20; i++) ledger.Recorded(Resend(i, i % 2 == 0, 100 + i));
        ledger.BatchPending("k-resend", new long[] { 200 }, LedgeredResend.Operation, "{\"a\":1}");
        ledger.BatchPending("k-recall", new long[] { 201 });

        Assert.True(ledger.CompactIfWorthIt(minimumLines: 1));

        var state = ledger.Read();
        Assert.Equal(22, state.Lines);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(LedgeredResend.BodyOf(Assert.Single(state.PendingOf(LedgeredResend.Operation)))));
        Assert.Single(state.Pending);
        Assert.Equal(3, state.ActiveRecordOf(LedgeredResend.Operation, 103).Id);
        Assert.Null(state.ActiveRecordOf(LedgeredResend.Operation, 104));
    }
}
