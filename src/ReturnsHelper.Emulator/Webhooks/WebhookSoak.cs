using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ReturnsHelper.Emulator.Control;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Webhooks;

/// <summary>What <c>POST /_emulator/webhooks/soak</c> asks for (README decision 46).</summary>
internal sealed record WebhookSoakOptions(
    int Count, int DuplicateEvery, int ForgedEvery, int Stalled, int MaxStalledAtOnce, int StallSeconds, int RotateTokenAfter, string? NewToken);

/// <summary>
/// A soak of the webhook receiver (README decisions 46-49): <see cref="WebhookSoakOptions.Count"/> new inventories whose
/// <c>newInventoryCreated</c> events go through the ordinary sender (ordered, retried), every DuplicateEvery-th sent twice;
/// beside them, forged deliveries (signed with a wrong key, sent once, never retried, so they never count towards the
/// target's suspension) and stalled connections (headers and part of a body, then silence, at most MaxStalledAtOnce
/// open) spread over the run; and, after RotateTokenAfter first attempts, the default account's token replaced by
/// NewToken, as a rotation in the portal would. <see cref="Report"/> says what happened, with the latency from each
/// event's first attempt to its inventory's recall.
/// </summary>
internal sealed class WebhookSoak : IWebhookObserver
{
    private readonly EmulatorContext _emulator;
    private readonly WebhookSoakOptions _options;
    private readonly (string Url, string SigningKey) _target;
    private readonly Dictionary<string, long> _inventoryOf = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, DateTime> _firstAttempt = new();
    private readonly ConcurrentDictionary<long, DateTime> _delivered = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<long> _inventoryIds = [];
    private readonly List<double> _stallHeldSeconds = [];
    private int _sent, _duplicatesSent, _forgedSent, _forgedRefused, _forgedAccepted, _forgedOther, _stalledOpened, _stalledCutOff, _stalledNotCut;
    private DateTime _startedAt, _tokenRotatedAt;
    private Task _sideTraffic = Task.CompletedTask;

    private WebhookSoak(EmulatorContext emulator, WebhookSoakOptions options, (string Url, string SigningKey) target)
    {
        _emulator = emulator;
        _options = options;
        _target = target;
    }

    /// <summary>Creates the inventories and queues their events; the side traffic runs in the background.</summary>
    public static WebhookSoak Start(EmulatorContext emulator, WebhookSoakOptions options)
    {
        var target = emulator.Webhooks.CurrentTarget
            ?? throw ControlException.BadRequest("Configure the webhook target first (POST /_emulator/webhooks).");
        var soak = new WebhookSoak(emulator, options, target) { _startedAt = DateTime.UtcNow };
        using var items = JsonDocument.Parse("[" + string.Join(",", Enumerable.Repeat("{}", options.Count)) + "]");
        emulator.State.Run(data =>
        {
            var created = InventoryInput.AddAll(data, items.RootElement, DateTime.UtcNow);
            for (int i = 0; i < created.Count; i++)
            {
                var webhookEvent = WebhookEvents.InventoryCreated(created[i]) with { Observer = soak };
                soak._inventoryOf[webhookEvent.NotificationId] = created[i].ReturnInventoryId;
                soak._inventoryIds.Add(created[i].ReturnInventoryId);
                emulator.Webhooks.Enqueue(webhookEvent);
                if (options.DuplicateEvery > 0 && (i + 1) % options.DuplicateEvery == 0)
                {
                    emulator.Webhooks.Enqueue(webhookEvent); // a redelivery: same body and notificationId, signed anew
                    soak._duplicatesSent++;
                }
            }
        });
        soak._sideTraffic = Task.WhenAll(Task.Run(soak.ForgeAsync), Task.Run(soak.StallAsync));
        return soak;
    }

    public IReadOnlyList<long> InventoryIds => _inventoryIds;

    /// <summary>Ends the side traffic (a new soak replaces this one).</summary>
    public void Stop() => _stop.Cancel();

    public void Attempting(WebhookEvent webhookEvent, int attempt, DateTime time)
    {
        if (!_inventoryOf.TryGetValue(webhookEvent.NotificationId, out long id) || !_firstAttempt.TryAdd(id, time))
        {
            return;
        }

        if (Interlocked.Increment(ref _sent) == _options.RotateTokenAfter && _options.NewToken is { } token)
        {
            _emulator.State.Run(data => data.ReplaceToken(data.DefaultAccount.ApiKey, token));
            _tokenRotatedAt = time;
        }
    }

    public void Delivered(WebhookEvent webhookEvent, DateTime time)
    {
        if (_inventoryOf.TryGetValue(webhookEvent.NotificationId, out long id))
        {
            _delivered.TryAdd(id, time);
        }
    }

    /// <summary>Waits until this many genuine events had their first attempt (or the soak is stopped).</summary>
    private async Task WaitForSentAsync(int count)
    {
        while (Volatile.Read(ref _sent) < count && !_stop.IsCancellationRequested)
        {
            await Task.Delay(20, _stop.Token).ConfigureAwait(false);
        }
    }

    private async Task ForgeAsync()
    {
        if (_options.ForgedEvery <= 0)
        {
            return;
        }

        byte[] wrongKey = new byte[32];
        Random.Shared.NextBytes(wrongKey);
        for (int k = 1; k * _options.ForgedEvery <= _options.Count; k++)
        {
            await WaitForSentAsync(k * _options.ForgedEvery);
            // Shaped like a genuine event, with an id of its own: accepted, it would show in the receiver's journal.
            byte[] body = Encoding.UTF8.GetBytes(
                $"{{\"category\":\"newInventoryCreated\",\"action\":\"newInventoryCreated\",\"eventTime\":\"{DateTime.UtcNow:O}\",\"version\":\"{WebhookEvents.Version}\",\"notificationId\":\"FORGED{k:D20}\",\"returnInventory\":{{\"returnInventoryId\":\"{900_000_000 + k}\"}}}}");
            string timestamp = WebhookSigner.FormatTimestamp(DateTime.UtcNow);
            using var message = new HttpRequestMessage(HttpMethod.Post, _target.Url) { Content = new ByteArrayContent(body) };
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
            message.Headers.TryAddWithoutValidation("timestamp", timestamp);
            message.Headers.TryAddWithoutValidation("returnhelper-signature", WebhookSigner.Sign(_target.Url, timestamp, body, Convert.ToBase64String(wrongKey)));
            Interlocked.Increment(ref _forgedSent);
            try
            {
                using var response = await _http.SendAsync(message, _stop.Token);
                int status = (int)response.StatusCode;
                Interlocked.Increment(ref status == 401 ? ref _forgedRefused : ref status is >= 200 and < 300 ? ref _forgedAccepted : ref _forgedOther);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !_stop.IsCancellationRequested))
            {
                Interlocked.Increment(ref _forgedOther);
            }
        }
    }

    private async Task StallAsync()
    {
        if (_options.Stalled <= 0)
        {
            return;
        }

        using var open = new SemaphoreSlim(Math.Max(1, _options.MaxStalledAtOnce));
        var stalls = new List<Task>();
        for (int k = 0; k < _options.Stalled; k++)
        {
            await WaitForSentAsync(k * _options.Count / _options.Stalled);
            await open.WaitAsync(_stop.Token);
            stalls.Add(Task.Run(async () =>
            {
                try
                {
                    await HoldOneAsync();
                }
                finally
                {
                    open.Release();
                }
            }));
        }

        await Task.WhenAll(stalls);
    }

    /// <summary>Headers (well-formed, so the body is read) and the start of a body, then nothing until the receiver closes the connection.</summary>
    private async Task HoldOneAsync()
    {
        var uri = new Uri(_target.Url);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, _stop.Token);
        var stream = client.GetStream();
        string head = $"POST {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"
            + $"timestamp: {WebhookSigner.FormatTimestamp(DateTime.UtcNow)}\r\nreturnhelper-signature: {Convert.ToBase64String(new byte[32])}\r\n\r\n{{\"category\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
        Interlocked.Increment(ref _stalledOpened);
        var held = System.Diagnostics.Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        limit.CancelAfter(TimeSpan.FromSeconds(_options.StallSeconds));
        byte[] buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, limit.Token) > 0)
            {
                // A 408 or the headers of an answer: read on until the connection closes.
            }

            Interlocked.Increment(ref _stalledCutOff);
        }
        catch (IOException)
        {
            Interlocked.Increment(ref _stalledCutOff); // reset by the receiver: cut off too
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _stalledNotCut);
        }

        lock (_stallHeldSeconds)
        {
            _stallHeldSeconds.Add(held.Elapsed.TotalSeconds);
        }
    }

    /// <summary>The soak so far, with every inventory's recall looked up now.</summary>
    public void Report(Utf8JsonWriter writer)
    {
        var latencies = new List<double>();
        int recalled = 0;
        DateTime lastRecall = default;
        _emulator.State.Run(data =>
        {
            foreach (long id in _inventoryIds)
            {
                if (data.FindInventory(id) is not { } inventory || data.ActiveRecallOf(inventory) is not { } recall)
                {
                    continue;
                }

                recalled++;
                lastRecall = recall.CreateOn > lastRecall ? recall.CreateOn : lastRecall;
                if (_firstAttempt.TryGetValue(id, out var sent))
                {
                    latencies.Add((recall.CreateOn - sent).TotalMilliseconds);
                }
            }
        });
        latencies.Sort();
        DateTime firstSent = _firstAttempt.IsEmpty ? default : _firstAttempt.Values.Min();
        DateTime lastDelivered = _delivered.IsEmpty ? default : _delivered.Values.Max();
        double[] held;
        lock (_stallHeldSeconds)
        {
            held = [.. _stallHeldSeconds];
        }

        writer.WriteStartObject();
        writer.WriteNumber("events", _options.Count);
        writer.WriteNumber("sent", Volatile.Read(ref _sent));
        writer.WriteNumber("delivered", _delivered.Count);
        writer.WriteNumber("duplicatesSent", _duplicatesSent);
        writer.WriteNumber("forgedSent", Volatile.Read(ref _forgedSent));
        writer.WriteNumber("forgedRefused", Volatile.Read(ref _forgedRefused));
        writer.WriteNumber("forgedAccepted", Volatile.Read(ref _forgedAccepted));
        writer.WriteNumber("forgedOther", Volatile.Read(ref _forgedOther));
        writer.WriteNumber("stalledOpened", Volatile.Read(ref _stalledOpened));
        writer.WriteNumber("stalledCutOff", Volatile.Read(ref _stalledCutOff));
        writer.WriteNumber("stalledNotCut", Volatile.Read(ref _stalledNotCut));
        writer.WriteNumber("stalledMaxHeldSeconds", held.Length == 0 ? 0 : Math.Round(held.Max(), 2));
        writer.WriteNumber("recalled", recalled);
        writer.WriteString("startedAt", _startedAt);
        if (_tokenRotatedAt != default) writer.WriteString("tokenRotatedAt", _tokenRotatedAt); else writer.WriteNull("tokenRotatedAt");
        WriteRate(writer, "receivedPerSecond", _delivered.Count, firstSent, lastDelivered);
        WriteRate(writer, "recalledPerSecond", recalled, firstSent, lastRecall);
        writer.WriteNumber("latencyMedianMs", Percentile(latencies, 0.5));
        writer.WriteNumber("latencyP99Ms", Percentile(latencies, 0.99));
        writer.WriteNumber("latencyMaxMs", latencies.Count == 0 ? 0 : Math.Round(latencies[^1], 1));
        writer.WriteBoolean("sideTrafficDone", _sideTraffic.IsCompleted);
        writer.WriteEndObject();
    }

    private static void WriteRate(Utf8JsonWriter writer, string name, int count, DateTime from, DateTime to)
    {
        double seconds = (to - from).TotalSeconds;
        writer.WriteNumber(name, count == 0 || seconds <= 0 ? 0 : Math.Round(count / seconds, 1));
    }

    /// <summary>The nearest-rank percentile of sorted values (0 when there are none).</summary>
    private static double Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)], 1);
}
