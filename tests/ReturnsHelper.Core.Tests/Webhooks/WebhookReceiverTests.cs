using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ReturnsHelper.Http;
using ReturnsHelper.Webhooks;
using Xunit;

namespace ReturnsHelper.Tests.Webhooks;

/// <summary>The receiver on a real loopback HttpListener, driven with HttpClient.</summary>
public class WebhookReceiverTests : IDisposable
{
    private const string Key = "dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm";
    // Registered URL deliberately different from the local one: signatures cover the registered URL.
    private const string Registered = "https://hooks.example.com/returnhelper";

    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rh-receiver-tests-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<WebhookEvent> events = new();
    private readonly ConcurrentQueue<string> unreadable = new();
    private readonly WebhookVerifier verifier = WebhookVerifier.FromBase64Key(Key, Registered, WebhookSignature.DefaultMaxClockSkew);

    public WebhookReceiverTests() => Directory.CreateDirectory(folder);

    public void Dispose()
    {
        http.Dispose();
        Directory.Delete(folder, true);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");

    private (WebhookReceiver Receiver, string Url) NewReceiver(int? count = null, TimeSpan? timeout = null, string path = null, long maxBody = 1024 * 1024,
        int slots = 16, TimeSpan? deliveryTimeout = null)
    {
        var prefix = WebhookReceiverOptions.LoopbackPrefix(FreePort());
        var options = new WebhookReceiverOptions
        {
            Prefix = prefix,
            Count = count,
            Timeout = timeout ?? TestTimeout,
            Path = path,
            MaxBodyBytes = maxBody,
            MaxConcurrentDeliveries = slots,
            DeliveryTimeout = deliveryTimeout ?? TimeSpan.FromSeconds(30),
        };
        return (new WebhookReceiver(verifier, options), prefix + "hooks");
    }

    private Task<WebhookReceiveSummary> Start(WebhookReceiver receiver, CancellationToken ct = default)
        => Task.Run(() => receiver.RunAsync(events.Enqueue, (body, error) => unreadable.Enqueue(body), NullLog.Instance, ct));

    /// <summary>Waits until the listener answers (a GET is refused with 401 once it listens).</summary>
    private async Task WaitListening(string url)
    {
        var deadline = DateTime.UtcNow + TestTimeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private async Task<HttpStatusCode> Post(string url, string body, string timestamp = null, string signature = null, bool sign = true, string signedFor = Registered)
    {
        timestamp ??= Now();
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        request.Headers.TryAddWithoutValidation("timestamp", timestamp);
        if (sign) request.Headers.TryAddWithoutValidation("returnhelper-signature",
            signature ?? TestSigner.Sign(Key, signedFor, timestamp, bytes));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static string Event(string id, string category = "rsl") =>
        $"{{\"category\":\"{category}\",\"action\":\"markShipmentArrive\",\"eventTime\":\"2024-07-20T01:00:00Z\",\"version\":\"202407\",\"notificationId\":\"{id}\",\"shipment\":{{\"shipmentId\":\"{id.Length}\"}}}}";

    [Fact]
    public async Task Answers_signed_events_200_refuses_everything_else_and_drops_duplicates()
    {
        var path = Path.Combine(folder, "events.jsonl");
        var (receiver, url) = NewReceiver(count: 3, path: path);
        var run = Start(receiver);
        await WaitListening(url);

        Assert.Equal(HttpStatusCode.OK, await Post(url, Event("A")));
        Assert.Equal(HttpStatusCode.OK, await Post(url, Event("A")));                                    // duplicate: acknowledged, dropped
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(url, Event("FORGED"), signature: "3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs="));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(url, Event("LOCAL"), signedFor: url));      // signed for the local URL, not the registered one
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(url, Event("NOSIG"), sign: false));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(url, Event("BADSIG"), signature: "not base64"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(url, Event("BADTIME"), timestamp: "yesterday"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(url, Event("OLD"), timestamp: DateTime.UtcNow.AddMinutes(-20).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'")));
        using (var put = await http.PutAsync(url, new StringContent(Event("PUT")))) Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await Post(url, "{\"category\":\"rsl\",\"x\":\"" + new string('x', 1024 * 1024) + "\"}"));
        Assert.Equal(HttpStatusCode.OK, await Post(url, "{\"no\":\"category\"}"));                        // signed: acknowledged, reported as unreadable
        Assert.Equal(HttpStatusCode.OK, await Post(url, WebhookSamples.CompleteInventoryHandling));       // no notificationId: body hash
        Assert.Equal(HttpStatusCode.OK, await Post(url, WebhookSamples.CompleteInventoryHandling));       // duplicate by hash
        Assert.Equal(HttpStatusCode.OK, await Post(url, Event("B")));                                     // third event: count reached

        var summary = await run.WaitAsync(TestTimeout);
        Assert.True(summary.CountReached);
        Assert.False(summary.TimedOut);
        Assert.Equal(3, summary.Events);
        Assert.Equal(2, summary.Duplicates);
        Assert.Equal(9, summary.Refused);
        Assert.Equal(new[] { "A", null, "B" }, events.Select(e => e.NotificationId));
        Assert.IsType<InventoryHandlingEvent>(events.ElementAt(1));
        Assert.All(events, e => Assert.NotNull(e.ReceivedAt));
        Assert.Equal("{\"no\":\"category\"}", Assert.Single(unreadable));

        // Every verified delivery (the unreadable one too) is on disk, once, and reads back identically.
        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        var items = WebhookInput.Read(File.ReadAllBytes(path)).ToList();
        Assert.All(items, i => Assert.True(verifier.Verify(i.Record.Timestamp, i.Record.Signature, i.Body, i.Record.ReceivedAt).IsValid));
        Assert.Equal(events.Select(e => e.RawBody), items.Where(i => i.Body.Length > 20).Select(i => Encoding.UTF8.GetString(i.Body)));

        // After the count, the listener is closed.
        await Assert.ThrowsAsync<HttpRequestException>(() => Post(url, Event("LATE")));
    }

    [Fact]
    public async Task A_restarted_receiver_still_drops_events_recorded_in_its_file()
    {
        var path = Path.Combine(folder, "events.jsonl");
        var (first, url1) = NewReceiver(count: 1, path: path);
        var run1 = Start(first);
        await WaitListening(url1);
        Assert.Equal(HttpStatusCode.OK, await Post(url1, Event("A")));
        await run1.WaitAsync(TestTimeout);

        var (second, url2) = NewReceiver(count: 1, path: path);
        var run2 = Start(second);
        await WaitListening(url2);
        Assert.Equal(HttpStatusCode.OK, await Post(url2, Event("A")));   // redelivery after the restart: dropped
        Assert.Equal(HttpStatusCode.OK, await Post(url2, Event("C")));
        var summary = await run2.WaitAsync(TestTimeout);
        Assert.Equal(1, summary.Duplicates);
        Assert.Equal(new[] { "A", "C" }, events.Select(e => e.NotificationId));
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public async Task Timeout_ends_the_run_quietly()
    {
        var (receiver, _) = NewReceiver(count: 5, timeout: TimeSpan.FromMilliseconds(300));
        var summary = await Start(receiver).WaitAsync(TestTimeout);
        Assert.True(summary.TimedOut);
        Assert.False(summary.CountReached);
        Assert.Equal(0, summary.Events);
    }

    [Fact]
    public async Task Cancellation_stops_the_listener_and_frees_the_port()
    {
        var (receiver, url) = NewReceiver();
        using var cts = new CancellationTokenSource();
        var run = Start(receiver, cts.Token);
        await WaitListening(url);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestTimeout));

        // The same prefix can be listened on again at once.
        var port = new Uri(url).Port;
        var again = new WebhookReceiver(verifier, new WebhookReceiverOptions { Prefix = WebhookReceiverOptions.LoopbackPrefix(port), Timeout = TimeSpan.FromMilliseconds(200) });
        Assert.True((await Start(again).WaitAsync(TestTimeout)).TimedOut);
    }

    [Fact]
    public async Task A_prefix_already_in_use_is_a_clear_error()
    {
        var (receiver, url) = NewReceiver();
        using var cts = new CancellationTokenSource();
        var run = Start(receiver, cts.Token);
        await WaitListening(url);
        var port = new Uri(url).Port;
        var clash = new WebhookReceiver(verifier, new WebhookReceiverOptions { Prefix = WebhookReceiverOptions.LoopbackPrefix(port), Timeout = TimeSpan.FromSeconds(5) });
        var e = await Assert.ThrowsAsync<WebhookListenException>(() => clash.RunAsync(_ => { }, null, NullLog.Instance, CancellationToken.None));
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.IsType<HttpListenerException>(e.InnerException);
        Assert.False(e.AccessDenied);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task Log_lines_never_contain_the_signing_key()
    {
        var log = new ListLog();
        var prefix = WebhookReceiverOptions.LoopbackPrefix(FreePort());
        var receiver = new WebhookReceiver(verifier, new WebhookReceiverOptions { Prefix = prefix, Count = 1, Timeout = TestTimeout });
        var run = Task.Run(() => receiver.RunAsync(events.Enqueue, null, log, CancellationToken.None));
        await WaitListening(prefix);
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(prefix, Event("X"), signature: Key));
        Assert.Equal(HttpStatusCode.OK, await Post(prefix, Event("Y")));
        await run.WaitAsync(TestTimeout);
        Assert.Contains(log.Lines, l => l.Contains("401"));
        Assert.Contains(log.Lines, l => l.Contains("200"));
        Assert.DoesNotContain(log.Lines, l => l.Contains(Key) || l.Contains("test-signing-key"));
    }

    private async Task<HttpStatusCode> PostBytes(string url, byte[] body)
    {
        var timestamp = Now();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("returnhelper-signature", TestSigner.Sign(Key, Registered, timestamp, body));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>
    /// A signed POST over a bare socket, returning the status line as sent: HttpListener writes a default 200 for a
    /// response that is aborted, so only the bytes on the wire tell what the sender saw.
    /// </summary>
    private async Task<string> RawPost(string url, byte[] body)
    {
        var uri = new Uri(url);
        var timestamp = Now();
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        using var stream = client.GetStream();
        var head = $"POST {uri.AbsolutePath} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n"
            + $"timestamp: {timestamp}\r\nreturnhelper-signature: {TestSigner.Sign(Key, Registered, timestamp, body)}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync() ?? "(connection closed without an answer)";
    }

    private List<WebhookRecord> Journal(string path)
        => WebhookInput.Read(File.ReadAllBytes(path)).Select(i => i.Record ?? throw new InvalidOperationException("not a record")).ToList();

    [Fact]
    public async Task A_signed_body_that_is_not_valid_utf8_is_journaled_and_reported_before_it_is_acknowledged()
    {
        var path = Path.Combine(folder, "events.jsonl");
        var (receiver, url) = NewReceiver(count: 1, path: path);
        var run = Start(receiver);
        await WaitListening(url);
        var bad = Encoding.UTF8.GetBytes("{\"category\":\"rinv\",\"action\":\"completeInventoryHandling\",\"returnInventory\":{\"returnInventoryId\":7,\"description\":\"caf")
            .Concat(new byte[] { 0xC3 }).Concat(Encoding.UTF8.GetBytes("\"}}")).ToArray();

        Assert.StartsWith("HTTP/1.1 200", await RawPost(url, bad));
        Assert.Equal(bad, Assert.Single(Journal(path)).Body);                  // kept byte for byte (as bodyBase64)
        Assert.Single(unreadable);                                               // and handed on as an unreadable delivery
        Assert.StartsWith("HTTP/1.1 200", await RawPost(url, bad));            // a redelivery is a duplicate
        Assert.Single(Journal(path));
        Assert.Equal(HttpStatusCode.OK, await Post(url, Event("AFTER")));      // and the receiver goes on
        var summary = await run.WaitAsync(TestTimeout);
        Assert.Equal(1, summary.Duplicates);
        Assert.Equal("AFTER", Assert.Single(events).NotificationId);
    }

    [Fact]
    public async Task An_event_that_cannot_be_handed_on_is_answered_500_and_the_run_stops_with_the_reason()
    {
        var path = Path.Combine(folder, "events.jsonl");
        var (receiver, url) = NewReceiver(path: path);
        var run = Task.Run(() => receiver.RunAsync(_ => throw new NotSupportedException("consumer broke"), null, NullLog.Instance, CancellationToken.None));
        await WaitListening(url);

        Assert.StartsWith("HTTP/1.1 500", await RawPost(url, Encoding.UTF8.GetBytes(Event("LOST"))));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TestTimeout));
        Assert.Contains("consumer broke", e.Message);
        Assert.IsType<NotSupportedException>(e.InnerException);
        // Refused, so Return Helper retries; and the journal has it for whoever reads it.
        Assert.Single(Journal(path));
    }

    [Fact]
    public async Task Never_answers_2xx_to_a_mutated_delivery_it_did_not_journal_and_hand_on()
    {
        var path = Path.Combine(folder, "events.jsonl");
        var (receiver, url) = NewReceiver(path: path);
        using var cts = new CancellationTokenSource();
        var run = Start(receiver, cts.Token);
        await WaitListening(url);

        var acknowledged = new List<string>();
        var answers = new Dictionary<HttpStatusCode, int>();
        foreach (var (_, body) in WebhookMutations.All(perSample: 25))
        {
            var status = await PostBytes(url, body);
            answers[status] = answers.GetValueOrDefault(status) + 1;
            Assert.True((int)status == 200 || (int)status >= 500, $"answered {(int)status}");
            if ((int)status == 200) acknowledged.Add(WebhookParser.DedupeKeyOf(body));
        }
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestTimeout));

        var journal = Journal(path);
        var journaled = journal.Select(r => WebhookParser.DedupeKeyOf(r.Body)).ToHashSet();
        Assert.All(acknowledged, key => Assert.Contains(key, journaled));
        // Everything journaled was handed on, once: as an event or as an unreadable delivery.
        Assert.Equal(journal.Count, events.Count + unreadable.Count);
        Assert.True(events.Count > 20 && unreadable.Count > 20, $"{events.Count} events, {unreadable.Count} unreadable");
    }

    /// <summary>
    /// A sender that connects, sends signed-looking headers announcing a body, and then stalls; the test's side of
    /// the connection stays open until disposed.
    /// </summary>
    private static async Task<TcpClient> StallAfterHeaders(string url, long contentLength = 1000)
    {
        var uri = new Uri(url);
        var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        var head = $"POST {uri.AbsolutePath} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Length: {contentLength}\r\n"
            + $"timestamp: {Now()}\r\nreturnhelper-signature: 3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs=\r\n\r\n{{\"category\":";
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
        return client;
    }

    /// <summary>What the stalled sender finally got: the status line, or null when its connection was closed without one.</summary>
    private static async Task<string> AnswerTo(TcpClient stalled)
    {
        using var reader = new StreamReader(stalled.GetStream(), Encoding.ASCII);
        try { return await reader.ReadLineAsync().WaitAsync(TestTimeout); }
        catch (IOException) { return null; } // reset
    }

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "never happened: " + what);
            await Task.Delay(20);
        }
    }

    private static int LinesWith(ListLog log, params string[] parts) => log.Lines.Count(l => parts.All(l.Contains));

    [Fact]
    public async Task Stalled_senders_holding_every_slot_are_cut_off_and_a_genuine_delivery_still_gets_through()
    {
        var log = new ListLog();
        var (receiver, url) = NewReceiver(count: 1, slots: 2, deliveryTimeout: TimeSpan.FromSeconds(1));
        var run = Task.Run(() => receiver.RunAsync(events.Enqueue, null, log, CancellationToken.None));
        await WaitListening(url);

        using var first = await StallAfterHeaders(url);
        using var second = await StallAfterHeaders(url);
        await WaitFor(() => LinesWith(log, "POST /hooks", "admitted") == 2, "both stalled senders hold a slot");

        // The genuine delivery waits for a slot (a stalled sender's is freed within the limit) instead of getting 503.
        Assert.Equal(HttpStatusCode.OK, await Post(url, Event("GENUINE")));
        Assert.Equal(1, LinesWith(log, "POST /hooks", "every slot is busy"));
        // Cut off: a 408 (managed listener) or a closed connection (HTTP.sys), never a 200.
        foreach (var stalled in new[] { first, second })
        {
            var answer = await AnswerTo(stalled);
            Assert.True(answer == null || answer.StartsWith("HTTP/1.1 408"), answer);
        }

        var summary = await run.WaitAsync(TestTimeout);
        Assert.Equal("GENUINE", Assert.Single(events).NotificationId);
        Assert.Equal(2, summary.RefusedBy[WebhookRefusal.TooSlow]);
        Assert.Contains("2 TooSlow", summary.RefusedText());
    }

    [Fact]
    public async Task Beyond_as_many_waiting_deliveries_as_slots_a_delivery_gets_503_at_once()
    {
        var log = new ListLog();
        var (receiver, url) = NewReceiver(slots: 1, deliveryTimeout: TimeSpan.FromSeconds(20));
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => receiver.RunAsync(events.Enqueue, null, log, cts.Token));
        await WaitListening(url);

        using var holding = await StallAfterHeaders(url);
        await WaitFor(() => LinesWith(log, "POST /hooks", "admitted") == 1, "the stalled sender holds the slot");
        using var waiting = await StallAfterHeaders(url);
        await WaitFor(() => LinesWith(log, "POST /hooks", "every slot is busy") == 1, "the second stalled sender waits");

        // Answered at once: the slot is held for 20 s, longer than the client waits.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Post(url, Event("FLOOD")));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestTimeout));
        Assert.Empty(events);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_is_refused_before_the_body_is_read_and_a_chunked_one_at_the_limit()
    {
        var (receiver, url) = NewReceiver(maxBody: 1000);
        using var cts = new CancellationTokenSource();
        var run = Start(receiver, cts.Token);
        await WaitListening(url);

        // Announces a gigabyte and sends nothing: answered 413 without waiting for the body (the limit is 30 s).
        using (var huge = await StallAfterHeaders(url, contentLength: 1L << 30))
            Assert.StartsWith("HTTP/1.1 413", await AnswerTo(huge));

        var bytes = Encoding.UTF8.GetBytes("{\"category\":\"rsl\",\"x\":\"" + new string('x', 2000) + "\"}");
        var timestamp = Now();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StreamContent(new MemoryStream(bytes)) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation("timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("returnhelper-signature", TestSigner.Sign(Key, Registered, timestamp, bytes));
        using (var response = await http.SendAsync(request))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestTimeout));
        Assert.Empty(events);
    }

    [Fact]
    public async Task The_first_well_formed_signature_mismatch_warns_once_naming_the_registered_url()
    {
        var log = new ListLog();
        var (receiver, url) = NewReceiver(count: 1);
        var run = Task.Run(() => receiver.RunAsync(events.Enqueue, null, log, CancellationToken.None));
        await WaitListening(url);

        Assert.Equal(HttpStatusCode.Unauthorized, await Post(url, Event("NOSIG"), sign: false));          // not well-formed: no warning
        Assert.Empty(log.Warnings);
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(url, Event("LOCAL1"), signedFor: url));      // signed for the local URL
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(url, Event("LOCAL2"), signedFor: url));
        Assert.Equal(HttpStatusCode.OK, await Post(url, Event("OK")));

        var summary = await run.WaitAsync(TestTimeout);
        var warning = Assert.Single(log.Warnings);
        Assert.Contains(Registered, warning);
        Assert.Contains("signing key", warning);
        Assert.DoesNotContain(Key, warning);
        Assert.Equal(2, summary.RefusedBy[WebhookRefusal.SignatureMismatch]);
        Assert.Equal(2, summary.RefusedBy[WebhookRefusal.NotSigned]);                                        // with WaitListening's GET
        Assert.Equal("4 deliveries refused (2 NotSigned, 2 SignatureMismatch)", summary.RefusedText());
    }

    private sealed class ListLog : IRrLog
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ConcurrentQueue<string> Warnings { get; } = new();
        public bool IsDebugEnabled => true;
        public void Verbose(string message) => Lines.Enqueue(message);
        public void Debug(string message) => Lines.Enqueue(message);
        public void Warning(string message)
        {
            Lines.Enqueue(message);
            Warnings.Enqueue(message);
        }
    }
}
