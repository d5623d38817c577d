using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security;
using System.Text;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Commands;

/// <summary>
/// ConvertFrom-RrWebhook: raw webhook bodies, or the JSON-lines records Receive-RrWebhook -Path writes, to typed
/// events; optionally verifying each signature first. A bad item is a per-item error; the rest continue.
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "RrWebhook", HelpUri = HelpLinks.Base + "ConvertFrom-RrWebhook.md", DefaultParameterSetName = BodySet)]
[OutputType(typeof(WebhookEvent))]
public sealed class ConvertFromRrWebhookCommand : WebhookCmdlet
{
    private const string BodySet = "Body";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>
    /// A raw body exactly as received, or text holding records/bodies one per line. Not positional: the one positional
    /// parameter is -Path, so `ConvertFrom-RrWebhook ./events.jsonl` reads the file instead of parsing its name.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = BodySet)]
    [Alias("RawBody")]
    [AllowEmptyString, AllowNull]
    public string[] Body { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; }

    /// <summary>The timestamp header of the delivery (raw bodies only: records carry their own).</summary>
    [Parameter(ParameterSetName = BodySet)]
    [ValidateNotNullOrEmpty]
    public string Timestamp { get; set; }

    /// <summary>The returnhelper-signature header of the delivery (raw bodies only: records carry their own).</summary>
    [Parameter(ParameterSetName = BodySet)]
    [ValidateNotNullOrEmpty]
    public string Signature { get; set; }

    [Parameter]
    [Alias("EndpointUrl")]
    [ValidateNotNullOrEmpty]
    public string EndpointUri { get; set; }

    [Parameter]
    [ValidateNotNull]
    public SecureString SigningKey { get; set; }

    /// <summary>The session whose recall ledger authentic recall events update (default: the runspace's default session, if any).</summary>
    [Parameter]
    [ValidateNotNull]
    public RrSession Session { get; set; }

    private WebhookVerifier verifier;

    protected override void BeginProcessing()
    {
        var headers = Timestamp != null || Signature != null;
        if ((SigningKey == null) != (EndpointUri == null) || (headers && SigningKey == null))
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException("To verify signatures give both -SigningKey and -EndpointUri (and, for raw bodies, -Timestamp and -Signature); to only convert, give none of them."),
                "RrWebhook.IncompleteVerification", ErrorCategory.InvalidArgument, null));
        if (SigningKey == null) return;
        verifier = CreateVerifier(new[] { SigningKey }, null, EndpointUri);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == BodySet)
        {
            foreach (var body in Body ?? new string[] { null })
                foreach (var item in WebhookInput.Read(Encoding.UTF8.GetBytes(body ?? "")))
                    using (item) Convert(item, body, null);
            return;
        }
        foreach (var file in ResolveFiles())
        {
            // Only reading the file is guarded here: what happens downstream of WriteObject is not a read error of this file.
            using (var items = ReadItems(file).GetEnumerator())
                while (true)
                {
                    try
                    {
                        if (!items.MoveNext()) break;
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        WriteError(new ErrorRecord(e, "RrWebhook.FileUnreadable", ErrorCategory.ReadError, file));
                        break;
                    }
                    using (items.Current) Convert(items.Current, file, file);
                }
        }
    }

    /// <summary>A file's items; opening it is deferred to the first item, so its failure is a read error too.</summary>
    private static IEnumerable<WebhookInputItem> ReadItems(string file)
    {
        foreach (var item in WebhookInput.ReadFile(file)) yield return item;
    }

    /// <summary>One item of an input: an event, or a per-item error naming the input (and the line).</summary>
    private void Convert(WebhookInputItem item, object target, string file)
    {
        var where = Where(file, item.Line);
        // A line's text is made only for an error about it.
        object ItemTarget() => file != null ? (object)where : item.Line.HasValue ? WebhookParser.Text(item.Body) : target;
        if (item.Error != null)
        {
            WriteError(WebhookCmdletSupport.FormatError(item.Error, ItemTarget(), where));
            return;
        }
        try
        {
            if (verifier != null && !Verified(item, ItemTarget, where)) return;
            // A raw body was parsed as the input was split; a record's body is parsed here. Either way once.
            var evt = item.Parsed != null
                ? WebhookParser.Parse(item.Parsed, WebhookCmdletSupport.PayloadOf)
                : WebhookParser.Parse(item.Body, WebhookCmdletSupport.PayloadOf);
            if (item.Record != null && item.Record.ReceivedAt != DateTimeOffset.MinValue) evt.ReceivedAt = item.Record.ReceivedAt.UtcDateTime;
            // Only authentic events reach the ledger: verified here, or recorded by Receive-RrWebhook after it verified them.
            if (verifier != null || item.Record != null) WebhookCmdletSupport.RecordInLedger(evt, Session ?? SessionStore.Current(SessionState), WriteWarning);
            WriteObject(WebhookCmdletSupport.ToOutput(evt));
        }
        catch (WebhookFormatException e)
        {
            WriteError(WebhookCmdletSupport.FormatError(e, ItemTarget(), where));
        }
    }

    /// <summary>
    /// Raw bodies use -Timestamp/-Signature and are checked against now; records use the headers they kept and
    /// are checked against the time they were received (a recorded event is old by the time it is read).
    /// </summary>
    private bool Verified(WebhookInputItem item, Func<object> target, string where)
    {
        var record = item.Record;
        if (record == null && (Timestamp == null || Signature == null))
        {
            WriteError(new ErrorRecord(
                new PSArgumentException("Cannot verify a raw body without its headers: give -Timestamp and -Signature (or read the records Receive-RrWebhook -Path wrote, which keep them)."),
                "RrWebhook.MissingHeaders", ErrorCategory.InvalidArgument, target())
            { ErrorDetails = where == null ? null : new ErrorDetails($"{where}: cannot verify a raw body without -Timestamp and -Signature.") });
            return false;
        }
        var reference = record != null && record.ReceivedAt != DateTimeOffset.MinValue ? record.ReceivedAt : DateTimeOffset.UtcNow;
        var result = verifier.Verify(record?.Timestamp ?? Timestamp, record?.Signature ?? Signature, item.Body, reference);
        if (result.IsValid) return true;
        WriteError(WebhookCmdletSupport.VerificationError(result, target(), where));
        return false;
    }

    private static string Where(string file, int? line)
        => file == null ? (line.HasValue ? $"Line {line}" : null) : line.HasValue ? $"{file}:{line}" : file;

    private IEnumerable<string> ResolveFiles()
    {
        var paths = new List<string>();
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (var p in LiteralPath) paths.Add(GetUnresolvedProviderPathFromPSPath(p));
            return paths;
        }
        foreach (var p in Path)
        {
            try { paths.AddRange(GetResolvedProviderPathFromPSPath(p, out _)); }
            catch (SessionStateException e) when (e is ItemNotFoundException || e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException)
            {
                var record = new ErrorRecord(e, "RrWebhook.FileNotFound", ErrorCategory.ObjectNotFound, p);
                if (p.TrimStart().StartsWith("{", StringComparison.Ordinal))
                    record.ErrorDetails = new ErrorDetails("-Path got JSON text, not a file name. To convert a body, pipe it to ConvertFrom-RrWebhook or give it with -Body.");
                WriteError(record);
            }
        }
        return paths;
    }
}
