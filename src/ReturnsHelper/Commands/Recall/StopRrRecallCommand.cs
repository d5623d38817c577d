using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Stop-RrRecall: cancels whole recalls (-RecallId, bound from Recall objects) or takes single
    /// inventories out of their recall (-ReturnInventoryId, bound from Inventory objects).
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

        protected override void ProcessRecord()
            => Accept((ByRecall ? RecallId : ReturnInventoryId) ?? new object[] { null }, !MyInvocation.ExpectingInput);

        protected override Task<IReadOnlyList<Recall>> SubmitAsync(RrSession session, IReadOnlyList<long> ids, IRrLog log, CancellationToken ct)
            => ByRecall ? RecallApi.CancelAsync(session, ids, log, ct) : RecallApi.CancelByInventoryAsync(session, ids, log, ct);

        protected override bool Covers(Recall recall, long id)
            => ByRecall ? recall.RecallId == id : recall.RecallInventoryList.Any(i => i.ReturnInventoryId == id);
    }
}
