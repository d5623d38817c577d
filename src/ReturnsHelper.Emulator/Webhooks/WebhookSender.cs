using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;

namespace ReturnsHelper.Emulator.Webhooks;

/// <summary>One delivery attempt, as <c>GET /_emulator/webhooks/deliveries</c> reports it.</summary>
internal sealed record WebhookDelivery(
    string NotificationId, string Category, string Action, int Attempt, int Status, string Outcome, string? Error, DateTime Time)
{
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("notificationId", NotificationId);
        writer.WriteString("category", Category);
        writer.WriteString("action", Action);
        writer.WriteNumber("attempt", Attempt);
        writer.WriteNumber("status", Status);
        writer.WriteString("outcome", Outcome);
        writer.WriteString("error", Error);
        writer.WriteString("time", Time);
        writer.WriteEndObject();
    }
}

/// <summary>
/// Posts signed events from a background queue, one at a time in the order they were raised, so control calls
/// return at once. A non-2xx answer or a connection failure is retried with exponential backoff; after
/// <see cref="SuspendAfterFailures"/> consecutive failed attempts the target is suspended for 24 hours (as the
/// docs say) and events raised meanwhile are dropped. Configuring the target again lifts the suspension.
/// </summary>
internal sealed class WebhookSender : IAsyncDisposable
{
    public const int SuspendAfterFailures = 10;
    public static readonly TimeSpan SuspensionTime = TimeSpan.FromHours(24);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private const int DeliveryLogCapacity = 10_000;

    private readonly TimeSpan _initialDelay;
    private readonly TimeSpan _maxDelay;
    private readonly bool _allowRemote;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Channel<(WebhookEvent Event, long Generation)> _queue =
        Channel.CreateUnbounded<(WebhookEvent, long)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private readonly object _gate = new();
    private readonly Queue<WebhookDelivery> _deliveries = new();
    private Target? _target;
    private long _generation;
    private CancellationTokenSource _generationCancel = new();
    private int _consecutiveFailures;
    private DateTime _suspendedUntil;

    private sealed record Target(string Url, string SigningKey);

    /// <param name="allowRemote">Whether targets may be other hosts than loopback (--allow-remote-webhooks).</param>
    public WebhookSender(TimeSpan initialDelay, TimeSpan maxDelay, bool allowRemote)
    {
        _initialDelay = initialDelay;
        _maxDelay = maxDelay;
        _allowRemote = allowRemote;
        _loop = RunAsync(_stop.Token);
    }

    /// <summary>Validates a target; throws <see cref="ArgumentException"/> with a message fit for the user.</summary>
    public static void Validate(string url, string signingKey, bool allowRemote)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The webhook URL '{url}' is not an absolute http or https URL.");
        }

        // Whoever can reach the control surface could otherwise make the emulator post to any host of the network.
        if (!allowRemote && !uri.IsLoopback)
        {
            throw new ArgumentException(
                $"The webhook URL '{url}' is not a loopback URL (localhost, 127.0.0.1, [::1]); start the emulator with --allow-remote-webhooks to post elsewhere.");
        }

        try
        {
            if (Convert.FromBase64String(signingKey).Length == 0)
            {
                throw new FormatException();
            }
        }
        catch (FormatException)
        {
            throw new ArgumentException("The signing key must be a non-empty Base64 string, as the portal shows it.");
        }
    }

    /// <summary>Sets (or, with a null URL, removes) the target. Queued events and the failure count start afresh.</summary>
    public void Configure(string? url, string? signingKey)
    {
        if (url is not null)
        {
            Validate(url, signingKey ?? "", _allowRemote);
        }

        CancellationTokenSource previous;
        lock (_gate)
        {
            _target = url is null ? null : new Target(url, signingKey!);
            _generation++;
            previous = _generationCancel;
            _generationCancel = new CancellationTokenSource();
            _consecutiveFailures = 0;
            _suspendedUntil = default;
        }

        // Outside the lock: cancelling runs the pending retry's continuation. Not disposed: a delivery in flight
        // may still link its backoff wait to this token.
        previous.Cancel();
    }

    /// <summary>The target's URL and signing key, or null when none is configured.</summary>
    public (string Url, string SigningKey)? CurrentTarget
    {
        get
        {
            lock (_gate)
            {
                return _target is null ? null : (_target.Url, _target.SigningKey);
            }
        }
    }

    public bool IsConfigured
    {
        get
        {
            lock (_gate)
            {
                return _target is not null;
            }
        }
    }

    public void Enqueue(WebhookEvent webhookEvent)
    {
        lock (_gate)
        {
            if (_target is not null)
            {
                _queue.Writer.TryWrite((webhookEvent, _generation));
            }
        }
    }

    public WebhookDelivery[] Deliveries()
    {
        lock (_gate)
        {
            return [.. _deliveries];
        }
    }

    public void ClearDeliveries()
    {
        lock (_gate)
        {
            _deliveries.Clear();
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var (webhookEvent, generation) in _queue.Reader.ReadAllAsync(stop))
            {
                await DeliverAsync(webhookEvent, generation, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(WebhookEvent webhookEvent, long generation, CancellationToken stop)
    {
        for (int attempt = 1; ; attempt++)
        {
            Target target;
            CancellationToken superseded;
            lock (_gate)
            {
                if (generation != _generation || _target is null)
                {
                    return;
                }

                if (DateTime.UtcNow < _suspendedUntil)
                {
                    Record(webhookEvent, attempt, 0, "suspended", "The target is suspended after repeated failures.");
                    return;
                }

                target = _target;
                superseded = _generationCancel.Token;
            }

            webhookEvent.Observer?.Attempting(webhookEvent, attempt, DateTime.UtcNow);
            var (status, error) = await PostAsync(target, webhookEvent, stop);
            lock (_gate)
            {
                if (generation != _generation)
                {
                    return;
                }

                if (status is >= 200 and < 300)
                {
                    webhookEvent.Observer?.Delivered(webhookEvent, DateTime.UtcNow);
                    _consecutiveFailures = 0;
                    Record(webhookEvent, attempt, status, "delivered", null);
                    return;
                }

                Record(webhookEvent, attempt, status, "failed", error);
                if (++_consecutiveFailures >= SuspendAfterFailures)
                {
                    _suspendedUntil = DateTime.UtcNow + SuspensionTime;
                    return;
                }
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop, superseded);
            try
            {
                await Task.Delay(BackoffDelay(attempt), wait.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan BackoffDelay(int attempt) =>
        TimeSpan.FromTicks(Math.Min(_maxDelay.Ticks, _initialDelay.Ticks * (1L << Math.Min(attempt - 1, 30))));

    private async Task<(int Status, string? Error)> PostAsync(Target target, WebhookEvent webhookEvent, CancellationToken stop)
    {
        string timestamp = WebhookSigner.FormatTimestamp(DateTime.UtcNow);
        using var message = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(webhookEvent.Body) };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        message.Headers.TryAddWithoutValidation("timestamp", timestamp);
        message.Headers.TryAddWithoutValidation("returnhelper-signature",
            WebhookSigner.Sign(target.Url, timestamp, webhookEvent.Body, target.SigningKey));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(AttemptTimeout);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return ((int)response.StatusCode, null);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !stop.IsCancellationRequested))
        {
            return (0, e is OperationCanceledException ? "Timed out." : e.Message);
        }
    }

    private void Record(WebhookEvent webhookEvent, int attempt, int status, string outcome, string? error)
    {
        if (_deliveries.Count == DeliveryLogCapacity)
        {
            _deliveries.Dequeue();
        }

        _deliveries.Enqueue(new WebhookDelivery(
            webhookEvent.NotificationId, webhookEvent.Category, webhookEvent.Action, attempt, status, outcome, error, DateTime.UtcNow));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await _loop;
        _http.Dispose();
        _stop.Dispose();
        _generationCancel.Dispose();
    }
}
