using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>New-RrRecall: recalls return inventories to the Hong Kong warehouse, in batches, exactly once.</summary>
    [Cmdlet(VerbsCommon.New, "RrRecall", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(Recall))]
    public sealed class NewRrRecallCommand : BatchedIdCmdlet<Recall>
    {
        /// <summary>Objects, not long: every input (CSV rows, strings, typed objects) reaches our own validation and errors.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "InventoryId", "ReturnInventory", "returnInventoryIdList")]
        [AllowNull, AllowEmptyString, AllowEmptyCollection]
        public object[] ReturnInventoryId { get; set; }

        protected override string ActionName => "Create recall";
        protected override string IdNoun => "return inventories";
        protected override string IdNounSingular => "return inventory";

        protected override void ProcessRecord()
            => Accept(ReturnInventoryId ?? new object[] { null }, !MyInvocation.ExpectingInput);

        protected override Task<IReadOnlyList<Recall>> SubmitAsync(RrSession session, IReadOnlyList<long> ids, IRrLog log, CancellationToken ct)
            => RecallApi.CreateAsync(session, ids, log, ct);

        protected override bool Covers(Recall recall, long id) => recall.RecallInventoryList.Any(i => i.ReturnInventoryId == id);
    }
}
