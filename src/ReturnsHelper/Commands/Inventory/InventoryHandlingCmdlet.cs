using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Batching;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Base of the handling cmdlets: one request per inventory (the endpoints take a single id), each confirmed
    /// with -WhatIf/-Confirm on the pipeline thread, then sent as one unit of the <see cref="OrderedWorkQueue"/>
    /// (up to -ThrottleLimit at once, output in input order); each refusal is a per-item error; -PassThru reads
    /// the inventory back.
    /// </summary>
    public abstract class InventoryHandlingCmdlet : PerItemCmdlet
    {
        readonly HashSet<long> seen = new HashSet<long>();

        /// <summary>Objects, not long: every input (CSV rows, strings, typed objects) reaches our own validation and errors.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "InventoryId", "ReturnInventory", "returnInventoryIdList")]
        [AllowNull, AllowEmptyString, AllowEmptyCollection]
        public object[] ReturnInventoryId { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>The -WhatIf/-Confirm action text.</summary>
        protected abstract string ActionText { get; }

        protected abstract Task SendAsync(RrSession session, long id, IRrLog log, CancellationToken ct);

        protected override void BeginProcessing()
        {
            _ = ActiveSession; // fail fast, before any input, when there is no session
            BeginPerItem(EffectiveThrottleLimit);
        }

        protected override void ProcessRecord()
        {
            var session = ActiveSession;
            SendPerItem(ReturnInventoryId, seen, id => ShouldProcess(InventoryInput.Describe(session, id), ActionText),
                (unit, id, ct) => ChangeAsync(unit, session, id, ct), isWrite: true);
        }

        protected override void EndProcessing() => EndPerItem(isWrite: true);

        async Task ChangeAsync(WorkUnit unit, RrSession session, long id, CancellationToken ct)
        {
            try
            {
                await SendAsync(session, id, ItemLog, ct).ConfigureAwait(false);
                if (PassThru) await ReadBackAsync(unit, session, id, ct).ConfigureAwait(false);
            }
            catch (RrApiException e)
            {
                unit.Post(() => WriteApiError(InventoryInput.ItemError(e), id));
            }
        }

        async Task ReadBackAsync(WorkUnit unit, RrSession session, long id, CancellationToken ct)
        {
            try
            {
                var inventory = await InventoryApi.GetAsync(session, id, ItemLog, ct).ConfigureAwait(false);
                unit.Post(() => WriteObject(inventory));
            }
            catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
            {
                // The change itself succeeded; say so, so nobody repeats it.
                unit.Post(() => WriteApiError(ErrorMapper.ForItem(e, $"The change to return inventory {id} succeeded, but reading it back failed: {InventoryInput.ItemError(e).Message}"), id));
            }
        }
    }
}
