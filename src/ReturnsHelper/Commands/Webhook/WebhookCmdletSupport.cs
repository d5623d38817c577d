using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Text.Json;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Commands;

/// <summary>
/// The base of the three webhook cmdlets: the verification parameters they declare alike (-MaxClockSkew,
/// -SkipClockSkewCheck), declared once, and the verifier made from them. -EndpointUri and -SigningKey stay in each
/// cmdlet because their [Parameter] attributes differ and an attribute cannot vary by subclass: both are optional in
/// ConvertFrom-RrWebhook (verifying is optional there) and mandatory in Test-RrWebhookSignature, and in
/// Receive-RrWebhook -SigningKey takes several keys (a rotation) or gives way to -SigningKeyPath.
/// </summary>
public abstract class WebhookCmdlet : RrCmdlet
{
    /// <summary>Only this module's cmdlets derive from it.</summary>
    private protected WebhookCmdlet() { }

    [Parameter]
    [ValidateTimeSpan(AllowZero = true)]
    public TimeSpan MaxClockSkew { get; set; } = WebhookSignature.DefaultMaxClockSkew;

    [Parameter]
    public SwitchParameter SkipClockSkewCheck { get; set; }

    /// <summary>
    /// The verifier for <paramref name="signingKeys"/> (any of them; several during a rotation), or for the keys of
    /// <paramref name="keyPath"/> (already resolved; re-read when it changes) when it is not null. A key or URL that
    /// cannot be used ends the command. The keys leave their SecureStrings only here, to be decoded; nothing prints them.
    /// </summary>
    private protected WebhookVerifier CreateVerifier(SecureString[] signingKeys, string keyPath, string endpointUri)
    {
        var skew = SkipClockSkewCheck ? (TimeSpan?)null : MaxClockSkew;
        try
        {
            if (keyPath != null) return new WebhookVerifier(new WebhookSigningKeyFile(keyPath), endpointUri, skew);
            return new WebhookVerifier(signingKeys.Select(k => WebhookSignature.DecodeSigningKey(new NetworkCredential(string.Empty, k).Password)), endpointUri, skew);
        }
        catch (WebhookFormatException e)
        {
            ThrowTerminatingError(WebhookCmdletSupport.FormatError(e, null));
            throw; // unreachable
        }
    }
}

/// <summary>What the three webhook cmdlets share besides their parameters: the output shape and the error records.</summary>
internal static class WebhookCmdletSupport
{
    /// <summary>
    /// The event with a Payload property: the whole body as PSCustomObjects, for fields the typed properties do not
    /// cover. Made from the parse that made the event (<see cref="PayloadOf"/>, also for events read back from the
    /// journal); only an event made without it (a recall action's queue, which needs none) has its RawBody parsed here.
    /// </summary>
    public static PSObject ToOutput(WebhookEvent e)
    {
        var output = PSObject.AsPSObject(e);
        var payload = e.Payload;
        if (payload == null)
        {
            try
            {
                using (var document = JsonDocument.Parse(e.RawBody)) payload = PayloadOf(document.RootElement);
            }
            catch (JsonException)
            {
                // Parsed (and checked to be UTF-8) once already: the typed properties stand on their own.
            }
        }
        output.Properties.Add(new PSNoteProperty("Payload", payload));
        return output;
    }

    /// <summary>The Payload of an event from its body's JSON; null when PowerShell cannot hold a value (1e400 on .NET Framework).</summary>
    public static object PayloadOf(JsonElement root)
    {
        try { return PSJson.ToPSObject(root); }
        catch (Exception x) when (x is System.IO.InvalidDataException || x is InvalidOperationException || x is FormatException || x is OverflowException)
        {
            // A number beyond double fails on .NET Framework only. The typed properties stand on their own.
            return null;
        }
    }

    /// <summary>
    /// Keeps the recall ledger current: a recallUpdateStatus event (authentic: verified, or from a receiver's
    /// journal) is recorded in the ledger of <paramref name="session"/> (the caller passes the runspace's default when none was given),
    /// before the event is written. Replaying an event changes nothing: the ledger applies a recall's events in
    /// event-time order and ignores one that is not newer. No session or no ledger: nothing to keep.
    /// </summary>
    public static void RecordInLedger(WebhookEvent e, RrSession session, Action<string> warn)
    {
        if (!(e is RecallUpdateEvent update) || update.Recall == null || update.RecallId <= 0) return;
        var ledger = session?.Ledger;
        if (ledger == null) return;
        try
        {
            ledger.StatusReported(update.Recall, update.EventTime, update.UpdateType);
        }
        catch (Exception x) when (x is System.IO.IOException || x is UnauthorizedAccessException)
        {
            warn($"The recall ledger {ledger.Path} could not record the {update.UpdateType} event of recall {update.RecallNumber ?? update.RecallId.ToString()}: {x.Message}");
        }
    }

    /// <summary>A webhook input that cannot be checked or read: bad parameters are InvalidArgument, bad data InvalidData.</summary>
    public static ErrorRecord FormatError(WebhookFormatException e, object target, string where = null)
    {
        var category = e.Field == WebhookField.SigningKey || e.Field == WebhookField.EndpointUri ? ErrorCategory.InvalidArgument : ErrorCategory.InvalidData;
        var record = new ErrorRecord(e, "RrWebhook.Invalid" + e.Field, category, target);
        if (where != null) record.ErrorDetails = new ErrorDetails($"{where}: {e.Message}");
        return record;
    }

    /// <summary>
    /// The listener did not start: PermissionDenied when HTTP.sys refused the prefix to this user (the message gives
    /// the netsh command that reserves it), ResourceUnavailable otherwise (the port is taken, the prefix is invalid).
    /// </summary>
    public static ErrorRecord ListenError(WebhookListenException e, string prefix)
        => new ErrorRecord(e, "RrWebhook.ListenFailed", e.AccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.ResourceUnavailable, prefix);

    /// <summary>A delivery that checked out false (forged, altered, signed for another URL or key, or replayed).</summary>
    public static ErrorRecord VerificationError(WebhookVerification v, object target, string where = null)
    {
        var message = where == null ? v.Reason : $"{where}: {v.Reason}";
        return new ErrorRecord(new SecurityException(message), "RrWebhook." + v.Result, ErrorCategory.SecurityError, target);
    }
}

/// <summary>A TimeSpan parameter that must be positive (or, with AllowZero, not negative).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateTimeSpanAttribute : ValidateArgumentsAttribute
{
    public bool AllowZero { get; set; }

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject ps ? ps.BaseObject : arguments;
        if (value is TimeSpan t && (t > TimeSpan.Zero || (AllowZero && t == TimeSpan.Zero))) return;
        throw new ValidationMetadataException(AllowZero ? $"The time span {value} is negative." : $"The time span {value} is not positive.");
    }
}
