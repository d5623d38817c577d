using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Undo-RrInventoryHandling: withdraws a handling decision the warehouse has not acted on yet
/// (ReturnInventory/CancelReturnInventoryHandling); the inventory goes back to tbc/pending.
/// </summary>
[Cmdlet(VerbsCommon.Undo, "RrInventoryHandling", HelpUri = HelpLinks.Base + "Undo-RrInventoryHandling.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Inventory))]
public sealed class UndoRrInventoryHandlingCommand : InventoryHandlingCmdlet
{
    protected override string ActionText => "Cancel the handling decision (back to 'tbc', to be confirmed)";

    private protected override Task SendAsync(RrSession session, long id, IRrLog log, CancellationToken ct)
        => InventoryApi.CancelHandlingAsync(session, id, log, ct);
}
