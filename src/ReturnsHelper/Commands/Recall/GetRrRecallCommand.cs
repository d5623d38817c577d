using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ReturnsHelper.Ledger;

namespace ReturnsHelper.Commands;

/// <summary>
/// Get-RrRecall: the recalls this machine's ledger knows (the API has no recall lookup), by recall ID, number,
/// inventory, status or creation time; or, with -Pending, the batches that were sent and never answered.
/// </summary>
[Cmdlet(VerbsCommon.Get, "RrRecall", HelpUri = HelpLinks.Base + "Get-RrRecall.md", DefaultParameterSetName = KnownSet)]
[OutputType(typeof(Recall), ParameterSetName = new[] { KnownSet })]
[OutputType(typeof(PendingBatch), ParameterSetName = new[] { PendingSet })]
public sealed class GetRrRecallCommand : RrApiCmdlet
{
    private const string KnownSet = "Known";
    private const string PendingSet = "Pending";

    private LedgerState state;
    private InputIds reader;
    private readonly HashSet<long> written = new HashSet<long>();
    private WildcardPattern[] numberPatterns;
    private WildcardPattern[] statusPatterns;

    [Parameter(Position = 0, ParameterSetName = KnownSet)]
    [ValidateNotNullOrEmpty]
    public long[] RecallId { get; set; }

    [Parameter(ParameterSetName = KnownSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] RecallNumber { get; set; }

    /// <summary>Objects, not long: CSV rows and strings reach the module's own id reading and per-item errors.</summary>
    [Parameter(ParameterSetName = KnownSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id")] // InputIds.InventoryIdNames (a test holds them together)
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] ReturnInventoryId { get; set; }

    [Parameter(ParameterSetName = KnownSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Status { get; set; }

    [Parameter(ParameterSetName = KnownSet)]
    [OffsetTimeTransformation]
    public DateTime CreatedAfter { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = PendingSet)]
    public SwitchParameter Pending { get; set; }

    protected override void BeginProcessing()
    {
        var session = ActiveSession;
        if (session.Ledger == null)
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                "This session keeps no recall ledger (Connect-RrService -NoLedger), and the Return Helper API cannot look recalls up. Connect without -NoLedger to keep one."),
                "RrNoLedger", ErrorCategory.InvalidOperation, session));
        state = ReadLedger(session.Ledger);
        WriteVerbose($"The recall ledger {session.Ledger.Path} knows {state.Recalls.Count} recall(s) and {state.Pending.Count} pending batch(es). It holds what this machine was told; recalls made elsewhere are known only through their webhook events.");
        numberPatterns = RecallNumber?.Select(Pattern).ToArray();
        statusPatterns = Status?.Select(Pattern).ToArray();
    }

    protected override void ProcessRecord()
    {
        if (Pending || !MyInvocation.BoundParameters.ContainsKey(nameof(ReturnInventoryId))) return;
        reader = reader ?? new InputIds(this, InputIds.InventoryIdNames, "return inventory ID", skipRepeats: false);
        reader.ForEach(ReturnInventoryId, (id, input) =>
        {
            var holding = state.RecallsOf(id);
            if (holding.Count == 0)
                WriteError(new ErrorRecord(new ItemNotFoundException($"The recall ledger knows no recall of return inventory {id}."), "RrRecallNotInLedger", ErrorCategory.ObjectNotFound, input));
            foreach (var recall in holding.Where(Matches)) Write(recall);
        });
    }

    protected override void EndProcessing()
    {
        if (Pending)
        {
            foreach (var batch in state.Pending.OrderBy(p => p.Since)) WriteObject(batch);
            return;
        }
        if (MyInvocation.BoundParameters.ContainsKey(nameof(ReturnInventoryId))) return;
        foreach (var id in RecallId ?? new long[0])
            if (state.FindById(id) == null)
                WriteError(new ErrorRecord(new ItemNotFoundException($"The recall ledger knows no recall {id}."), "RrRecallNotInLedger", ErrorCategory.ObjectNotFound, id));
        foreach (var number in (RecallNumber ?? new string[0]).Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
            if (state.FindByNumber(number) == null)
                WriteError(new ErrorRecord(new ItemNotFoundException($"The recall ledger knows no recall {number}."), "RrRecallNotInLedger", ErrorCategory.ObjectNotFound, number));
        foreach (var recall in state.Recalls.Where(Matches).OrderBy(r => r.RecallId)) Write(recall);
    }

    private void Write(Recall recall)
    {
        if (written.Add(recall.RecallId)) WriteObject(recall);
    }

    private bool Matches(Recall r)
        => (RecallId == null || RecallId.Contains(r.RecallId))
           && (numberPatterns == null || numberPatterns.Any(p => p.IsMatch(r.RecallNumber ?? "")))
           && (statusPatterns == null || statusPatterns.Any(p => p.IsMatch(r.RecallStatusCode ?? "")))
           && (!MyInvocation.BoundParameters.ContainsKey(nameof(CreatedAfter)) || (r.CreateOn ?? r.LedgerUpdatedOn) >= CreatedAfter.ToUniversalTime());

    private static WildcardPattern Pattern(string text) => new WildcardPattern(text.Trim(), WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
}
