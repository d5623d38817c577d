using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Commands;

/// <summary>
/// Receive-RrWebhook: a local webhook endpoint. Verified events go to the pipeline as they arrive (written on the
/// pipeline thread through the Await pump), so they can be piped into New-RrRecall while the listener keeps
/// answering. -Count / -Timeout end it; Ctrl+C stops the listener cleanly. Service mode (-RecallNewInventory,
/// -HoldNewInventory, -Process, with -Path) acts on the events itself through WebhookProcessor instead.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "RrWebhook", HelpUri = HelpLinks.Base + "Receive-RrWebhook.md", DefaultParameterSetName = PortSet)]
[OutputType(typeof(WebhookEvent))]
public sealed class ReceiveRrWebhookCommand : WebhookCmdlet
{
    private const string PortSet = "Port";
    private const string PrefixSet = "Prefix";

    /// <summary>Listens on http://127.0.0.1:&lt;Port&gt;/ (loopback only).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PortSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Any other HttpListener prefix, e.g. http://+:8080/hooks/ (only when asked: it may listen beyond this machine).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PrefixSet)]
    [ValidateNotNullOrEmpty]
    public string Prefix { get; set; }

    /// <summary>The Base64 signing key; several during a key rotation (a delivery signed with any of them is accepted).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public SecureString[] SigningKey { get; set; }

    /// <summary>Instead of -SigningKey: a file with one Base64 key per line, re-read when it changes (rotation without a restart).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string SigningKeyPath { get; set; }

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

    /// <summary>The session whose recall ledger recall events update (default: the runspace's default session, if any).</summary>
    [Parameter]
    [ValidateNotNull]
    public RrSession Session { get; set; }

    /// <summary>Appends timestamped lines (start, warnings, refusal counts, processing failures, stop) to this file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string LogPath { get; set; }

    /// <summary>The health probe's path below the listener prefix (default 'health'); an empty string turns it off.</summary>
    [Parameter]
    [AllowEmptyString]
    public string HealthPath { get; set; } = "health";

    /// <summary>Service mode: recall the inventory of every newInventoryCreated event, exactly once across restarts (needs -Path).</summary>
    [Parameter]
    public SwitchParameter RecallNewInventory { get; set; }

    /// <summary>Service mode: put the inventory of every newInventoryCreated event on hold (ohd), once per event (needs -Path).</summary>
    [Parameter]
    public SwitchParameter HoldNewInventory { get; set; }

    /// <summary>Service mode: run this script block once per event, with the event as its argument and $_ (needs -Path).</summary>
    [Parameter]
    [ValidateNotNull]
    public ScriptBlock Process { get; set; }

    protected override void ProcessRecord()
    {
        if ((SigningKey == null) == (SigningKeyPath == null))
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Give the webhook signing key with -SigningKey or -SigningKeyPath (one of them)."),
                "RrWebhook.SigningKeyRequired", ErrorCategory.InvalidArgument, null));
        var verifier = CreateVerifier(SigningKey, SigningKeyPath == null ? null : GetUnresolvedProviderPathFromPSPath(SigningKeyPath), EndpointUri);

        var options = new WebhookReceiverOptions
        {
            Prefix = ParameterSetName == PrefixSet ? CheckedPrefix(Prefix) : WebhookReceiverOptions.LoopbackPrefix(Port),
            Count = MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : (int?)null,
            Timeout = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : (TimeSpan?)null,
            Path = Path == null ? null : GetUnresolvedProviderPathFromPSPath(Path),
            MaxJournalBytes = MaxJournalMB * 1024L * 1024,
            KeepJournalFiles = KeepJournalFiles,
            HealthPath = string.IsNullOrWhiteSpace(HealthPath) ? null : HealthPath.Trim(),
        };
        var receiver = new WebhookReceiver(verifier, options);
        var ledgerSession = Session ?? SessionStore.Current(SessionState);
        WebhookReceiveSummary summary = null;
        var processing = ServiceAction(options.Path, ledgerSession);
        // Events that go to the pipeline or a script get their Payload from the receiver's parse; recall and hold need none.
        if (processing == null || Process != null) options.PayloadOf = WebhookCmdletSupport.PayloadOf;
        var logFile = OpenLog();
        IRrLog WithFile(IRrLog log) => logFile == null ? log : new WebhookServiceLog(logFile, log);
        // A service manager stops the process with SIGTERM (systemd) or a console close: the receiver is stopped as
        // by Ctrl+C, and the process waits (a little) for it to close the listener, its files and its log.
        var ended = new ManualResetEventSlim();
        var stopped = false;
        var stopSignal = new StopSignal(() =>
        {
            StopProcessing();
            ended.Wait(TimeSpan.FromSeconds(10));
        });
        try
        {
            if (processing != null) summary = Await((log, ct) => ReceiveAndProcessAsync(receiver, processing, ledgerSession, WithFile(log), ct));
            else summary = Await((log, ct) => receiver.RunAsync(
                e =>
                {
                    WebhookCmdletSupport.RecordInLedger(e, ledgerSession, log.Warning); // durable before visible
                    Post(() => WriteObject(WebhookCmdletSupport.ToOutput(e)));
                },
                (body, error) => Post(() => WriteError(WebhookCmdletSupport.FormatError(error, body, "A correctly signed delivery is not a readable event (answered 200 and recorded)"))),
                WithFile(log), ct));
        }
        catch (Exception e) when (NoteFailure(logFile, e, ref stopped))
        {
            // Never reached: the filter only writes the failure to the log file.
        }
        catch (WebhookListenException e)
        {
            ThrowTerminatingError(WebhookCmdletSupport.ListenError(e, options.Prefix));
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
        finally
        {
            // Whoever reads only the file learns how the service ended: the counts, or that it did not end normally.
            var counts = summary ?? receiver.Summary;
            logFile?.Append("INFO", counts == null ? "Stopped before listening." : StoppedText(counts)
                + (summary != null ? "" : stopped ? " The command was stopped (Ctrl+C or a stop signal)." : " The command ended with the error above."));
            logFile?.Dispose();
            stopSignal.Dispose();
            ended.Set();
        }
        WriteVerbose(StoppedText(summary));
        if (summary.TimedOut && options.Count.HasValue && !summary.CountReached)
            WriteWarning($"Receive-RrWebhook timed out after {Timeout} with {summary.Events} of {options.Count} events; {summary.RefusedText()}.");
    }

    /// <summary>Writes the error that ends the command to the log file, or notes a stop; false, so that the exception goes on as it would.</summary>
    private static bool NoteFailure(WebhookLogFile logFile, Exception e, ref bool stopped)
    {
        if (e is PipelineStoppedException || e is OperationCanceledException) stopped = true;
        else logFile?.Append("ERROR", Sentence.Of(e));
        return false;
    }

    private static string StoppedText(WebhookReceiveSummary summary)
        => $"Stopped: {summary.Events} events, {summary.Duplicates} duplicates dropped, {summary.RefusedText()}" + (summary.TimedOut ? ", timed out." : ".");

    /// <summary>-LogPath opened for appending, or null; a file that cannot be opened stops the command before it listens.</summary>
    private WebhookLogFile OpenLog()
    {
        if (LogPath == null) return null;
        var path = GetUnresolvedProviderPathFromPSPath(LogPath);
        try { return new WebhookLogFile(path); }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is System.Security.SecurityException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "RrWebhook.LogFileFailed", ErrorCategory.WriteError, path));
            throw; // unreachable
        }
    }

    /// <summary>
    /// The processor of service mode's action (-RecallNewInventory in batches; -HoldNewInventory or -Process per
    /// event), made from the session, the log and the options; null for pipeline mode.
    /// </summary>
    private Func<RrSession, IRrLog, WebhookProcessorOptions, WebhookProcessor> ServiceAction(string journalPath, RrSession session)
    {
        var chosen = new[] { RecallNewInventory.IsPresent, HoldNewInventory.IsPresent, Process != null }.Count(c => c);
        if (chosen == 0) return null;
        if (chosen > 1)
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Use one of -RecallNewInventory, -HoldNewInventory and -Process."),
                "RrWebhook.OneAction", ErrorCategory.InvalidArgument, null));
        if (journalPath == null)
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-RecallNewInventory, -HoldNewInventory and -Process need -Path: events are processed from the journal, so none is lost when processing fails or the script stops."),
                "RrWebhook.PathRequired", ErrorCategory.InvalidArgument, null));
        if (Process != null)
            return (s, log, options) => new WebhookProcessor(journalPath, WebhookActions.Script(Process, Post, WriteObject), log, options);
        if (session == null)
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException("There is no Return Helper session. Run Connect-RrService first, or pass -Session."),
                "RrNoSession", ErrorCategory.ConnectionError, null));
        if (RecallNewInventory) return (s, log, options) => new WebhookProcessor(journalPath, WebhookActions.Recall(s, log, o => Post(() => WriteObject(o))), log, options);
        return (s, log, options) => new WebhookProcessor(journalPath, WebhookActions.Hold(s, log), log, options);
    }

    /// <summary>Service mode: the receiver journals and acknowledges, the processor acts on the journal beside it.</summary>
    private async Task<WebhookReceiveSummary> ReceiveAndProcessAsync(WebhookReceiver receiver, Func<RrSession, IRrLog, WebhookProcessorOptions, WebhookProcessor> newProcessor,
        RrSession session, IRrLog log, CancellationToken ct)
    {
        var journalPath = GetUnresolvedProviderPathFromPSPath(Path);
        var tokenFile = session?.Client.TokenFile;
        var options = new WebhookProcessorOptions
        {
            RetryNow = tokenFile == null ? (Func<bool>)null : tokenFile.HasChanged,
            PayloadOf = Process == null ? null : WebhookCmdletSupport.PayloadOf, // the script block gets each event with its Payload
        };
        using (var processor = newProcessor(session, log, options))
        {
            var summary = await processor.ServeAsync(receiver,
                e => WebhookCmdletSupport.RecordInLedger(e, session, log.Warning),
                // A warning, not an error: under $ErrorActionPreference = 'Stop' an error would end the service.
                (body, error) => log.Warning($"A correctly signed delivery is not a readable event (answered 200 and recorded in {journalPath}): {error.Message}"),
                ct).ConfigureAwait(false);
            log.Verbose($"Processed {processor.Processed} events ({processor.Failures} failed attempts{(processor.BatchesSent > 0 ? $", {processor.BatchesSent} recall requests" : "")}) from {journalPath}.");
            if (processor.Pending > 0)
                log.Warning($"{processor.Pending} received events are not processed yet; they stay in {journalPath} and are processed when Receive-RrWebhook starts again with it (Get-RrWebhookBacklog lists them).");
            return summary;
        }
    }

    /// <summary>HttpListener prefixes must be http(s) and end with a slash; add the slash rather than fail.</summary>
    private string CheckedPrefix(string prefix)
    {
        var p = prefix.Trim();
        if (!p.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !p.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"The prefix '{prefix}' must start with http:// or https://, e.g. http://127.0.0.1:8080/hooks/."),
                "RrWebhook.InvalidPrefix", ErrorCategory.InvalidArgument, prefix));
        return p.EndsWith("/") ? p : p + "/";
    }
}
