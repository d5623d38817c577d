using System;
using System.IO;
using System.Management.Automation;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Commands;

/// <summary>
/// Get-RrWebhookBacklog: the events of a Receive-RrWebhook -Path journal (rotated files included, oldest first)
/// that service mode has not processed yet, each with its failed attempts and last error (or, with
/// -FailedPermanently, those it recorded as failed for good). It only reads: the next Receive-RrWebhook with the
/// same -Path and an action processes the unprocessed ones.
/// </summary>
[Cmdlet(VerbsCommon.Get, "RrWebhookBacklog", HelpUri = HelpLinks.Base + "Get-RrWebhookBacklog.md")]
[OutputType(typeof(WebhookEvent))]
public sealed class GetRrWebhookBacklogCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; }

    /// <summary>Lists the events that failed permanently (not tried again) instead of the unprocessed ones.</summary>
    [Parameter]
    public SwitchParameter FailedPermanently { get; set; }

    protected override void ProcessRecord()
    {
        var journal = GetUnresolvedProviderPathFromPSPath(Path);
        if (!File.Exists(journal))
            ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"The webhook journal '{journal}' does not exist.", journal),
                "RrWebhook.JournalNotFound", ErrorCategory.ObjectNotFound, journal));
        try
        {
            var state = WebhookProcessingState.Open(journal, forWriting: false);
            var events = FailedPermanently
                ? WebhookProcessor.FailedPermanentlyEvents(journal, state, WebhookCmdletSupport.PayloadOf)
                : WebhookProcessor.Backlog(journal, state, WebhookCmdletSupport.PayloadOf);
            foreach (var e in events)
            {
                var output = WebhookCmdletSupport.ToOutput(e);
                var failure = state.LastFailure(e.DedupeKey);
                output.Properties.Add(new PSNoteProperty("ProcessingAttempts", failure?.Attempts ?? 0));
                output.Properties.Add(new PSNoteProperty("ProcessingError", failure?.Error));
                output.Properties.Add(new PSNoteProperty("ProcessingStatus", failure?.Outcome == WebhookProcessingOutcome.FailedPermanently ? "FailedPermanently" : failure != null ? "Failed" : "Pending"));
                WriteObject(output);
            }
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "RrWebhook.FileFailed", ErrorCategory.ReadError, journal));
        }
    }
}
