using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace ReturnsHelper.Webhooks;

/// <summary>Which webhook input was malformed (cmdlets turn it into a stable error id).</summary>
internal enum WebhookField { SigningKey, Signature, Timestamp, EndpointUri, Body }

/// <summary>
/// A webhook input that cannot be checked at all (as opposed to one that checks out false): a signing key
/// that is not Base64, a signature that is not a Base64 HMAC-SHA256, a timestamp that is not ISO 8601,
/// a body that is not a JSON event. Messages never contain the signing key.
/// </summary>
internal sealed class WebhookFormatException : FormatException
{
    public WebhookField Field { get; }

    public WebhookFormatException(WebhookField field, string message, Exception inner = null) : base(message, inner)
    {
        Field = field;
    }
}

/// <summary>
/// The documented signature (API notes 8.4): Base64(HMAC-SHA256(key = Base64Decode(signingKey),
/// message = UTF-8("POST" + registered endpoint URL + timestamp header) followed by the raw body bytes)).
/// The body is never re-serialised: any change to it breaks the signature, as it should.
/// </summary>
internal static class WebhookSignature
{
    public const string SignatureHeader = "returnhelper-signature";
    public const string TimestampHeader = "timestamp";
    public static readonly TimeSpan DefaultMaxClockSkew = TimeSpan.FromMinutes(15);

    /// <summary>HMAC-SHA256 output size; a signature of any other length cannot be a Return Helper signature.</summary>
    private const int SignatureBytes = 32;

    private static readonly string[] TimestampFormats =
    {
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ssK",
    };

    /// <summary>The signing key as the portal shows it (Base64) to the key bytes HMAC uses.</summary>
    public static byte[] DecodeSigningKey(string base64Key)
    {
        if (string.IsNullOrWhiteSpace(base64Key))
            throw new WebhookFormatException(WebhookField.SigningKey, "The signing key is empty. Pass the Base64 signing key from the Return Helper portal.");
        try
        {
            var key = Convert.FromBase64String(base64Key.Trim());
            if (key.Length > 0) return key;
        }
        catch (FormatException)
        {
            // The key itself must not appear in the message, nor in an inner exception.
        }
        throw new WebhookFormatException(WebhookField.SigningKey,
            "The signing key is not valid Base64. Pass it exactly as the Return Helper portal shows it: it is Base64 encoded and is decoded to bytes before signing.");
    }

    /// <summary>True when <paramref name="signature"/> is the signature of the body; compared in constant time.</summary>
    public static bool Matches(byte[] key, string endpointUri, string timestamp, byte[] rawBody, string signature)
    {
        var given = DecodeSignature(signature);
        using (var hmac = new HMACSHA256(key ?? throw new ArgumentNullException(nameof(key))))
            return FixedTimeEquals(hmac.ComputeHash(Message(endpointUri, timestamp, rawBody)), given);
    }

    /// <summary>The signature header to bytes: standard Base64 of exactly 32 bytes, else a clear error.</summary>
    public static byte[] DecodeSignature(string signature)
    {
        if (string.IsNullOrWhiteSpace(signature))
            throw new WebhookFormatException(WebhookField.Signature, $"The signature is missing or empty (header '{SignatureHeader}').");
        byte[] bytes;
        try { bytes = Convert.FromBase64String(signature.Trim()); }
        catch (FormatException e)
        {
            throw new WebhookFormatException(WebhookField.Signature,
                $"The signature '{Shorten(signature)}' is not valid Base64 (header '{SignatureHeader}': a Base64 HMAC-SHA256, 44 characters).", e);
        }
        if (bytes.Length != SignatureBytes)
            throw new WebhookFormatException(WebhookField.Signature,
                $"The signature decodes to {bytes.Length} bytes; a Return Helper signature is an HMAC-SHA256 of {SignatureBytes} bytes (44 Base64 characters).");
        return bytes;
    }

    /// <summary>The timestamp header (ISO 8601, UTC; 7 fractional digits in practice). No zone means UTC.</summary>
    public static DateTimeOffset ParseTimestamp(string timestamp)
    {
        if (string.IsNullOrWhiteSpace(timestamp))
            throw new WebhookFormatException(WebhookField.Timestamp, $"The timestamp is missing or empty (header '{TimestampHeader}').");
        if (DateTimeOffset.TryParseExact(timestamp.Trim(), TimestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            return parsed;
        throw new WebhookFormatException(WebhookField.Timestamp,
            $"The timestamp '{Shorten(timestamp)}' is not an ISO 8601 time such as 2024-01-12T09:23:08.4863561Z (header '{TimestampHeader}').");
    }

    /// <summary>How far a timestamp is from a reference time, either way.</summary>
    public static TimeSpan Skew(DateTimeOffset timestamp, DateTimeOffset now) => (now - timestamp).Duration();

    /// <summary>
    /// Compares every byte whatever the contents, so the time taken says nothing about where two
    /// signatures differ (CryptographicOperations.FixedTimeEquals is not in netstandard2.0).
    /// The length is not secret: it is always 32 here.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static bool FixedTimeEquals(byte[] left, byte[] right)
    {
        if (left == null || right == null || left.Length != right.Length) return false;
        var difference = 0;
        for (var i = 0; i < left.Length; i++) difference |= left[i] ^ right[i];
        return difference == 0;
    }

    private static byte[] Message(string endpointUri, string timestamp, byte[] rawBody)
    {
        // UTF-8 of the concatenated string equals the UTF-8 prefix followed by the body's own bytes,
        // and using the bytes as received keeps the check exact even for a body that is not valid UTF-8.
        var prefix = Encoding.UTF8.GetBytes("POST" + endpointUri + timestamp);
        var body = rawBody ?? new byte[0];
        var message = new byte[prefix.Length + body.Length];
        Buffer.BlockCopy(prefix, 0, message, 0, prefix.Length);
        Buffer.BlockCopy(body, 0, message, prefix.Length, body.Length);
        return message;
    }

    internal static string Shorten(string s) => s.Length <= 60 ? s : s.Substring(0, 60) + "...";
}

/// <summary>The outcome of checking a delivery that could be checked.</summary>
internal enum WebhookCheck
{
    Valid,
    SignatureMismatch,
    ClockSkew,
}

/// <summary>The result of <see cref="WebhookVerifier.Verify"/>: what was decided and why, in words safe to log.</summary>
internal sealed class WebhookVerification
{
    public WebhookCheck Result { get; }
    public DateTimeOffset Timestamp { get; }
    public string Reason { get; }
    public bool IsValid => Result == WebhookCheck.Valid;

    internal WebhookVerification(WebhookCheck result, DateTimeOffset timestamp, string reason)
    {
        Result = result;
        Timestamp = timestamp;
        Reason = reason;
    }
}

/// <summary>
/// Checks deliveries for one registered endpoint and its keys: signature first (any of the keys; several during a
/// key rotation), then the clock skew of the timestamp header (skipped when MaxClockSkew is null). Holds the decoded
/// keys; never exposes them. With a key file, <see cref="RenewKeys"/> takes its new keys when it changed.
/// </summary>
internal sealed class WebhookVerifier
{
    private IReadOnlyList<byte[]> keys;
    private readonly WebhookSigningKeyFile keyFile;

    /// <summary>The endpoint URL exactly as registered with Return Helper: it is part of the signed message.</summary>
    public string EndpointUri { get; }
    /// <summary>Largest accepted distance between the timestamp header and the reference time; null = not checked.</summary>
    public TimeSpan? MaxClockSkew { get; }
    /// <summary>How many signing keys are accepted now.</summary>
    public int KeyCount => keys.Count;

    public WebhookVerifier(byte[] key, string endpointUri, TimeSpan? maxClockSkew) : this(new[] { key }, endpointUri, maxClockSkew)
    {
    }

    /// <summary>A verifier that accepts a signature made with any of <paramref name="keys"/> (a signing key rotation).</summary>
    public WebhookVerifier(IEnumerable<byte[]> keys, string endpointUri, TimeSpan? maxClockSkew)
    {
        var copies = new List<byte[]>();
        foreach (var key in keys ?? throw new ArgumentNullException(nameof(keys)))
        {
            if (key == null || key.Length == 0) throw new WebhookFormatException(WebhookField.SigningKey, "The signing key is empty.");
            copies.Add((byte[])key.Clone());
        }
        if (copies.Count == 0) throw new WebhookFormatException(WebhookField.SigningKey, "No signing key was given.");
        if (string.IsNullOrEmpty(endpointUri))
            throw new WebhookFormatException(WebhookField.EndpointUri, "The endpoint URL is empty. Pass the notification endpoint URL exactly as it is registered with Return Helper.");
        if (endpointUri.Trim().Length != endpointUri.Length)
            throw new WebhookFormatException(WebhookField.EndpointUri,
                $"The endpoint URL '{endpointUri.Trim()}' has leading or trailing white space; pass it exactly as registered (it is part of the signed message).");
        // Checked by scheme, not by UriKind.Absolute alone: on Unix .NET reads "/hooks" as the absolute file:///hooks.
        if (!Uri.TryCreate(endpointUri, UriKind.Absolute, out var absolute) || (absolute.Scheme != Uri.UriSchemeHttps && absolute.Scheme != Uri.UriSchemeHttp))
            throw new WebhookFormatException(WebhookField.EndpointUri,
                $"The endpoint URL '{endpointUri}' is not an absolute http(s) URL. Pass the full notification endpoint URL exactly as it is registered with Return Helper, e.g. https://hooks.example.com/returnhelper (it is part of the signed message).");
        if (maxClockSkew.HasValue && maxClockSkew.Value < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(maxClockSkew), "The maximum clock skew cannot be negative.");
        this.keys = copies;
        EndpointUri = endpointUri;
        MaxClockSkew = maxClockSkew;
    }

    /// <summary>A verifier whose keys come from a key file, re-read by <see cref="RenewKeys"/> when it changes.</summary>
    internal WebhookVerifier(WebhookSigningKeyFile keyFile, string endpointUri, TimeSpan? maxClockSkew) : this(keyFile.Read(), endpointUri, maxClockSkew)
        => this.keyFile = keyFile;

    /// <summary>A verifier from the Base64 key the portal shows.</summary>
    public static WebhookVerifier FromBase64Key(string base64Key, string endpointUri, TimeSpan? maxClockSkew)
        => new WebhookVerifier(WebhookSignature.DecodeSigningKey(base64Key), endpointUri, maxClockSkew);

    /// <summary>Takes the key file's keys if it changed (nothing without a key file); a bad file keeps the keys, with one warning.</summary>
    internal void RenewKeys(ReturnsHelper.Http.IRrLog log)
    {
        if (keyFile == null) return;
        var fresh = keyFile.ReadIfChanged(out var problem);
        if (problem != null) log.Warning(problem);
        if (fresh == null) return;
        keys = fresh;
        log.Verbose($"Accepting {fresh.Count} signing key(s) from {keyFile.Path} now.");
    }

    /// <summary>
    /// Checks one delivery. Malformed timestamp or signature: <see cref="WebhookFormatException"/>.
    /// <paramref name="now"/> is the reference time for the skew (the receive time for a recorded event).
    /// </summary>
    public WebhookVerification Verify(string timestamp, string signature, byte[] rawBody, DateTimeOffset now)
    {
        var time = WebhookSignature.ParseTimestamp(timestamp);
        var matched = false;
        foreach (var key in keys) matched |= WebhookSignature.Matches(key, EndpointUri, timestamp, rawBody, signature);
        if (!matched)
            return new WebhookVerification(WebhookCheck.SignatureMismatch, time,
                $"The signature does not match the body, the timestamp, the endpoint URL '{EndpointUri}' and the signing key (a changed body, a different registered URL or the wrong key).");
        var skew = WebhookSignature.Skew(time, now);
        if (MaxClockSkew.HasValue && skew > MaxClockSkew.Value)
            return new WebhookVerification(WebhookCheck.ClockSkew, time,
                $"The timestamp {Iso(time)} is {FormatSkew(skew)} away from {Iso(now)}, more than the allowed {FormatSkew(MaxClockSkew.Value)} (a replayed or badly delayed event, or a wrong clock).");
        return new WebhookVerification(WebhookCheck.Valid, time, "The signature is valid.");
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string FormatSkew(TimeSpan t)
        => t.TotalDays >= 1 ? FormattableString.Invariant($"{t.TotalDays:0.#} days")
         : t.TotalHours >= 1 ? FormattableString.Invariant($"{t.TotalHours:0.#} h")
         : t.TotalMinutes >= 1 ? FormattableString.Invariant($"{t.TotalMinutes:0.#} min")
         : FormattableString.Invariant($"{t.TotalSeconds:0.#} s");
}
