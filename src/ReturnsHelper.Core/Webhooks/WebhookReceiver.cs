using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;

namespace ReturnsHelper.Webhooks;

/// <summary>How a <see cref="WebhookReceiver"/> listens and when it stops.</summary>
internal sealed class WebhookReceiverOptions
{
    /// <summary>The HttpListener prefix, e.g. http://127.0.0.1:8080/ (must end with a slash).</summary>
    public string Prefix { get; set; }
    /// <summary>Stop after this many events (duplicates and refused deliveries do not count); null = no limit.</summary>
    public int? Count { get; set; }
    /// <summary>Stop after listening this long; null = until cancelled.</summary>
    public TimeSpan? Timeout { get; set; }
    /// <summary>Append every verified delivery to this JSON-lines file; null = none.</summary>
    public string Path { get; set; }
    /// <summary>The journal rotates when it would grow beyond this; the same amount of its tail is read at start for deduplication.</summary>
    public long MaxJournalBytes { get; set; } = WebhookRecordFile.DefaultMaxBytes;
    /// <summary>Rotated journal files kept (events.1.jsonl ... events.N.jsonl); older ones are deleted.</summary>
    public int KeepJournalFiles { get; set; } = WebhookRecordFile.DefaultKeepFiles;
    /// <summary>Larger bodies are refused with 413 and never buffered (Return Helper events are a few KB).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
    /// <summary>How many dedupe keys are remembered (oldest forgotten first), so memory stays bounded.</summary>
    public int DedupeCapacity { get; set; } = 100000;
    /// <summary>
    /// Deliveries handled at once. As many more may wait (each at most twice <see cref="DeliveryTimeout"/>) for a
    /// slot, which a stalled sender frees within that time; beyond that they get 503 at once (Return Helper retries), so a flood cannot grow memory.
    /// </summary>
    public int MaxConcurrentDeliveries { get; set; } = 16;
    /// <summary>
    /// How long a sender may take to send its body once it has a slot (and how long a delivery may wait for one):
    /// a sender still sending then is cut off (its connection closed) and its slot freed.
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// The health probe's path below the prefix (GET &lt;prefix&gt;health by default; null = no probe). Answered
    /// before any slot is taken, so stalled senders cannot hide the receiver's health.
    /// </summary>
    public string HealthPath { get; set; } = "health";
    /// <summary>
    /// Makes an event's <see cref="WebhookEvent.Payload"/> from the parse that makes the event (the cmdlets: the
    /// body as PSCustomObjects); null = none (events that wait in a processing queue keep only their RawBody).
    /// </summary>
    public Func<System.Text.Json.JsonElement, object> PayloadOf { get; set; }

    public static string LoopbackPrefix(int port) => $"http://127.0.0.1:{port}/";
}

/// <summary>Why a delivery was refused, as counted in <see cref="WebhookReceiveSummary.RefusedBy"/>.</summary>
internal enum WebhookRefusal
{
    /// <summary>Not a POST, or no timestamp / signature header (401).</summary>
    NotSigned,
    /// <summary>A timestamp or signature header that cannot be read (401).</summary>
    Malformed,
    /// <summary>Well-formed, but the signature does not match (401): forged, or the wrong endpoint URL or key.</summary>
    SignatureMismatch,
    /// <summary>Correctly signed, but the timestamp is too far from now (401).</summary>
    ClockSkew,
    /// <summary>The body is larger than the limit (413).</summary>
    TooLarge,
    /// <summary>The sender did not send its body within the time limit: its connection was closed.</summary>
    TooSlow,
    /// <summary>Every slot stayed busy (503).</summary>
    Busy,
}

/// <summary>What the health probe of a receiver in service mode adds: the processing side.</summary>
internal interface IWebhookProcessingHealth
{
    /// <summary>False while processing waits to retry a failure.</summary>
    public bool IsHealthy { get; }
    /// <summary>Writes the "processing" property (an object) of the health answer.</summary>
    public void WriteHealth(System.Text.Json.Utf8JsonWriter writer);
}

/// <summary>What a receiver run did.</summary>
internal sealed class WebhookReceiveSummary
{
    private readonly Dictionary<WebhookRefusal, int> refusedBy = new Dictionary<WebhookRefusal, int>();

    public int Events { get; internal set; }
    public int Duplicates { get; internal set; }
    public int Refused { get; private set; }
    /// <summary>Refused deliveries by reason (reasons that did not occur are absent).</summary>
    public IReadOnlyDictionary<WebhookRefusal, int> RefusedBy => refusedBy;
    public bool TimedOut { get; internal set; }
    public bool CountReached { get; internal set; }

    internal void AddRefused(WebhookRefusal reason)
    {
        Refused++;
        refusedBy[reason] = refusedBy.TryGetValue(reason, out var n) ? n + 1 : 1;
    }

    /// <summary>"3 deliveries refused (2 SignatureMismatch, 1 TooSlow)", for summary lines.</summary>
    public string RefusedText()
    {
        if (Refused == 0) return "no deliveries refused";
        var reasons = new List<string>();
        foreach (WebhookRefusal reason in Enum.GetValues(typeof(WebhookRefusal)))
            if (refusedBy.TryGetValue(reason, out var n)) reasons.Add($"{n} {reason}");
        return $"{Refused} {(Refused == 1 ? "delivery" : "deliveries")} refused ({string.Join(", ", reasons)})";
    }
}

/// <summary>
/// A local webhook endpoint on HttpListener. Every correctly signed POST is answered 200 as soon as it is
/// recorded (journaled when there is a journal, then handed on; never after it is processed); everything else
/// gets 401, an oversized body 413. Hostile or broken senders are bounded: a sender that has not sent its body
/// within the delivery time limit is cut off (its connection closed), a delivery that finds every slot busy waits
/// at most that long for one, and beyond that gets 503. A signed body that is not a readable event is recorded and handed on as
/// unreadable, then acknowledged (a retry would be just as unreadable). Anything that goes wrong before the
/// delivery is recorded is answered 500, so the sender retries: nothing is acknowledged that was not recorded.
/// Duplicates (same DedupeKey) are answered 200 and dropped. Events are handed to the callback one at a time,
/// in the order they were accepted.
/// </summary>
internal sealed class WebhookReceiver
{
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    private readonly WebhookVerifier verifier;
    private readonly WebhookReceiverOptions options;
    private readonly object gate = new object();
    private readonly string healthPath;

    /// <summary>The counts of the current (or last) run, also when it ended by cancellation; null before a run.</summary>
    public WebhookReceiveSummary Summary { get; private set; }

    /// <summary>The processing side of the health probe (service mode), or null.</summary>
    public IWebhookProcessingHealth ProcessingHealth { get; set; }

    public WebhookReceiver(WebhookVerifier verifier, WebhookReceiverOptions options)
    {
        this.verifier = verifier ?? throw new ArgumentNullException(nameof(verifier));
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        if (string.IsNullOrEmpty(options.Prefix)) throw new ArgumentException("A listener prefix is required.", nameof(options));
        if (options.Count.HasValue && options.Count.Value < 1) throw new ArgumentOutOfRangeException(nameof(options), "Count must be at least 1.");
        healthPath = string.IsNullOrEmpty(options.HealthPath) ? null : PathOf(options.Prefix) + options.HealthPath.TrimStart('/');
    }

    /// <summary>The path of a listener prefix (its host may be + or *, which Uri does not take).</summary>
    private static string PathOf(string prefix)
    {
        var afterScheme = prefix.IndexOf("://", StringComparison.Ordinal);
        var slash = afterScheme < 0 ? -1 : prefix.IndexOf('/', afterScheme + 3);
        var path = slash < 0 ? "/" : prefix.Substring(slash);
        return path.EndsWith("/", StringComparison.Ordinal) ? path : path + "/";
    }

    /// <summary>The health probe's URL for a listener on <paramref name="prefix"/> (for messages).</summary>
    public string HealthUrl => healthPath == null ? null : options.Prefix.Substring(0, options.Prefix.Length - PathOf(options.Prefix).Length) + healthPath;

    /// <summary>
    /// Listens until the count is reached, the timeout passes or <paramref name="ct"/> is cancelled (then it throws
    /// OperationCanceledException). <paramref name="onUnreadable"/> gets correctly signed bodies that are not events.
    /// No callback runs after this method returns.
    /// </summary>
    public async Task<WebhookReceiveSummary> RunAsync(Action<WebhookEvent> onEvent, Action<string, WebhookFormatException> onUnreadable, IRrLog log, CancellationToken ct)
    {
        log = log ?? NullLog.Instance;
        var run = new Run(this, onEvent, onUnreadable, log);
        Summary = run.Summary;
        // A record holds its body escaped (up to 6 bytes per byte) or in Base64: a longer line is not one this receiver wrote.
        var maxLineBytes = (int)Math.Min(int.MaxValue, options.MaxBodyBytes * 6 + 64 * 1024);
        using (run.File = options.Path == null ? null : WebhookRecordFile.Open(options.Path, run.Seen, options.MaxJournalBytes, options.KeepJournalFiles, maxLineBytes))
        {
            if (run.File != null)
                log.Verbose($"Appending to {options.Path}: {run.File.RecordsRead} earlier events read, the last {run.Seen.Count} remembered for deduplication"
                    + (run.File.UnreadableLines > 0 ? $", {run.File.UnreadableLines} unreadable lines ignored." : "."));
            var listener = new HttpListener();
            listener.Prefixes.Add(options.Prefix);
            try { listener.Start(); }
            catch (HttpListenerException e)
            {
                listener.Close();
                throw ListenFailure(options.Prefix, e, Environment.UserDomainName + "\\" + Environment.UserName);
            }
            LimitHttpSysTimeouts(listener, log);
            log.Note($"Listening on {options.Prefix} for events signed for {verifier.EndpointUri} with {verifier.KeyCount} signing key(s)"
                + (healthPath == null ? "." : $"; health probe: GET {HealthUrl}."));

            using (var timeout = options.Timeout.HasValue ? new CancellationTokenSource(options.Timeout.Value) : new CancellationTokenSource())
            using (ct.Register(() => run.Stop()))
            using (timeout.Token.Register(() => { run.Summary.TimedOut = true; run.Stop(); }))
            {
                var handlers = new List<Task>();
                try
                {
                    while (!run.Stopped.IsCompleted)
                    {
                        var next = listener.GetContextAsync();
                        if (await Task.WhenAny(next, run.Stopped).ConfigureAwait(false) != next)
                        {
                            // Observed so the failure it gets when the listener closes is not an unobserved exception.
                            _ = next.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                            break;
                        }
                        var context = await next.ConfigureAwait(false);
                        handlers.RemoveAll(t => t.IsCompleted);
                        handlers.Add(Task.Run(() => run.HandleAsync(context)));
                    }
                }
                finally
                {
                    // Let deliveries already being answered finish, then close; wait for every handler so no callback outlives the run.
                    await Task.WhenAny(Task.WhenAll(handlers), Task.Delay(ct.IsCancellationRequested ? TimeSpan.Zero : DrainGrace)).ConfigureAwait(false);
                    listener.Close();
                    await Task.WhenAll(handlers).ConfigureAwait(false);
                }
            }
            if (run.Fatal != null) throw run.Fatal;
            ct.ThrowIfCancellationRequested();
            return run.Summary;
        }
    }

    /// <summary>
    /// Why the listener cannot start. HTTP.sys (Windows) lets only administrators listen on a URL that is not reserved
    /// for the user, and says "access denied" (error 5): that error gives the one command that reserves the prefix.
    /// </summary>
    internal static WebhookListenException ListenFailure(string prefix, HttpListenerException e, string user)
    {
        const int AccessDenied = 5;
        if (e.ErrorCode != AccessDenied) return new WebhookListenException($"Cannot listen on {prefix}: {e.Message}", e, accessDenied: false);
        var quotedUser = user.IndexOf(' ') >= 0 ? "\"" + user + "\"" : user;
        return new WebhookListenException($"Cannot listen on {prefix}: Windows lets only administrators listen on a URL that is not reserved for the user. "
            + $"Reserve it once, from an elevated prompt: netsh http add urlacl url={prefix} user={quotedUser}", e, accessDenied: true);
    }

    /// <summary>
    /// On Windows, HTTP.sys holds a connection before this code sees it (waiting for headers, or idle) for 2 minutes by
    /// default: both are lowered to the delivery time limit, as is its own body timeout. The managed listener on other
    /// systems has no such settings (TimeoutManager throws PlatformNotSupportedException); it closes a connection that
    /// sends no complete request within 90 s, and such a connection never holds a delivery slot.
    /// </summary>
    private void LimitHttpSysTimeouts(HttpListener listener, IRrLog log)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        try
        {
            var timeouts = listener.TimeoutManager;
            timeouts.HeaderWait = options.DeliveryTimeout;
            timeouts.IdleConnection = options.DeliveryTimeout;
            timeouts.EntityBody = options.DeliveryTimeout;
        }
        catch (Exception e) when (e is PlatformNotSupportedException || e is HttpListenerException || e is ArgumentOutOfRangeException || e is InvalidOperationException)
        {
            // The delivery time limit below still applies to every delivery; only idle connections keep the HTTP.sys defaults.
            log.Verbose($"The HTTP.sys timeouts could not be set to {options.DeliveryTimeout}: {e.Message}");
        }
    }

    /// <summary>The state of one RunAsync call.</summary>
    private sealed class Run
    {
        private readonly WebhookReceiver owner;
        private readonly Action<WebhookEvent> onEvent;
        private readonly Action<string, WebhookFormatException> onUnreadable;
        private readonly IRrLog log;
        private readonly TaskCompletionSource<bool> stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly SemaphoreSlim slots;
        private readonly int maxInFlight;
        private int inFlight;
        private int mismatchWarned;
        private DateTimeOffset lastRefusalNote = DateTimeOffset.MinValue;
        private readonly DateTimeOffset startedAt = DateTimeOffset.UtcNow;

        public WebhookRecordFile File;
        public readonly DedupeSet Seen;
        public readonly WebhookReceiveSummary Summary = new WebhookReceiveSummary();
        public Exception Fatal;
        public Task Stopped => stopped.Task;

        public Run(WebhookReceiver owner, Action<WebhookEvent> onEvent, Action<string, WebhookFormatException> onUnreadable, IRrLog log)
        {
            this.owner = owner;
            this.onEvent = onEvent ?? throw new ArgumentNullException(nameof(onEvent));
            this.onUnreadable = onUnreadable ?? ((body, error) => { });
            this.log = log;
            Seen = new DedupeSet(owner.options.DedupeCapacity);
            var slotCount = Math.Max(1, owner.options.MaxConcurrentDeliveries);
            slots = new SemaphoreSlim(slotCount);
            maxInFlight = 2 * slotCount; // as many waiting as handled
        }

        public void Stop()
        {
            // Deliveries waiting for a slot give up at once; cancelled on the pool, since Stop is called under the gate.
            if (stopped.TrySetResult(true)) ThreadPool.QueueUserWorkItem(_ => stopping.Cancel());
        }

        public async Task HandleAsync(HttpListenerContext context)
        {
            var request = context.Request;
            var what = $"{request.HttpMethod} {request.Url?.AbsolutePath} from {request.RemoteEndPoint}";
            if (owner.healthPath != null && request.HttpMethod == "GET" && string.Equals(request.Url?.AbsolutePath, owner.healthPath, StringComparison.Ordinal))
            {
                try { await AnswerHealthAsync(context.Response).ConfigureAwait(false); }
                catch (Exception e)
                {
                    log.Verbose($"{what}: the health answer failed ({e.GetType().Name}: {e.Message})");
                    Fail(context.Response);
                }
                return;
            }
            var admitted = false;
            try
            {
                // A busy slot is freed within the time limit of its holder, admitted before this delivery arrived; so
                // waiting twice the limit (the second for closing and releasing it on a loaded machine) lets a genuine
                // delivery through even when stalled senders hold every slot. The number waiting is bounded too.
                if (Interlocked.Increment(ref inFlight) <= maxInFlight && !(admitted = slots.Wait(0)))
                {
                    log.Debug($"{what}: every slot is busy; waiting for one");
                    try { admitted = await slots.WaitAsync(TimeSpan.FromTicks(owner.options.DeliveryTimeout.Ticks * 2), stopping.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { /* stopping: refused below */ }
                }
                if (admitted) log.Debug($"{what}: admitted");
                var (status, message) = admitted ? await DecideAsync(context).ConfigureAwait(false) : Refuse(WebhookRefusal.Busy, "Too many deliveries at once; deliver again later.");
                log.Verbose($"{what}: {status} {message}");
                if (status == CutOff) return; // the connection is already closed
                // Refusals tell the sender only the status: the detailed reason (which names the registered URL) stays in -Verbose.
                // They also close the connection, so HttpListener does not read on through a body nobody wants.
                if (status != 200) context.Response.KeepAlive = false;
                await RespondAsync(context.Response, status, status == 401 ? "The delivery is not correctly signed." : message).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Whatever went wrong, the delivery was not acknowledged: the sender must get a 5xx and retry. The
                // status is set explicitly because HttpListener answers 200 to a response it is told to abort.
                log.Verbose($"{what}: answered 500 ({e.GetType().Name}: {e.Message})");
                Fail(context.Response);
            }
            finally
            {
                if (admitted) slots.Release();
                Interlocked.Decrement(ref inFlight);
            }
        }

        /// <summary>The status of a delivery whose sender was cut off: nothing is answered.</summary>
        private const int CutOff = 408;

        private async Task<(int, string)> DecideAsync(HttpListenerContext context)
        {
            var request = context.Request;
            if (!string.Equals(request.HttpMethod, "POST", StringComparison.Ordinal))
                return Refuse(WebhookRefusal.NotSigned, "Only signed POST requests are accepted.");
            var max = owner.options.MaxBodyBytes;
            // A somewhat larger body is read (within the time limit) and discarded, so the sender gets a clean 413
            // rather than a reset connection; a far larger one is refused at once.
            var drainLimit = max * 4;
            if (request.ContentLength64 > drainLimit) return Refuse(WebhookRefusal.TooLarge, $"The body is larger than {max} bytes.");
            var timestamp = request.Headers[WebhookSignature.TimestampHeader];
            var signature = request.Headers[WebhookSignature.SignatureHeader];
            // Unsigned requests are refused before their body is read.
            if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
                return Refuse(WebhookRefusal.NotSigned, $"The {WebhookSignature.TimestampHeader} or {WebhookSignature.SignatureHeader} header is missing.");
            byte[] body;
            using (var cutOff = new SenderCutOff(context.Response, owner.options.DeliveryTimeout))
            {
                try { body = await ReadBoundedAsync(request.InputStream, max, drainLimit).ConfigureAwait(false); }
                catch (Exception) when (cutOff.HasFired) { body = null; }
                if (!cutOff.Finish())
                    return Refuse(WebhookRefusal.TooSlow, $"The body did not arrive within {owner.options.DeliveryTimeout}: the connection was closed.", CutOff);
            }
            if (body == null) return Refuse(WebhookRefusal.TooLarge, $"The body is larger than {max} bytes.");

            var receivedAt = DateTimeOffset.UtcNow;
            WebhookVerification verification;
            owner.verifier.RenewKeys(log); // a rotated key in the key file counts from this delivery on
            try { verification = owner.verifier.Verify(timestamp, signature, body, receivedAt); }
            catch (WebhookFormatException e) { return Refuse(WebhookRefusal.Malformed, e.Message); }
            if (verification.Result == WebhookCheck.SignatureMismatch)
            {
                WarnFirstMismatch(request);
                return Refuse(WebhookRefusal.SignatureMismatch, verification.Reason);
            }
            if (!verification.IsValid) return Refuse(WebhookRefusal.ClockSkew, verification.Reason);

            WebhookEvent evt = null;
            WebhookFormatException unreadable = null;
            string key;
            // One parse makes the event, its payload, and the dedupe key of a body that is not an event.
            using (var parsed = WebhookBody.Read(body))
            {
                try { evt = WebhookParser.Parse(parsed, owner.options.PayloadOf); }
                catch (WebhookFormatException e) { unreadable = e; }
                key = evt?.DedupeKey ?? WebhookParser.DedupeKeyOf(parsed);
            }

            lock (owner.gate)
            {
                if (Stopped.IsCompleted)
                    return (503, "The receiver is stopping; deliver again later.");
                if (Seen.Contains(key))
                {
                    Summary.Duplicates++;
                    return (200, $"Duplicate of {key}: dropped.");
                }
                try
                {
                    File?.Append(new WebhookRecord { ReceivedAt = receivedAt, EndpointUri = owner.verifier.EndpointUri, Timestamp = timestamp, Signature = signature, Body = body });
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // Acknowledging an event that is not on disk would lose it: refuse it (Return Helper retries) and stop.
                    Fatal = new IOException($"Cannot append to the webhook file '{File.Path}': {e.Message}", e);
                    Stop();
                    return (500, "The event could not be recorded.");
                }
                try
                {
                    if (evt == null) onUnreadable(WebhookParser.Text(body), unreadable);
                    else
                    {
                        evt.ReceivedAt = receivedAt.UtcDateTime;
                        onEvent(evt);
                    }
                }
                catch (Exception e)
                {
                    // Not handed on: refused so Return Helper retries (the journal, if any, has it), and the run
                    // stops, since a consumer that fails once would lose the next events too.
                    Fatal = new InvalidOperationException(Sentence.Join("A received event could not be handed on:", Sentence.Of(e)), e);
                    Stop();
                    return (500, "The event could not be handed on.");
                }
                Seen.Add(key);
                if (evt == null) return (200, $"Signed but not an event: {unreadable.Message}");
                Summary.Events++;
                if (owner.options.Count.HasValue && Summary.Events >= owner.options.Count.Value)
                {
                    Summary.CountReached = true;
                    Stop();
                }
                return (200, $"{evt.Category}/{evt.Action} ({key})");
            }
        }

        /// <summary>
        /// The health probe: no signature needed, so it says nothing secret (no key, no token, no event content):
        /// status (ok; degraded while processing retries a failure; stopping), uptime, counts, the last processing error.
        /// </summary>
        private async Task AnswerHealthAsync(HttpListenerResponse response)
        {
            var processing = owner.ProcessingHealth;
            var now = DateTimeOffset.UtcNow;
            byte[] json;
            using (var buffer = new MemoryStream())
            {
                using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
                {
                    w.WriteStartObject();
                    w.WriteString("status", Stopped.IsCompleted ? "stopping" : processing != null && !processing.IsHealthy ? "degraded" : "ok");
                    w.WriteString("startedAt", startedAt.UtcDateTime);
                    w.WriteNumber("uptimeSeconds", Math.Round((now - startedAt).TotalSeconds, 1));
                    w.WriteString("endpointUri", owner.verifier.EndpointUri);
                    w.WriteNumber("signingKeys", owner.verifier.KeyCount);
                    lock (owner.gate)
                    {
                        w.WriteStartObject("received");
                        w.WriteNumber("events", Summary.Events);
                        w.WriteNumber("duplicates", Summary.Duplicates);
                        w.WriteEndObject();
                        w.WriteStartObject("refused");
                        w.WriteNumber("total", Summary.Refused);
                        foreach (var reason in Summary.RefusedBy) w.WriteNumber(reason.Key.ToString(), reason.Value);
                        w.WriteEndObject();
                    }
                    processing?.WriteHealth(w);
                    w.WriteEndObject();
                }
                json = buffer.ToArray();
            }
            response.StatusCode = 200;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength64 = json.Length;
            await response.OutputStream.WriteAsync(json, 0, json.Length).ConfigureAwait(false);
            response.Close();
        }

        private (int, string) Refuse(WebhookRefusal reason, string message, int status = 0)
        {
            string note = null;
            lock (owner.gate)
            {
                Summary.AddRefused(reason);
                // The log file gets a running count at most once a minute, not a line per refusal (a flood would fill it).
                var now = DateTimeOffset.UtcNow;
                if (now - lastRefusalNote >= TimeSpan.FromMinutes(1))
                {
                    lastRefusalNote = now;
                    note = $"Since the start: {Summary.RefusedText()} (latest: {reason}).";
                }
            }
            if (note != null) log.Note(note);
            return (status != 0 ? status : reason == WebhookRefusal.TooLarge ? 413 : reason == WebhookRefusal.Busy ? 503 : 401, message);
        }

        /// <summary>
        /// A wrong -EndpointUri or key refuses every delivery, and Return Helper suspends an endpoint after 10 failed
        /// deliveries: the first mismatch is said out loud, once per run (the rest stay in -Verbose and the summary).
        /// </summary>
        private void WarnFirstMismatch(HttpListenerRequest request)
        {
            if (Interlocked.Exchange(ref mismatchWarned, 1) != 0) return;
            log.Warning($"A delivery from {request.RemoteEndPoint} has a well-formed signature that does not match (answered 401). "
                + $"Return Helper signs \"POST\" + the endpoint URL exactly as registered + the timestamp header + the raw body, with the webhook signing key. "
                + $"If genuine deliveries are refused, the URL registered with Return Helper is not '{owner.verifier.EndpointUri}' "
                + "(compare scheme, host, port, path, case and trailing slash; the local listener prefix does not matter), "
                + "or the signing key is not the webhook signing key from the User Portal. Return Helper suspends an endpoint after 10 failed deliveries.");
        }

        /// <summary>The body, or null when it is larger than <paramref name="max"/> (then read on, unbuffered, up to <paramref name="drainLimit"/>).</summary>
        private static async Task<byte[]> ReadBoundedAsync(Stream input, long max, long drainLimit)
        {
            using (var buffer = new MemoryStream())
            {
                var chunk = new byte[16 * 1024];
                long total = 0;
                int read;
                while (total <= drainLimit && (read = await input.ReadAsync(chunk, 0, chunk.Length).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total <= max) buffer.Write(chunk, 0, read);
                }
                return total <= max ? buffer.ToArray() : null;
            }
        }

        /// <summary>A bare 500 (no details: the sender only needs to retry), or a reset connection if even that cannot be sent.</summary>
        private static void Fail(HttpListenerResponse response)
        {
            try
            {
                response.StatusCode = 500;
                response.ContentLength64 = 0;
                response.Close();
            }
            catch (Exception)
            {
                // Headers already sent or the client gone: resetting is all that is left.
                try { response.Abort(); }
                catch (Exception) { /* already gone */ }
            }
        }

        private static async Task RespondAsync(HttpListenerResponse response, int status, string message)
        {
            // The reason goes back to the sender (it is never secret: the key is not in any message).
            var json = Encoding.UTF8.GetBytes("{\"status\":" + status + ",\"message\":" + System.Text.Json.JsonSerializer.Serialize(message) + "}");
            response.StatusCode = status;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength64 = json.Length;
            await response.OutputStream.WriteAsync(json, 0, json.Length).ConfigureAwait(false);
            response.Close();
        }
    }
}

/// <summary>The listener could not start; <see cref="AccessDenied"/> when HTTP.sys refused the prefix to this user.</summary>
internal sealed class WebhookListenException : InvalidOperationException
{
    public bool AccessDenied { get; }

    public WebhookListenException(string message, HttpListenerException inner, bool accessDenied) : base(message, inner)
        => AccessDenied = accessDenied;
}

/// <summary>
/// The per-delivery time limit. HttpListener's request stream ignores cancellation tokens (on Linux and on Windows),
/// so a sender that stalls would hold its read, and its slot, for ever: when the limit passes, the connection is
/// aborted (after a 408 where the listener sends one), which fails or ends the pending read on both the managed listener and HTTP.sys.
/// </summary>
internal sealed class SenderCutOff : IDisposable
{
    private const int Sending = 0, Finished = 1, Fired = 2;
    private readonly HttpListenerResponse response;
    private readonly Timer timer;
    private int state;

    public SenderCutOff(HttpListenerResponse response, TimeSpan limit)
    {
        this.response = response;
        timer = new Timer(_ => Fire(), null, limit, System.Threading.Timeout.InfiniteTimeSpan);
    }

    public bool HasFired => Volatile.Read(ref state) == Fired;

    /// <summary>Ends the limit; false when the sender was already cut off (then its body, if any, is not to be used).</summary>
    public bool Finish() => Interlocked.CompareExchange(ref state, Finished, Sending) == Sending;

    private void Fire()
    {
        if (Interlocked.CompareExchange(ref state, Fired, Sending) != Sending) return;
        try
        {
            // The managed listener writes the response headers as it aborts (by default 200, which would tell a
            // slow genuine sender its event was taken): make them a 408. HTTP.sys just resets the connection.
            response.StatusCode = 408;
            response.KeepAlive = false;
            response.ContentLength64 = 0;
        }
        catch (Exception) { /* headers already sent or the connection gone: aborting is what matters */ }
        try { response.Abort(); }
        catch (Exception) { /* the connection is already gone */ }
    }

    public void Dispose() => timer.Dispose();
}

/// <summary>A set of recent keys with a fixed capacity: the oldest key is forgotten first.</summary>
internal sealed class DedupeSet
{
    public int Count => keys.Count;

    private readonly HashSet<string> keys = new HashSet<string>(StringComparer.Ordinal);
    private readonly Queue<string> order = new Queue<string>();
    private readonly int capacity;

    public DedupeSet(int capacity) => this.capacity = Math.Max(1, capacity);

    public bool Contains(string key) => keys.Contains(key);

    public void Add(string key)
    {
        if (!keys.Add(key)) return;
        order.Enqueue(key);
        if (order.Count > capacity) keys.Remove(order.Dequeue());
    }
}
