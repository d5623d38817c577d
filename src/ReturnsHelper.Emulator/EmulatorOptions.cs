using ReturnsHelper.Emulator.Webhooks;

namespace ReturnsHelper.Emulator;

/// <summary>How an emulator instance starts. The command line maps onto these one to one (see CommandLine).</summary>
public sealed class EmulatorOptions
{
    public const int DefaultPort = 5580;

    /// <summary>TCP port on 127.0.0.1; 0 picks a free port.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Credentials of the first account.</summary>
    public string ApiKey { get; set; } = "emulator-key";

    public string ApiToken { get; set; } = "emulator-token";

    /// <summary>How many inventories the seed creates (ids from 100001), besides the docs' example inventory 123.</summary>
    public int SeedInventory { get; set; } = 1000;

    /// <summary>Seed of the data generator: the same seed gives the same data (on the same UTC day, see <see cref="SeedAnchorUtc"/>).</summary>
    public int Seed { get; set; } = 1;

    /// <summary>JSON file the state is loaded from at start and saved to; null keeps state in memory only.</summary>
    public string? StateFile { get; set; }

    /// <summary>Added to every API request, to imitate a real network.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Where webhook events are posted; needs <see cref="SigningKey"/>.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Base64 key the webhook signatures are made with.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The seed's "now": inventories are spread over the 180 days before it. Default: today's midnight UTC.</summary>
    public DateTime? SeedAnchorUtc { get; set; }

    /// <summary>First webhook retry delay; doubles per attempt up to <see cref="WebhookRetryMaxDelay"/>.</summary>
    public TimeSpan WebhookRetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan WebhookRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A safety net only: every answer is sent after the state it acknowledges is saved; changes that are never
    /// answered (a dropped connection) are saved at most this much later (and always on shutdown).
    /// </summary>
    public TimeSpan StateSaveInterval { get; set; } = TimeSpan.FromSeconds(1);

    public const int DefaultMaxRequestBodyMegabytes = 16;

    /// <summary>Larger request bodies (API and control surface) are refused with 413 before they are read.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyMegabytes * 1024L * 1024;

    public const int DefaultMaxIdempotencyKeys = 100_000;

    /// <summary>The idempotency store forgets its oldest keys beyond this many (and any key after 24 hours).</summary>
    public int MaxIdempotencyKeys { get; set; } = DefaultMaxIdempotencyKeys;

    /// <summary>Webhook targets must be loopback URLs unless this is set (a test tool should not post to the network).</summary>
    public bool AllowRemoteWebhooks { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        Require(Port is >= 0 and <= 65535, "--port must be between 0 and 65535.");
        Require(!string.IsNullOrWhiteSpace(ApiKey), "--api-key must not be empty.");
        Require(!string.IsNullOrWhiteSpace(ApiToken), "--api-token must not be empty.");
        Require(SeedInventory is >= 0 and <= 10_000_000, "--seed-inventory must be between 0 and 10000000.");
        Require(LatencyMs is >= 0 and <= 600_000, "--latency-ms must be between 0 and 600000.");
        Require(StateFile is null || StateFile.Trim().Length > 0, "--state-file must not be empty.");
        Require((WebhookUrl is null) == (SigningKey is null), "--webhook-url and --signing-key go together.");
        Require(WebhookRetryInitialDelay > TimeSpan.Zero && WebhookRetryMaxDelay >= WebhookRetryInitialDelay,
            "The webhook retry delays must be positive, the maximum at least the initial one.");
        Require(StateSaveInterval > TimeSpan.Zero, "The state save interval must be positive.");
        Require(MaxRequestBodyBytes is >= 1024 and <= 1L << 30, "--max-request-body-mb must be between 1 and 1024.");
        Require(MaxIdempotencyKeys is >= 1 and <= 10_000_000, "--max-idempotency-keys must be between 1 and 10000000.");
        if (WebhookUrl is not null)
        {
            WebhookSender.Validate(WebhookUrl, SigningKey!, AllowRemoteWebhooks);
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
