using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ReturnsHelper.Api;
using ReturnsHelper.Http;
using ReturnsHelper.Ledger;

namespace ReturnsHelper.Commands;

/// <summary>
/// Get-RrResend: resends by id (resend/getResend), from the pipeline (New-RrResend's output, CSV rows with a
/// ResendId column); without ids, every resend the session's ledger knows.
/// </summary>
[Cmdlet(VerbsCommon.Get, "RrResend", HelpUri = HelpLinks.Base + "Get-RrResend.md")]
[OutputType(typeof(Resend))]
public sealed class GetRrResendCommand : RrApiCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public long[] ResendId { get; set; }

    private readonly List<long> ids = new List<long>();
    private bool anyInput;

    protected override void ProcessRecord()
    {
        if (ResendId == null) return;
        anyInput = true;
        ids.AddRange(ResendId.Where(id => !ids.Contains(id)));
    }

    protected override void EndProcessing()
    {
        var session = ActiveSession;
        if (!anyInput && !MyInvocation.ExpectingInput)
        {
            if (session.Ledger == null)
            {
                WriteWarning("This session keeps no ledger (Connect-RrService -NoLedger), so it knows no resends: give -ResendId.");
                return;
            }
            ids.AddRange(ReadLedger(session.Ledger).Records.Where(r => r.Operation == LedgeredResend.Operation).Select(r => r.Id));
        }
        Await(async (log, ct) =>
        {
            foreach (var id in ids)
            {
                try
                {
                    var resend = await ResendApi.GetAsync(session, id, log, ct).ConfigureAwait(false);
                    Post(() => WriteObject(resend));
                }
                catch (RrApiException e)
                {
                    Post(() => WriteApiError(e.ForItem(id), id));
                }
            }
        });
    }
}
