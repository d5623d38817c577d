using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using ReturnsHelper.Ledger;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Stop-RrRecall: cancels whole recalls (-RecallId, bound from Recall objects; recall numbers are resolved through
    /// the ledger) or takes single inventories out of their recall (-ReturnInventoryId, bound from Inventory objects).
    /// What the service answers is recorded in the ledger before it is written.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "RrRecall", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByRecallSet)]
    [OutputType(typeof(Recall))]
    public sealed class StopRrRecallCommand : BatchedIdCmdlet<Recall>
    {
        const string ByRecallSet = "ByRecallId";
        const string ByInventorySet = "ByReturnInventoryId";

        // Objects, not long: bad values become per-item errors (as in New-RrRecall) instead of a binding failure of the
        // whole call. By property name only: a Recall binds -RecallId, an Inventory binds -ReturnInventoryId.
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByRecallSet, ValueFromPipelineByPropertyName = true)]
        [AllowNull, AllowEmptyString, AllowEmptyCollection]
        public object[] RecallId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ByInventorySet, ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "InventoryId", "ReturnInventory", "returnInventoryIdList")]
        [AllowNull, AllowEmptyString, AllowEmptyCollection]
        public object[] ReturnInventoryId { get; set; }

        bool ByRecall => ParameterSetName == ByRecallSet;

        protected override string ActionName => ByRecall ? "Cancel recall" : "Remove from recall";
        protected override string IdNoun => ByRecall ? "recalls" : "return inventories";
        protected override string IdNounSingular => ByRecall ? "recall" : "return inventory";
        protected override string[] IdPropertyNames => ByRecall ? new[] { "RecallId" } : InputIds.InventoryIdNames;

        static readonly Regex RecallNumberPattern = new Regex(@"^\s*RCL\d", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        LedgerState known;

        protected override void ProcessRecord()
            => Accept(ByRecall ? WithRecallNumbersResolved(RecallId ?? new object[] { null }) : ReturnInventoryId ?? new object[] { null }, !MyInvocation.ExpectingInput);

        /// <summary>Recall numbers (RCL...) become recall ids through the ledger; one it does not know is a per-item error.</summary>
        IEnumerable<object> WithRecallNumbersResolved(object[] items)
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

        LedgerState Known() => Ledger == null ? null : known ?? (known = ReadLedger(Ledger));

        protected override async Task<IReadOnlyList<Recall>> SubmitAsync(RrSession session, IReadOnlyList<long> ids, string idempotencyKey, IRrLog log, CancellationToken ct)
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
}
