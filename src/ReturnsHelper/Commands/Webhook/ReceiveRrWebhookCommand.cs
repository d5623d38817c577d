using System;
using System.IO;
using System.Management.Automation;
using System.Security;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Receive-RrWebhook: a local webhook endpoint. Verified events go to the pipeline as they arrive (written on the
    /// pipeline thread through the Await pump), so they can be piped into New-RrRecall while the listener keeps
    /// answering. -Count / -Timeout end it; Ctrl+C stops the listener cleanly.
    /// </summary>
    [Cmdlet(VerbsCommunications.Receive, "RrWebhook", DefaultParameterSetName = PortSet)]
    [OutputType(typeof(WebhookEvent))]
    public sealed class ReceiveRrWebhookCommand : RrCmdlet
    {
        const string PortSet = "Port";
        const string PrefixSet = "Prefix";

        /// <summary>Listens on http://127.0.0.1:&lt;Port&gt;/ (loopback only).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PortSet)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        /// <summary>Any other HttpListener prefix, e.g. http://+:8080/hooks/ (only when asked: it may listen beyond this machine).</summary>
        [Parameter(Mandatory = true, ParameterSetName = PrefixSet)]
        [ValidateNotNullOrEmpty]
        public string Prefix { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        public SecureString SigningKey { get; set; }

        [Parameter(Mandatory = true)]
        [Alias("EndpointUrl")]
        [ValidateNotNullOrEmpty]
        public string EndpointUri { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; }

        [Parameter]
        [ValidateTimeSpan]
        public TimeSpan Timeout { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>The -Path journal rotates when it would grow beyond this many MB; as much of its tail is read at start.</summary>
        [Parameter]
        [ValidateRange(1, 1024 * 1024)]
        public int MaxJournalMB { get; set; } = (int)(WebhookRecordFile.DefaultMaxBytes / (1024 * 1024));

        /// <summary>How many rotated journal files are kept; older ones are deleted.</summary>
        [Parameter]
        [ValidateRange(1, 10000)]
        public int KeepJournalFiles { get; set; } = WebhookRecordFile.DefaultKeepFiles;

        [Parameter]
        [ValidateTimeSpan(AllowZero = true)]
        public TimeSpan MaxClockSkew { get; set; } = WebhookSignature.DefaultMaxClockSkew;

        [Parameter]
        public SwitchParameter SkipClockSkewCheck { get; set; }

        /// <summary>The session whose recall ledger recall events update (default: the runspace's default session, if any).</summary>
        [Parameter]
        [ValidateNotNull]
        public RrSession Session { get; set; }

        protected override void ProcessRecord()
        {
            WebhookVerifier verifier = null;
            try { verifier = WebhookCmdletSupport.CreateVerifier(SigningKey, EndpointUri, MaxClockSkew, SkipClockSkewCheck); }
            catch (WebhookFormatException e) { ThrowTerminatingError(WebhookCmdletSupport.FormatError(e, null)); }

            var options = new WebhookReceiverOptions
            {
                Prefix = ParameterSetName == PrefixSet ? CheckedPrefix(Prefix) : WebhookReceiverOptions.LoopbackPrefix(Port),
                Count = MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : (int?)null,
                Timeout = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : (TimeSpan?)null,
                Path = Path == null ? null : GetUnresolvedProviderPathFromPSPath(Path),
                MaxJournalBytes = MaxJournalMB * 1024L * 1024,
                KeepJournalFiles = KeepJournalFiles,
            };
            var receiver = new WebhookReceiver(verifier, options);
            var ledgerSession = Session ?? SessionStore.Current(SessionState);
            WebhookReceiveSummary summary = null;
            try
            {
                summary = Await((log, ct) => receiver.RunAsync(
                    e =>
                    {
                        WebhookCmdletSupport.RecordInLedger(e, ledgerSession, log.Warning); // durable before visible
                        Post(() => WriteObject(WebhookCmdletSupport.ToOutput(e)));
                    },
                    (body, error) => Post(() => WriteError(WebhookCmdletSupport.FormatError(error, body, "A correctly signed delivery is not a readable event (answered 200 and recorded)"))),
                    log, ct));
            }
            catch (InvalidOperationException e) when (e.InnerException is System.Net.HttpListenerException)
            {
                ThrowTerminatingError(new ErrorRecord(e, "RrWebhook.ListenFailed", ErrorCategory.ResourceUnavailable, options.Prefix));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(e, "RrWebhook.FileFailed", ErrorCategory.WriteError, options.Path));
            }
            catch (InvalidOperationException e)
            {
                // An event could not be handed on: it was refused (and is in the journal, if any); the receiver stopped.
                ThrowTerminatingError(new ErrorRecord(e, "RrWebhook.HandOnFailed", ErrorCategory.InvalidOperation, options.Prefix));
            }

            WriteVerbose($"Stopped: {summary.Events} events, {summary.Duplicates} duplicates dropped, {summary.RefusedText()}"
                + (summary.TimedOut ? ", timed out." : "."));
            if (summary.TimedOut && options.Count.HasValue && !summary.CountReached)
                WriteWarning($"Receive-RrWebhook timed out after {Timeout} with {summary.Events} of {options.Count} events; {summary.RefusedText()}.");
        }

        /// <summary>HttpListener prefixes must be http(s) and end with a slash; add the slash rather than fail.</summary>
        string CheckedPrefix(string prefix)
        {
            var p = prefix.Trim();
            if (!p.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !p.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"The prefix '{prefix}' must start with http:// or https://, e.g. http://127.0.0.1:8080/hooks/."),
                    "RrWebhook.InvalidPrefix", ErrorCategory.InvalidArgument, prefix));
            return p.EndsWith("/") ? p : p + "/";
        }
    }
}
