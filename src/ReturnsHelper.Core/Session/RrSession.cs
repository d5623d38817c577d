using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Security;
using ReturnsHelper.Http;

namespace ReturnsHelper;

/// <summary>
/// A connection to one Return Helper environment with one set of credentials. Holds the session's
/// single HTTP pipeline. The token stays in a SecureString; only a masked key is ever shown.
/// </summary>
public sealed class RrSession : IDisposable
{
    private readonly ConcurrentDictionary<string, CacheEntry> cache = new ConcurrentDictionary<string, CacheEntry>(StringComparer.OrdinalIgnoreCase);

    public RrEnvironment Environment { get; }
    public Uri BaseUri => Client.Endpoints.UserBase;
    public Uri PublicBaseUri => Client.Endpoints.PublicBase;
    public string MaskedApiKey { get; }
    public DateTimeOffset ConnectedAt { get; }
    public int MaxAttempts => Client.Policy.MaxAttempts;
    public TimeSpan MaxRetryTime => Client.Policy.MaxRetryTime;
    public bool IsDisposed { get; private set; }
    /// <summary>False once the session is disconnected (Disconnect-RrService): it can no longer send requests.</summary>
    public bool IsConnected => !IsDisposed;
    /// <summary>The most requests one command may have in flight (-ThrottleLimit): 1 is strictly sequential.</summary>
    public const int MaxThrottleLimit = 16;
    public const int DefaultThrottleLimit = 4;
    private int throttleLimit = DefaultThrottleLimit;

    /// <summary>The session's default for -ThrottleLimit (Connect-RrService -ThrottleLimit), 1 to <see cref="MaxThrottleLimit"/>.</summary>
    public int ThrottleLimit
    {
        get => throttleLimit;
        set => throttleLimit = value >= 1 && value <= MaxThrottleLimit ? value
            : throw new ArgumentException($"The throttle limit must be between 1 and {MaxThrottleLimit}.");
    }
    public TimeSpan RequestTimeout => Client.Policy.AttemptTimeout;

    /// <summary>The default of Connect-RrService -MaxResponseMB: far above the largest documented answer (a page of 50 records).</summary>
    public const int DefaultMaxResponseMB = 64;

    /// <summary>The largest answer the session reads, in bytes (Connect-RrService -MaxResponseMB).</summary>
    public int MaxResponseBytes
    {
        get => Client.MaxResponseBytes;
        set => Client.MaxResponseBytes = value;
    }

    /// <summary>The file the API token is re-read from when it changes (Connect-RrService -TokenPath), or null.</summary>
    public string ApiTokenPath => Client.TokenFile?.Path;

    /// <summary>This account's local recall ledger, or null when the session keeps none (Connect-RrService -NoLedger).</summary>
    internal ReturnsHelper.Ledger.RecallLedger Ledger { get; set; }
    /// <summary>The ledger file, or null.</summary>
    public string LedgerPath => Ledger?.Path;
    /// <summary>How long reference data (handling types, warehouses) is cached.</summary>
    public TimeSpan ReferenceCacheDuration { get; set; } = TimeSpan.FromMinutes(30);

    internal RrApiClient Client { get; }

    /// <summary>The ledger file name of this key and base URI (a hash: it reveals neither).</summary>
    public string LedgerFileName { get; }

    internal RrSession(RrEndpoints endpoints, string apiKey, SecureString apiToken, string userAgent, RetryPolicy policy, HttpMessageHandler handler = null)
    {
        if (string.IsNullOrWhiteSpace(apiKey)) throw new ArgumentException("The API key is empty.");
        if (apiToken == null || apiToken.Length == 0) throw new ArgumentException("The API token is empty.");
        Environment = endpoints.Environment;
        MaskedApiKey = Mask(apiKey);
        ConnectedAt = DateTimeOffset.Now;
        Client = new RrApiClient(endpoints, apiKey, apiToken, userAgent, policy, handler);
        LedgerFileName = ReturnsHelper.Ledger.RecallLedger.FileNameFor(apiKey, endpoints.UserBase);
    }

    /// <summary>Shows only the last four characters, and none of a short key.</summary>
    internal static string Mask(string apiKey)
        => apiKey.Length <= 8 ? new string('*', 8) : "****" + apiKey.Substring(apiKey.Length - 4);

    public override string ToString() => $"{Environment} {BaseUri} (key {MaskedApiKey})";

    /// <summary>Cached reference data; null when absent or older than the cache duration (unless stale is allowed).</summary>
    internal T GetCached<T>(string key, bool allowStale = false) where T : class
        => cache.TryGetValue(key, out var entry) && (allowStale || DateTimeOffset.UtcNow - entry.Stored < ReferenceCacheDuration) ? entry.Value as T : null;

    internal void SetCached(string key, object value) => cache[key] = new CacheEntry { Stored = DateTimeOffset.UtcNow, Value = value };

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Client.Dispose();
    }

    private sealed class CacheEntry
    {
        public DateTimeOffset Stored;
        public object Value;
    }
}
