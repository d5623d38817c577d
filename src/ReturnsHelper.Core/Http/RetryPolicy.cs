using System;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ReturnsHelper.Http;

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

    [ThreadStatic] private static Random jitter;

    /// <summary>Statuses worth another attempt: throttling and gateway/availability failures.</summary>
    public static bool IsRetryableStatus(int status) => status == 429 || status == 502 || status == 503 || status == 504;

    /// <summary>Delay before attempt number <paramref name="nextAttempt"/> (2 = first retry).</summary>
    public TimeSpan Backoff(int nextAttempt, TimeSpan? retryAfter)
    {
        var exponent = Math.Min(nextAttempt - 2, 16);
        var cap = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var jittered = TimeSpan.FromMilliseconds((jitter ?? (jitter = NewJitterSource())).NextDouble() * cap);
        return retryAfter.HasValue && retryAfter.Value > jittered ? retryAfter.Value : jittered;
    }

    /// <summary>
    /// A jitter source for one thread, seeded from the cryptographic generator. .NET Framework seeds new Random() from
    /// the clock tick, so threads (and processes) that start together would back off in step, which jitter is there
    /// to prevent; System.Random is not thread-safe, hence one per thread.
    /// </summary>
    internal static Random NewJitterSource()
    {
        var seed = new byte[4];
        using (var generator = RandomNumberGenerator.Create()) generator.GetBytes(seed);
        return new Random(BitConverter.ToInt32(seed, 0));
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
