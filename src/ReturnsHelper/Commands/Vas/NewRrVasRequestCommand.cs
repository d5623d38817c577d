using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// New-RrVasRequest: asks the warehouse for value-added services on inventories on hold
/// (Vas/CreateByReturnInventoryId). One request per inventory, so a refused inventory never holds the others back
/// and a split-parcel is always alone in its request; each request carries its own idempotency key, reused by every
/// retry, so a lost answer never creates the services twice. The request is checked against the documented rules
/// and the environment's services before any call; writes the created requests (their VasId follows them).
/// </summary>
[Cmdlet(VerbsCommon.New, "RrVasRequest", HelpUri = HelpLinks.Base + "New-RrVasRequest.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Vas))]
public sealed class NewRrVasRequestCommand : PerItemCmdlet
{
    private string[] codes;
    private string actionText;

    /// <summary>Objects, not long: every input (CSV rows, strings, typed objects) reaches our own validation and errors.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id")] // InputIds.InventoryIdNames (a test holds them together)
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] ReturnInventoryId { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    [Alias("VasCode")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VasCodeCompleter))]
    public string[] Service { get; set; }

    [Parameter]
    public int? Quantity { get; set; }

    [Parameter]
    [ValidateLength(1, 1000)]
    public string Note { get; set; }

    protected override void BeginProcessing()
    {
        _ = ActiveSession; // fail fast, before any input, when there is no session
        codes = Service.Select(c => (c ?? "").Trim()).ToArray();
        if (codes.Any(c => c.Length == 0)) Refuse("a service code is empty.");
        var problem = VasRules.Problem(codes, Quantity);
        if (problem != null) Refuse(problem);
        codes = CheckAgainstEnvironment(codes);
        if (Quantity.HasValue && !codes.Any(VasRules.RequiresQuantity))
            WriteWarning($"-Quantity {Quantity} is not sent: only '{VasRules.RequestPictures}' and '{VasRules.SplitParcel}' take a quantity.");
        actionText = "Request value-added services " + string.Join(", ", codes.Select(c => VasRules.RequiresQuantity(c) ? $"{c} ({Quantity})" : c));
        BeginPerItem(EffectiveThrottleLimit, skipRepeats: true);
    }

    protected override void ProcessRecord()
    {
        var session = ActiveSession;
        SendPerItem(ReturnInventoryId, id => ShouldProcess(InventoryInput.Describe(session, id), actionText),
            async (unit, id, input, ct) =>
            {
                try
                {
                    var created = await VasApi.CreateAsync(session, id, codes, Quantity, Note, ItemLog, ct).ConfigureAwait(false);
                    unit.Post(() =>
                    {
                        foreach (var vas in created) WriteObject(vas);
                        if (created.Count == 0)
                            WriteWarning($"The service accepted the request for return inventory {id} but did not list what it created; see Get-RrVas -ReturnInventoryId {id}.");
                    });
                }
                catch (RrApiException e)
                {
                    unit.Post(() => WriteApiError(InventoryInput.ItemError(e, id), input,
                        $"Check it with Get-RrVas -ReturnInventoryId {id}: a pending request for these services shows that it was made."));
                }
            }, isWrite: true);
    }

    protected override void EndProcessing() => EndPerItem(isWrite: true);

    /// <summary>
    /// The codes in the environment's spelling (vas/getAllVas, cached per session); a code it does not list is
    /// refused before any call. When the list cannot be read the service checks the codes itself.
    /// </summary>
    private string[] CheckAgainstEnvironment(string[] given)
    {
        var session = ActiveSession;
        IReadOnlyList<VasType> types;
        try
        {
            types = Await((log, ct) => VasApi.GetVasTypesAsync(session, false, log, ct));
        }
        catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
        {
            WriteVerbose($"Could not read the value-added services to check {string.Join(", ", given)} ({e.Message}); the service will check them.");
            return given;
        }
        catch (RrApiException e)
        {
            WriteApiError(e, given); // bad credentials: terminating
            return given;
        }
        if (types.Count == 0) return given;
        return given.Select(code =>
        {
            var known = types.FirstOrDefault(t => string.Equals(t.VasCode, code, StringComparison.OrdinalIgnoreCase));
            if (known == null)
                Refuse($"'{code}' is not a value-added service of {session.Environment}; use one of: {string.Join(", ", types.Select(t => t.VasCode))} (Get-RrVasType).");
            return known.VasCode;
        }).ToArray();
    }

    private void Refuse(string reason)
        => ThrowTerminatingError(new ErrorRecord(new ArgumentException($"Cannot request value-added services: {reason}"),
            "RrVasRequestInvalid", ErrorCategory.InvalidArgument, Service));
}
