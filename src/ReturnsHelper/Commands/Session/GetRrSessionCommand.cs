using System.Management.Automation;

namespace ReturnsHelper.Commands;

/// <summary>Get-RrSession: the default session of this runspace, if any.</summary>
[Cmdlet(VerbsCommon.Get, "RrSession", HelpUri = HelpLinks.Base + "Get-RrSession.md")]
[OutputType(typeof(RrSession))]
public sealed class GetRrSessionCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        var session = SessionStore.Current(SessionState);
        if (session == null) WriteVerbose("There is no default Return Helper session in this runspace. Run Connect-RrService.");
        else
        {
            SessionStore.MarkGivenToUser(session, SessionState); // the caller may keep it: a later Connect-RrService must not dispose it
            WriteObject(session);
        }
    }
}
