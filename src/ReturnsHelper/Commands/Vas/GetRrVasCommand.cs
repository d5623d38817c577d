using System;
using System.Linq;
using System.Management.Automation;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Get-RrVas: the value-added-service requests of inventories, with their status, result and photos, read from
/// ReturnInventory/GetReturnInventory (the API has no VAS lookup of its own). One request per inventory, up to
/// -ThrottleLimit at once, output in input order; -Status and -VasCode narrow the output.
/// </summary>
[Cmdlet(VerbsCommon.Get, "RrVas", HelpUri = HelpLinks.Base + "Get-RrVas.md")]
[OutputType(typeof(Vas))]
public sealed class GetRrVasCommand : PerItemCmdlet
{
    private WildcardPattern[] codePatterns;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id")] // InputIds.InventoryIdNames (a test holds them together)
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] ReturnInventoryId { get; set; }

    [Parameter]
    [ValidateSet(VasRules.Pending, VasRules.Successful, VasRules.Failed)]
    public string[] Status { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VasCodeCompleter))]
    public string[] VasCode { get; set; }

    protected override void BeginProcessing()
    {
        _ = ActiveSession; // fail fast, before any input, when there is no session
        codePatterns = VasCode?.Select(c => new WildcardPattern(c.Trim(), WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray();
        BeginPerItem(EffectiveThrottleLimit, skipRepeats: true);
    }

    protected override void ProcessRecord()
    {
        var session = ActiveSession;
        SendPerItem(ReturnInventoryId, _ => true, async (unit, id, input, ct) =>
        {
            try
            {
                var requests = await VasApi.ListAsync(session, id, ItemLog, ct).ConfigureAwait(false);
                unit.Post(() =>
                {
                    foreach (var vas in requests.Where(Wanted)) WriteObject(vas);
                });
            }
            catch (RrApiException e)
            {
                unit.Post(() => WriteApiError(InventoryInput.ItemError(e, id), input));
            }
        }, isWrite: false);
    }

    protected override void EndProcessing() => EndPerItem(isWrite: false);

    private bool Wanted(Vas vas)
        => (Status == null || Status.Contains(vas.Status, StringComparer.OrdinalIgnoreCase))
           && (codePatterns == null || codePatterns.Any(p => p.IsMatch(vas.VasCode ?? "")));
}
