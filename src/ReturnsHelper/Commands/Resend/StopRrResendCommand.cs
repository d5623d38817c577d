using System.Management.Automation;
using ReturnsHelper.Http;
using ReturnsHelper.Ledger;

namespace ReturnsHelper.Commands;

/// <summary>
/// Stop-RrResend: cancels pending resends (Resend/cancelResend), one request each, and writes each as it is
/// now. A resend that is no longer pending (its label is made) is a per-item error. The ledger records the
/// cancel, so New-RrResend sends those inventories again.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "RrResend", HelpUri = HelpLinks.Base + "Stop-RrResend.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Resend))]
public sealed class StopRrResendCommand : RrApiCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public long[] ResendId { get; set; }

    protected override void ProcessRecord()
    {
        var session = ActiveSession;
        foreach (var id in ResendId)
        {
            if (!ShouldProcess($"Resend {id} in {session.Environment} ({session.BaseUri})", "Cancel resend")) continue;
            Await(async (log, ct) =>
            {
                try
                {
                    var resend = await LedgeredResend.CancelAsync(session, id, log, ct).ConfigureAwait(false);
                    Post(() => WriteObject(resend));
                }
                catch (RrApiException e)
                {
                    Post(() => WriteApiError(e.ForItem(id), id, "Run Get-RrResend: status 'canceled' means the cancel went through."));
                }
            });
        }
    }
}
