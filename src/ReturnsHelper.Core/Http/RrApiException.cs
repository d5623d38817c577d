using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace ReturnsHelper.Http;

/// <summary>What kind of failure an <see cref="RrApiException"/> describes at the HTTP level.</summary>
public enum RrErrorKind
{
    /// <summary>HTTP 200 with meta.status 400 (validation or business rule).</summary>
    SoftError,
    /// <summary>HTTP 401/403: the API key or token is wrong.</summary>
    Unauthorized,
    /// <summary>HTTP 404.</summary>
    NotFound,
    /// <summary>HTTP 409: an idempotency key was reused with a different body.</summary>
    Conflict,
    /// <summary>HTTP 429 after all retries.</summary>
    Throttled,
    /// <summary>HTTP 5xx after all retries (or not retryable).</summary>
    ServerError,
    /// <summary>Any other non-success HTTP status.</summary>
    HttpError,
    /// <summary>A body that is not JSON, is truncated, or lacks the envelope.</summary>
    InvalidResponse,
    /// <summary>Connection failure or timeout after all retries.</summary>
    Transport,
}

/// <summary>
/// Why a call or one item of it failed, as a script acts on it: one stable error ID and one ErrorCategory per
/// reason (the table is in about_ReturnsHelper, ERROR CONTRACT). The service reports every business rule as
/// VALIDATION_FAILED, so the rule-specific reasons (already recalled, not eligible, pending VAS, not found) are
/// read from the service's message for the item; anything else it refuses is <see cref="Rejected"/>.
/// </summary>
public enum RrErrorReason
{
    /// <summary>The service refused for a reason the client does not classify further.</summary>
    Rejected,
    /// <summary>The inventory is already in an active recall (its number is in <see cref="RrApiException.ExistingRecallNumber"/>).</summary>
    AlreadyRecalled,
    /// <summary>The inventory (or recall) does not exist for this account.</summary>
    NotFound,
    /// <summary>The inventory's handling state (or the recall's status) does not allow the change.</summary>
    NotEligible,
    /// <summary>The inventory has value-added-service requests still pending.</summary>
    PendingVas,
    /// <summary>A write was sent but no definitive answer came back (timeout, dropped connection, 5xx, 429, unreadable answer): it may have happened.</summary>
    OutcomeUnknown,
    /// <summary>The API key or token is wrong.</summary>
    Unauthorized,
    /// <summary>An idempotency key was reused with a different body.</summary>
    IdempotencyConflict,
    /// <summary>A read was throttled (HTTP 429) through every retry.</summary>
    Throttled,
    /// <summary>A read failed with HTTP 5xx through every retry.</summary>
    ServiceUnavailable,
    /// <summary>A read could not connect or timed out through every retry.</summary>
    ConnectionFailed,
    /// <summary>A read got an answer that is not the documented JSON envelope or shape.</summary>
    InvalidResponse,
    /// <summary>Another HTTP error status (a wrong path, a method the endpoint does not take).</summary>
    HttpError,
}

/// <summary>
/// What the user can change so that the call works, when the client knows it. The cmdlet layer words it
/// (ErrorMapper), naming its own cmdlets and parameters; the core does not know them.
/// </summary>
public enum RrErrorHint
{
    None,
    /// <summary>The answer was larger than the session's response size limit.</summary>
    RaiseResponseLimit,
    /// <summary>The service redirected the call: if the target is its new address, connect there.</summary>
    ConnectToNewAddress,
}

/// <summary>
/// The one exception type of the HTTP core. Every failure (soft error, real 4xx/5xx, HTML 502 page, truncated
/// JSON, unexpected shape, transport failure) becomes one of these. The message is one sentence; the details a
/// script acts on (reason, inventory, the service's error map and code, correlation id, existing recall number)
/// are properties. Never carries a secret.
/// </summary>
public sealed class RrApiException : Exception
{
    private static readonly Regex RecallNumberInText = new Regex(@"\bRCL\d{6}-\d+\b", RegexOptions.CultureInvariant);

    public RrErrorKind Kind { get; }
    /// <summary>Why it failed, as a script acts on it (see <see cref="RrErrorReason"/>).</summary>
    public RrErrorReason Reason { get; }
    public int? HttpStatus { get; }
    public int? MetaStatus { get; }
    /// <summary>The service's meta.errorCode (e.g. VALIDATION_FAILED), or null.</summary>
    public string ErrorCode { get; }
    /// <summary>The service's error map (meta.error); for a per-item error, the entries about that item.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; }
    public string CorrelationId { get; }
    public string Method { get; }
    public string Path { get; }
    /// <summary>The return inventory (or recall) id this error is about, for a per-item error.</summary>
    public long? ItemId { get; }
    /// <summary>The recall the inventory is already in, when the service names it.</summary>
    public string ExistingRecallNumber { get; }
    /// <summary>What the user can change, not yet in the message (see <see cref="RrErrorHint"/>).</summary>
    public RrErrorHint Hint { get; }

    internal RrApiException(RrErrorKind kind, string message, string method, string path, int? httpStatus = null, int? metaStatus = null,
        string errorCode = null, IReadOnlyDictionary<string, string> errors = null, string correlationId = null, Exception inner = null,
        RrErrorHint hint = RrErrorHint.None)
        : this(kind, message, method, path, httpStatus, metaStatus, errorCode, errors, correlationId, inner, null, hint)
    {
    }

    private RrApiException(RrErrorKind kind, string message, string method, string path, int? httpStatus, int? metaStatus,
        string errorCode, IReadOnlyDictionary<string, string> errors, string correlationId, Exception inner, long? itemId, RrErrorHint hint,
        RrErrorReason? reason = null)
        : base(message, inner)
    {
        Kind = kind;
        Hint = hint;
        HttpStatus = httpStatus;
        MetaStatus = metaStatus;
        ErrorCode = errorCode;
        Errors = errors ?? new Dictionary<string, string>();
        CorrelationId = correlationId;
        Method = method;
        Path = path;
        ItemId = itemId;
        var serviceWords = string.Join(" ", Errors.Values);
        Reason = reason ?? Classify(kind, method, serviceWords.Length > 0 ? serviceWords : message);
        if (Reason == RrErrorReason.AlreadyRecalled)
        {
            var number = RecallNumberInText.Match(serviceWords + " " + message);
            ExistingRecallNumber = number.Success ? number.Value : null;
        }
    }

    /// <summary>
    /// This failure narrowed to one item of the request: <paramref name="message"/> (default: this message) and
    /// the error-map entries about the item (default: the whole map); the reason is read again from them.
    /// </summary>
    internal RrApiException ForItem(long itemId, string message = null, IReadOnlyDictionary<string, string> itemErrors = null)
        => new RrApiException(Kind, message ?? Message, Method, Path, HttpStatus, MetaStatus, ErrorCode,
            itemErrors ?? Errors, CorrelationId, InnerException, itemId, Hint);

    /// <summary>
    /// This failure narrowed to one item whose own error-map entries say what is wrong: their words (each once)
    /// are the message, one sentence, instead of the generic "Return Helper rejected ...".
    /// </summary>
    internal RrApiException ForItemFromEntries(long itemId, IReadOnlyDictionary<string, string> itemErrors)
        => ForItem(itemId, Sentence.End(string.Join(" ", itemErrors.Values.Distinct())), itemErrors);

    /// <summary>The same failure with another message (the reason stays: it was read from the service's words).</summary>
    internal RrApiException WithMessage(string message)
        => new RrApiException(Kind, message, Method, Path, HttpStatus, MetaStatus, ErrorCode, Errors, CorrelationId, InnerException, ItemId, Hint, Reason);

    /// <summary>The same failure with its hint worded into <paramref name="message"/> (so it has none left).</summary>
    internal RrApiException WithHintWorded(string message)
        => new RrApiException(Kind, message, Method, Path, HttpStatus, MetaStatus, ErrorCode, Errors, CorrelationId, InnerException, ItemId, RrErrorHint.None, Reason);

    /// <summary>
    /// True when the service answered and refused the call, so a write did not happen: a soft error, 401/403, 404,
    /// 409 or another 4xx. Not for a timeout, a dropped connection, a 5xx, a 429 after the retries or an unreadable
    /// success: a write's outcome is then unknown.
    /// </summary>
    public bool IsDefinitiveRefusal => IsRefusal(Kind);

    /// <summary>True when the error map says which list entries failed (keys like <c>returnInventoryIdList[3]</c>).</summary>
    public bool HasPerEntryErrors => Errors.Keys.Any(k => ListIndex.TryParse(k, out _));

    private static bool IsRefusal(RrErrorKind kind)
        => kind == RrErrorKind.SoftError || kind == RrErrorKind.Unauthorized || kind == RrErrorKind.NotFound
           || kind == RrErrorKind.Conflict || kind == RrErrorKind.HttpError;

    private static RrErrorReason Classify(RrErrorKind kind, string method, string words)
    {
        var isWrite = !string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase);
        if (!IsRefusal(kind) && isWrite) return RrErrorReason.OutcomeUnknown;
        switch (kind)
        {
            case RrErrorKind.Unauthorized: return RrErrorReason.Unauthorized;
            case RrErrorKind.NotFound: return RrErrorReason.NotFound;
            case RrErrorKind.Conflict: return RrErrorReason.IdempotencyConflict;
            case RrErrorKind.Throttled: return RrErrorReason.Throttled;
            case RrErrorKind.ServerError: return RrErrorReason.ServiceUnavailable;
            case RrErrorKind.Transport: return RrErrorReason.ConnectionFailed;
            case RrErrorKind.InvalidResponse: return RrErrorReason.InvalidResponse;
            case RrErrorKind.HttpError: return RrErrorReason.HttpError;
            default: return ClassifyRefusal(words ?? "");
        }
    }

    /// <summary>
    /// The business rule behind a soft error, from the service's words (documented in the emulator's README: the
    /// API has one errorCode for every rule). Order matters: "already in active recall" before "not eligible".
    /// </summary>
    private static RrErrorReason ClassifyRefusal(string words)
    {
        bool Has(string s) => words.IndexOf(s, StringComparison.OrdinalIgnoreCase) >= 0;
        if (Has("already in") && Has("recall")) return RrErrorReason.AlreadyRecalled;
        if (Has("not found") || Has("does not exist")) return RrErrorReason.NotFound;
        if (Regex.IsMatch(words, @"\bVAS\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)) return RrErrorReason.PendingVas;
        if (Has("cannot be") || Has("handling is") || Has("handling status") || Has("not in an active recall")
            || Has("in active recall") || Has("no handling decision") || Has("its status is")) return RrErrorReason.NotEligible;
        return RrErrorReason.Rejected;
    }
}

/// <summary>Reads the zero-based index out of an error-map key such as <c>returnInventoryIdList[3]</c>.</summary>
internal static class ListIndex
{
    public static bool TryParse(string key, out int index)
    {
        index = -1;
        if (string.IsNullOrEmpty(key)) return false;
        var open = key.LastIndexOf('[');
        var close = key.LastIndexOf(']');
        return open >= 0 && close > open + 1
            && int.TryParse(key.Substring(open + 1, close - open - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);
    }
}
