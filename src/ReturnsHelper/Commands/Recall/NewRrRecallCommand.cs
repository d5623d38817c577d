using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;
using ReturnsHelper.Ledger;

namespace ReturnsHelper.Commands;

/// <summary>
/// New-RrRecall: recalls return inventories to the Hong Kong warehouse, in batches, exactly once. With the
/// session's ledger: every batch is recorded before it is sent and every created recall before it is written;
/// an id the ledger knows to be in an active recall is not sent again (its recall is written, marked
/// AlreadyExisted); an id in a batch that was sent but never answered (a crash) first has that batch resent with
/// its own idempotency key, which tells its outcome without recalling twice.
/// </summary>
[Cmdlet(VerbsCommon.New, "RrRecall", HelpUri = HelpLinks.Base + "New-RrRecall.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Recall))]
public sealed class NewRrRecallCommand : BatchedIdCmdlet<Recall>
{
    private LedgerState known;
    private readonly HashSet<string> resent = new HashSet<string>(StringComparer.Ordinal);
    private readonly HashSet<long> coveredByResend = new HashSet<long>();
    private readonly HashSet<long> existingWritten = new HashSet<long>();
    private int idsAlreadyRecalled;

    /// <summary>Objects, not long: every input (CSV rows, strings, typed objects) reaches our own validation and errors.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id")] // InputIds.InventoryIdNames (a test holds them together)
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] ReturnInventoryId { get; set; }

    /// <summary>Send even the ids the ledger knows to be in an active recall (a ledger known to be stale).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override string ActionName => "Create recall";
    protected override string IdNoun => "return inventories";
    protected override string IdNounSingular => "return inventory";
    protected override string HowToCheckUnknownOutcome => Ledger != null
        ? "Run the same command again: it resends that batch with the same idempotency key, which creates nothing twice and reports the recall if there is one (Get-RrRecall -Pending lists such batches)."
        : "Before sending it again, check it with Get-RrInventory -ReturnInventoryId: handling code 'rtn' means it was recalled (this session keeps no recall ledger to resend the batch safely).";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Ledger == null) return;
        known = ReadLedger(Ledger);
        if (known?.Pending.Count > 0)
            WriteVerbose($"The recall ledger has {known.Pending.Count} batch(es) that were sent but never answered; an id in one of them resends that batch first (Get-RrRecall -Pending lists them).");
    }

    protected override void ProcessRecord()
        => Accept(WithPendingBatchesExpanded(ReturnInventoryId ?? new object[] { null }), !MyInvocation.ExpectingInput);

    /// <summary>A pending batch from Get-RrRecall -Pending stands for its ids (so the pipe resends the batch).</summary>
    private static IEnumerable<object> WithPendingBatchesExpanded(object[] items)
    {
        foreach (var item in items)
        {
            if ((item is PSObject ps ? ps.BaseObject : item) is PendingBatch batch)
                foreach (var id in batch.ReturnInventoryId) yield return id;
            else yield return item;
        }
    }

    protected override void EndProcessing()
    {
        base.EndProcessing();
        if (known != null && known.WorthCompacting)
        {
            try { Ledger.CompactIfWorthIt(); }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                WriteVerbose($"The recall ledger {Ledger.Path} was not compacted this time: {e.Message}");
            }
        }
        if (idsAlreadyRecalled > 0)
            WriteWarning($"{idsAlreadyRecalled} of the given return inventories were already in {existingWritten.Count} active recall(s) according to the recall ledger, so nothing was sent for them; those recalls were written with AlreadyExisted = True. Use -Force to send them anyway.");
    }

    protected override bool AnsweredWithoutRequest(long id)
    {
        if (known == null) return false;
        foreach (var batch in known.PendingWith(id).ToList())
            if (resent.Add(batch.IdempotencyKey))
            {
                coveredByResend.UnionWith(batch.ReturnInventoryId);
                ResendBatch(batch.ReturnInventoryId, batch.IdempotencyKey,
                    $"{batch.ReturnInventoryId.Length} return inventories of a batch sent on {batch.Since:u} and never answered, with its own idempotency key");
            }
        if (coveredByResend.Contains(id)) return true;
        if (Force) return false;
        var existing = known.ActiveRecallOf(id);
        if (existing == null) return false;
        idsAlreadyRecalled++;
        if (existingWritten.Add(existing.RecallId))
        {
            existing.AlreadyExisted = true;
            WriteInOrder(() => WriteObject(existing));
        }
        return true;
    }

    private protected override Task<IReadOnlyList<Recall>> SubmitAsync(RrSession session, IReadOnlyList<long> ids, string idempotencyKey, IRrLog log, CancellationToken ct)
        => LedgeredRecall.CreateAsync(session, ids, idempotencyKey, log, ct);

    protected override bool Covers(Recall recall, long id) => recall.RecallInventoryList.Any(i => i.ReturnInventoryId == id);
}
