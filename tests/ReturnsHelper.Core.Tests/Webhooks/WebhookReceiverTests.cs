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
    const string Key = "dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm";
    // Registered URL deliberately different from the local one: signatures cover the registered URL.
    const string Registered = "https://hooks.example.com/returnhelper";

    static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };
    readonly string folder = Path.Combine(Path.GetTempPath(), "rh-receiver-tests-" + Guid.NewGuid().ToString("N"));
    readonly ConcurrentQueue<WebhookEvent> events = new();
    readonly ConcurrentQueue<string> unreadable = new();
    readonly WebhookVerifier verifier = WebhookVerifier.FromBase64Key(Key, Registered, WebhookSignature.DefaultMaxClockSkew);

    public WebhookReceiverTests() => Directory.CreateDirectory(folder);

    public void Dispose()
    {
        http.Dispose();
        Directory.Delete(folder, true);
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");

    (WebhookReceiver Receiver, string Url) NewReceiver(int? count = null, TimeSpan? timeout = null, string path = null, long maxBody = 1024 * 1024)
    {
        var prefix = WebhookReceiverOptions.LoopbackPrefix(FreePort());
        var options = new WebhookReceiverOptions { Prefix = prefix, Count = count, Timeout = timeout ?? TestTimeout, Path = path, MaxBodyBytes = maxBody };
        return (new WebhookReceiver(verifier, options), prefix + "hooks");
    }

    Task<WebhookReceiveSummary> Start(WebhookReceiver receiver, CancellationToken ct = default)
        => Task.Run(() => receiver.RunAsync(events.Enqueue, (body, error) => unreadable.Enqueue(body), NullLog.Instance, ct));

    /// <summary>Waits until the listener answers (a GET is refused with 401 once it listens).</summary>
    async Task WaitListening(string url)
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

    async Task<HttpStatusCode> Post(string url, string body, string timestamp = null, string signature = null, bool sign = true, string signedFor = Registered)
    {
        timestamp ??= Now();
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        request.Headers.TryAddWithoutValidation("timestamp", timestamp);
        if (sign) request.Headers.TryAddWithoutValidation("returnhelper-signature",
            signature ?? WebhookSignature.Compute(WebhookSignature.DecodeSigningKey(Key), signedFor, timestamp, bytes));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    static string Event(string id, string category = "rsl") =>
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
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => clash.RunAsync(_ => { }, null, NullLog.Instance, CancellationToken.None));
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.IsType<HttpListenerException>(e.InnerException);
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

    async Task<HttpStatusCode> PostBytes(string url, byte[] body)
    {
        var timestamp = Now();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("returnhelper-signature", verifier.Sign(timestamp, body));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>
    /// A signed POST over a bare socket, returning the status line as sent: HttpListener writes a default 200 for a
    /// response that is aborted, so only the bytes on the wire tell what the sender saw.
    /// </summary>
    async Task<string> RawPost(string url, byte[] body)
    {
        var uri = new Uri(url);
        var timestamp = Now();
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        using var stream = client.GetStream();
        var head = $"POST {uri.AbsolutePath} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n"
            + $"timestamp: {timestamp}\r\nreturnhelper-signature: {verifier.Sign(timestamp, body)}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync() ?? "(connection closed without an answer)";
    }

    List<WebhookRecord> Journal(string path)
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

    sealed class ListLog : IRrLog
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public bool IsDebugEnabled => true;
        public void Verbose(string message) => Lines.Enqueue(message);
        public void Debug(string message) => Lines.Enqueue(message);
        public void Warning(string message) => Lines.Enqueue(message);
    }
}
