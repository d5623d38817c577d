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

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByRecallSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public long[] RecallId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ByInventorySet, ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "InventoryId", "ReturnInventory", "returnInventoryIdList")]
        public long[] ReturnInventoryId { get; set; }

        bool ByRecall => ParameterSetName == ByRecallSet;

        protected override string ActionName => ByRecall ? "Cancel recall" : "Remove from recall";
        protected override string IdNoun => ByRecall ? "recalls" : "return inventories";
        protected override string[] IdPropertyNames => ByRecall ? new[] { "RecallId" } : InputIds.InventoryIdNames;

        protected override void ProcessRecord()
            => Accept((ByRecall ? RecallId : ReturnInventoryId).Cast<object>(), !MyInvocation.ExpectingInput);

        protected override Task<IReadOnlyList<Recall>> SubmitAsync(RrSession session, IReadOnlyList<long> ids, IRrLog log, CancellationToken ct)
            => ByRecall ? RecallApi.CancelAsync(session, ids, log, ct) : RecallApi.CancelByInventoryAsync(session, ids, log, ct);

        protected override bool Covers(Recall recall, long id)
            => ByRecall ? recall.RecallId == id : recall.RecallInventoryList.Any(i => i.ReturnInventoryId == id);
    }
}
