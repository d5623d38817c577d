using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;
using ReturnsHelper.Ledger;

namespace ReturnsHelper.Commands;

/// <summary>
/// Stop-RrRecall: cancels whole recalls (-RecallId; recall numbers are resolved through the ledger) or takes single
/// inventories out of their recall (-ReturnInventoryId). The pipeline binds -InputObject, whose first input decides
/// which of the two it is: a Recall, a recall number, a bare number or a record with a RecallId cancels recalls; an
/// Inventory or a record with a return inventory ID column (a CSV row) removes inventories. No parameter is
/// positional, so one kind of ID is never taken for the other. What the service answers is recorded in the ledger
/// before it is written.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "RrRecall", HelpUri = HelpLinks.Base + "Stop-RrRecall.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByInputSet)]
[OutputType(typeof(Recall))]
public sealed class StopRrRecallCommand : BatchedIdCmdlet<Recall>
{
    private const string ByRecallSet = "ByRecallId";
    private const string ByInventorySet = "ByReturnInventoryId";
    private const string ByInputSet = "ByInputObject";

    // Objects, not long: bad values become per-item errors (as in New-RrRecall) instead of a binding failure of the
    // whole call.
    [Parameter(Mandatory = true, ParameterSetName = ByRecallSet)]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] RecallId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ByInventorySet)]
    [Alias("InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id")] // InputIds.InventoryIdNames (a test holds them together)
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] ReturnInventoryId { get; set; }

    /// <summary>Pipeline input: recalls, recall ids and numbers, or inventories (the first input decides which).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByInputSet, ValueFromPipeline = true)]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] InputObject { get; set; }

    private bool? byRecall;
    private bool ByRecall => byRecall ?? (byRecall = ParameterSetName != ByInventorySet).Value;

    protected override string ActionName => ByRecall ? "Cancel recall" : "Remove from recall";
    protected override string IdNoun => ByRecall ? "recalls" : "return inventories";
    protected override string IdNounSingular => ByRecall ? "recall" : "return inventory";
    protected override string[] IdPropertyNames => ByRecall ? RecallIdNames : InputIds.InventoryIdNames;
    protected override string IdName => ByRecall ? "recall ID" : "return inventory ID";
    protected override string HowToCheckUnknownOutcome
        => "Run the same command again: a recall or inventory already taken out is refused with its status, which tells you the first attempt worked.";

    private static readonly string[] RecallIdNames = { "RecallId" };
    private static readonly Regex RecallNumberPattern = new Regex(@"^\s*RCL\d", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private LedgerState known;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByInventorySet)
        {
            Accept(ReturnInventoryId ?? new object[] { null }, fromParameter: true);
            return;
        }
        var items = (ParameterSetName == ByRecallSet ? RecallId : InputObject) ?? new object[] { null };
        if (byRecall == null && ParameterSetName == ByInputSet) byRecall = !items.Any(IsInventoryRecord);
        Accept(ByRecall ? WithRecallNumbersResolved(items) : items, !MyInvocation.ExpectingInput);
    }

    /// <summary>
    /// True for an input that names a return inventory and no recall: an Inventory, or a record with an inventory ID
    /// column and no RecallId. Decides, on the first input, what a pipeline into Stop-RrRecall means.
    /// </summary>
    private static bool IsInventoryRecord(object item)
    {
        var value = item is PSObject ps ? ps.BaseObject : item;
        if (value == null || value is string || value is Recall || value.GetType().IsPrimitive || value is decimal) return false;
        if (value is Inventory) return true;
        return !InputIds.HasProperty(item, RecallIdNames) && InputIds.HasProperty(item, InputIds.InventoryIdNames);
    }

    /// <summary>Recall numbers (RCL...) become recall ids through the ledger; one it does not know is a per-item error.</summary>
    private IEnumerable<object> WithRecallNumbersResolved(object[] items)
    {
        foreach (var item in items)
        {
            var text = (item is PSObject ps ? ps.BaseObject : item) as string;
            if (text == null || !RecallNumberPattern.IsMatch(text))
            {
                yield return item;
                continue;
            }
            var recall = Known()?.FindByNumber(text);
            if (recall != null)
            {
                yield return recall.RecallId;
                continue;
            }
            var why = Ledger == null
                ? "this session keeps no recall ledger (-NoLedger), and the API cannot look recall numbers up. Give the recall ID instead."
                : $"the recall ledger ({Ledger.Path}) does not know it, and the API cannot look recall numbers up. Give the recall ID, or run Get-RrRecall to see the recalls this machine knows.";
            WriteError(new ErrorRecord(new ItemNotFoundException($"Recall number '{text.Trim()}' cannot be resolved: {why}"), "RrRecallNumberUnknown", ErrorCategory.ObjectNotFound, item));
        }
    }

    private LedgerState Known() => Ledger == null ? null : known ?? (known = ReadLedger(Ledger));

    private protected override async Task<IReadOnlyList<Recall>> SubmitAsync(RrSession session, IReadOnlyList<long> ids, string idempotencyKey, IRrLog log, CancellationToken ct)
    {
        var recalls = ByRecall ? await RecallApi.CancelAsync(session, ids, log, ct).ConfigureAwait(false)
            : await RecallApi.CancelByInventoryAsync(session, ids, log, ct).ConfigureAwait(false);
        try
        {
            session.Ledger?.RecallsChanged(recalls, ByRecall ? "cancel" : "remove"); // before the answer is shown
        }
        catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
        {
            log.Warning($"The recall ledger {session.Ledger.Path} could not record the cancellation: {e.Message}");
        }
        return recalls;
    }

    protected override bool Covers(Recall recall, long id)
        => ByRecall ? recall.RecallId == id : recall.Holds(id); // a removed inventory is in RemovedInventoryList
}
