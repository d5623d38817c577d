using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Set-RrInventoryHandling: tells the warehouse what to do with inventories (ReturnInventory/UpdateReturnInventoryHandling).
/// A code the endpoint refuses, or one the environment's handling types do not have, is refused before any call.
/// </summary>
[Cmdlet(VerbsCommon.Set, "RrInventoryHandling", HelpUri = HelpLinks.Base + "Set-RrInventoryHandling.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Inventory))]
public sealed class SetRrInventoryHandlingCommand : InventoryHandlingCmdlet
{
    private string code;
    private string meaning;

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SettableHandlingCodeCompleter))]
    public string HandlingCode { get; set; }

    protected override string ActionText => $"Set handling to '{code}'" + (string.IsNullOrEmpty(meaning) ? "" : $" ({meaning})");

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        code = Codes.Handling(HandlingCode.Trim()); // 2 -> dis, DIS -> dis
        if (Codes.ForbiddenHandlingUpdates.TryGetValue(code, out var reason))
            Refuse(reason + (InsteadOfForbiddenCode.TryGetValue(code, out var instead) ? "; " + instead : "") + ".");
        meaning = InventoryInput.Meaning(code);
        var types = KnownHandlingTypes();
        if (types == null || types.Count == 0) return;
        var known = types.FirstOrDefault(t => string.Equals(t.HandlingCode, code, StringComparison.OrdinalIgnoreCase));
        if (known == null)
            Refuse($"'{code}' is not a handling type of {ActiveSession.Environment}; use one of: "
                   + string.Join(", ", types.Select(t => t.HandlingCode).Where(c => c != null && !Codes.ForbiddenHandlingUpdates.ContainsKey(c))) + ".");
        else if (meaning == null)
            meaning = known.HandlingDescription; // a code the docs do not list: the environment's own description
    }

    private protected override Task SendAsync(RrSession session, long id, IRrLog log, CancellationToken ct)
        => InventoryApi.UpdateHandlingAsync(session, id, code, log, ct);

    /// <summary>The environment's handling types (cached per session), or null when they cannot be read: the service still checks.</summary>
    private IReadOnlyList<HandlingType> KnownHandlingTypes()
    {
        var session = ActiveSession;
        try
        {
            return Await((log, ct) => ReferenceApi.GetHandlingTypesAsync(session, false, log, ct));
        }
        catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
        {
            WriteVerbose($"Could not read the handling types to check '{code}' ({e.Message}); the service will check it.");
            return null;
        }
        catch (RrApiException e)
        {
            WriteApiError(e, code); // bad credentials: terminating
            return null;
        }
    }

    /// <summary>The cmdlet that does what a refused code asks for, when there is one.</summary>
    private static readonly Dictionary<string, string> InsteadOfForbiddenCode = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["tbc"] = "use Undo-RrInventoryHandling to go back to it",
        ["rtn"] = "use New-RrRecall",
    };

    private void Refuse(string reason)
        => ThrowTerminatingError(new ErrorRecord(new ArgumentException($"Cannot set handling code '{code}': {reason}"),
            "RrHandlingCodeNotSettable", ErrorCategory.InvalidArgument, HandlingCode));
}
