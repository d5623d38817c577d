using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Base of the handling cmdlets: one request per inventory (the endpoints take a single id), each confirmed
    /// with -WhatIf/-Confirm, each refusal a per-item error; -PassThru reads the inventory back.
    /// </summary>
    public abstract class InventoryHandlingCmdlet : RrApiCmdlet
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
        }

        protected override void ProcessRecord()
        {
            var session = ActiveSession;
            InputIds.ForEach(this, ReturnInventoryId, InputIds.InventoryIdNames, seen, id =>
            {
                if (!ShouldProcess(InventoryInput.Describe(session, id), ActionText)) return;
                try
                {
                    Await((log, ct) => SendAsync(session, id, log, ct));
                }
                catch (RrApiException e)
                {
                    WriteApiError(InventoryInput.ItemError(e), id);
                    return;
                }
                if (PassThru) ReadBack(session, id);
            });
        }

        void ReadBack(RrSession session, long id)
        {
            try
            {
                WriteObject(Await((log, ct) => InventoryApi.GetAsync(session, id, log, ct)));
            }
            catch (RrApiException e)
            {
                // The change itself succeeded; say so, so nobody repeats it.
                WriteApiError(ErrorMapper.ForItem(e, $"The change to return inventory {id} succeeded, but reading it back failed: {InventoryInput.ItemError(e).Message}"), id);
            }
        }
    }
}
