using System.Management.Automation;

namespace ReturnsHelper.Commands;

/// <summary>Disconnect-RrService: forgets the default session (or the given one) and releases its HTTP resources.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "RrService", HelpUri = HelpLinks.Base + "Disconnect-RrService.md")]
public sealed class DisconnectRrServiceCommand : PSCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public RrSession Session { get; set; }

    protected override void ProcessRecord()
    {
        var current = SessionStore.Current(SessionState);
        var target = Session ?? current;
        if (target == null)
        {
            WriteVerbose("There is no Return Helper session to disconnect.");
            return;
        }
        if (ReferenceEquals(target, current)) SessionStore.Clear(SessionState);
        target.Dispose();
        WriteVerbose($"Disconnected from {target.Environment} at {target.BaseUri}.");
    }
}
