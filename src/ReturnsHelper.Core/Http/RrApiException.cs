using System;
using System.Collections.Generic;
using System.Linq;

namespace ReturnsHelper.Http
{
    /// <summary>What kind of failure an <see cref="RrApiException"/> describes; cmdlets map it to an ErrorCategory.</summary>
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
    /// The one exception type of the HTTP core. Every failure (soft error, real 4xx/5xx, HTML 502 page,
    /// truncated JSON, unexpected shape, transport failure) becomes one of these. Never carries a secret.
    /// </summary>
    public sealed class RrApiException : Exception
    {
        public RrErrorKind Kind { get; }
        public int? HttpStatus { get; }
        public int? MetaStatus { get; }
        public string ErrorCode { get; }
        public IReadOnlyDictionary<string, string> Errors { get; }
        public string CorrelationId { get; }
        public string Method { get; }
        public string Path { get; }

        public RrApiException(RrErrorKind kind, string message, string method, string path, int? httpStatus = null, int? metaStatus = null,
            string errorCode = null, IReadOnlyDictionary<string, string> errors = null, string correlationId = null, Exception inner = null)
            : base(Compose(message, errorCode, errors, correlationId), inner)
        {
            Kind = kind;
            HttpStatus = httpStatus;
            MetaStatus = metaStatus;
            ErrorCode = errorCode;
            Errors = errors ?? new Dictionary<string, string>();
            CorrelationId = correlationId;
            Method = method;
            Path = path;
        }

        /// <summary>Stable identifier for FullyQualifiedErrorId: the service's errorCode when it gave one, else the kind.</summary>
        public string ErrorId => string.IsNullOrEmpty(ErrorCode) ? Kind.ToString() : ErrorCode;

        /// <summary>
        /// True when the service answered and refused the call, so a write did not happen: a soft error, 401/403, 404,
        /// 409 or another 4xx. Not for a timeout, a dropped connection, a 5xx, a 429 after the retries or an unreadable
        /// success: a write's outcome is then unknown.
        /// </summary>
        public bool IsDefinitiveRefusal
            => Kind == RrErrorKind.SoftError || Kind == RrErrorKind.Unauthorized || Kind == RrErrorKind.NotFound
               || Kind == RrErrorKind.Conflict || Kind == RrErrorKind.HttpError;

        /// <summary>True when the error map says which list entries failed (keys like <c>returnInventoryIdList[3]</c>).</summary>
        public bool HasPerEntryErrors => Errors.Keys.Any(k => ListIndex.TryParse(k, out _));

        static string Compose(string message, string errorCode, IReadOnlyDictionary<string, string> errors, string correlationId)
        {
            var text = message;
            if (errors != null && errors.Count > 0)
                text += " " + string.Join(" ", errors.Select(e => e.Key + ": " + e.Value));
            if (!string.IsNullOrEmpty(errorCode)) text += " [" + errorCode + "]";
            if (!string.IsNullOrEmpty(correlationId)) text += " (correlation id " + correlationId + ")";
            return text;
        }
    }

    /// <summary>Reads the zero-based index out of an error-map key such as <c>returnInventoryIdList[3]</c>.</summary>
    public static class ListIndex
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
}
