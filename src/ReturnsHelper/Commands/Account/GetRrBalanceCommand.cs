using System.Collections.Generic;
using System.Management.Automation;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>Get-RrBalance: the account's balances (ApiBalance/GetApiBalance, every page), which resends and recalls draw on.</summary>
[Cmdlet(VerbsCommon.Get, "RrBalance", HelpUri = HelpLinks.Base + "Get-RrBalance.md")]
[OutputType(typeof(ApiBalance))]
public sealed class GetRrBalanceCommand : RrApiCmdlet
{
    protected override void EndProcessing()
    {
        var session = ActiveSession;
        IReadOnlyList<ApiBalance> balances;
        try
        {
            balances = Await((log, ct) => BalanceApi.GetAllAsync(session, log, ct));
        }
        catch (RrApiException e)
        {
            WriteApiError(e, "balance");
            return;
        }
        foreach (var balance in balances) WriteObject(balance);
    }
}
