using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Batching;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Base of the handling cmdlets: one request per inventory (the endpoints take a single id), each confirmed
/// with -WhatIf/-Confirm on the pipeline thread, then sent as one unit of the <see cref="OrderedWorkQueue"/>
/// (up to -ThrottleLimit at once, output in input order); each refusal is a per-item error; -PassThru reads
/// the inventory back.
/// </summary>
public abstract class InventoryHandlingCmdlet : PerItemCmdlet
{
    /// <summary>Objects, not long: every input (CSV rows, strings, typed objects) reaches our own validation and errors.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id")] // InputIds.InventoryIdNames (a test holds them together)
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] ReturnInventoryId { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The -WhatIf/-Confirm action text.</summary>
    protected abstract string ActionText { get; }

    private protected abstract Task SendAsync(RrSession session, long id, IRrLog log, CancellationToken ct);

    protected override void BeginProcessing()
    {
        _ = ActiveSession; // fail fast, before any input, when there is no session
        BeginPerItem(EffectiveThrottleLimit, skipRepeats: true);
    }

    protected override void ProcessRecord()
    {
        var session = ActiveSession;
        SendPerItem(ReturnInventoryId, id => ShouldProcess(InventoryInput.Describe(session, id), ActionText),
            (unit, id, input, ct) => ChangeAsync(unit, session, id, input, ct), isWrite: true);
    }

    protected override void EndProcessing() => EndPerItem(isWrite: true);

    private async Task ChangeAsync(WorkUnit unit, RrSession session, long id, object input, CancellationToken ct)
    {
        try
        {
            await SendAsync(session, id, ItemLog, ct).ConfigureAwait(false);
            if (PassThru) await ReadBackAsync(unit, session, id, input, ct).ConfigureAwait(false);
        }
        catch (RrApiException e)
        {
            unit.Post(() => WriteApiError(InventoryInput.ItemError(e, id), input,
                $"Check it with Get-RrInventory -ReturnInventoryId {id}: its HandlingCode and HandlingStatus show whether the change was made."));
        }
    }

    private async Task ReadBackAsync(WorkUnit unit, RrSession session, long id, object input, CancellationToken ct)
    {
        try
        {
            var inventory = await InventoryApi.GetAsync(session, id, ItemLog, ct).ConfigureAwait(false);
            unit.Post(() => WriteObject(inventory));
        }
        catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
        {
            // The change itself succeeded; say so, so nobody repeats it.
            var item = InventoryInput.ItemError(e, id);
            unit.Post(() => WriteApiError(item.WithMessage(Sentence.Join($"The change to return inventory {id} succeeded, but reading it back failed:", item.Message)), input));
        }
    }
}
