using System;
using System.Net.Http.Headers;

namespace ReturnsHelper.Http
{
    /// <summary>
    /// Bounded retries: a maximum attempt count and a maximum total time, exponential backoff with full
    /// jitter, and the server's Retry-After honoured (it wins over the backoff when longer).
    /// </summary>
    internal sealed class RetryPolicy
    {
        public int MaxAttempts { get; set; } = 5;
        public TimeSpan MaxRetryTime { get; set; } = TimeSpan.FromSeconds(60);
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(20);
        /// <summary>
        /// The default per-attempt timeout: a third of the default retry time, so an attempt that hangs is retried
        /// (twice) within it instead of using up the whole budget. A slow write takes a second or two.
        /// </summary>
        public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(20);

        /// <summary>Per-attempt timeout.</summary>
        public TimeSpan AttemptTimeout { get; set; } = DefaultAttemptTimeout;

        [ThreadStatic] static Random random;

        /// <summary>Statuses worth another attempt: throttling and gateway/availability failures.</summary>
        public static bool IsRetryableStatus(int status) => status == 429 || status == 502 || status == 503 || status == 504;

        /// <summary>Delay before attempt number <paramref name="nextAttempt"/> (2 = first retry).</summary>
        public TimeSpan Backoff(int nextAttempt, TimeSpan? retryAfter)
        {
            var exponent = Math.Min(nextAttempt - 2, 16);
            var cap = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
            var jittered = TimeSpan.FromMilliseconds((random ?? (random = new Random())).NextDouble() * cap);
            return retryAfter.HasValue && retryAfter.Value > jittered ? retryAfter.Value : jittered;
        }

        /// <summary>Retry-After as seconds or as an HTTP date.</summary>
        public static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue header, DateTimeOffset now)
        {
            if (header == null) return null;
            if (header.Delta.HasValue) return header.Delta.Value < TimeSpan.Zero ? TimeSpan.Zero : header.Delta.Value;
            if (header.Date.HasValue)
            {
                var wait = header.Date.Value - now;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
            return null;
        }
    }
}
