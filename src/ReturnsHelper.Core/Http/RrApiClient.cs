using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Hosting;

namespace ReturnsHelper.Http;

/// <summary>
/// The one HTTP pipeline: credentials and User-Agent headers, retries with backoff and Retry-After,
/// envelope checking, error mapping and logging. One instance (one HttpClient) per session.
/// </summary>
internal sealed class RrApiClient : IDisposable
{
    private const int MaxLoggedBody = 4096;

    private readonly HttpClient http;
    private readonly RrEndpoints endpoints;
    private readonly string apiKey;
    private SecureString apiToken; // replaced when the token file (if any) changes
    private SecureString retiredToken; // the one it replaced, still redacted in case the service echoes it
    private readonly object tokenGate = new object();
    private readonly string userAgent;

    /// <summary>The file the token is re-read from when it changes or after a 401 (Connect-RrService -TokenPath), or null.</summary>
    internal ApiTokenFile TokenFile { get; set; }

    public RetryPolicy Policy { get; }

    private int maxResponseBytes = AnswerBody.DefaultMaxBytes;

    /// <summary>
    /// The largest answer the client reads (Connect-RrService -MaxResponseMB). A larger one is an error
    /// (InvalidResponse) as soon as its Content-Length or its bytes pass the limit, and is not retried.
    /// </summary>
    public int MaxResponseBytes
    {
        get => maxResponseBytes;
        set => maxResponseBytes = value > 0 ? value : throw new ArgumentException("The response size limit must be positive.");
    }
    /// <summary>How the client waits between attempts; replaced in tests to run without real sleeps.</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;
    internal Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;
    /// <summary>A monotonic time for the retry time limit; replaced in tests together with <see cref="Delay"/>.</summary>
    internal Func<TimeSpan> Elapsed { get; set; } = () => TimeSpan.FromSeconds(Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency);

    public RrApiClient(RrEndpoints endpoints, string apiKey, SecureString apiToken, string userAgent, RetryPolicy policy, HttpMessageHandler handler = null)
    {
        this.endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        this.apiKey = apiKey ?? throw new ArgumentNullException(nameof(apiKey));
        this.apiToken = apiToken ?? throw new ArgumentNullException(nameof(apiToken));
        this.apiToken.MakeReadOnly();
        this.userAgent = userAgent;
        Policy = policy ?? new RetryPolicy();
        var transport = TransportSettings.For(HostRequirements.CurrentEdition);
        http = new HttpClient(handler ?? transport.CreateHandler())
        {
            Timeout = Timeout.InfiniteTimeSpan, // per-attempt timeouts come from the policy
        };
        transport.Apply(http);
    }

    public RrEndpoints Endpoints => endpoints;

    public Task<RrResponse> SendAsync(RrRequest request, IRrLog log, CancellationToken cancellationToken)
        => SendAsync(request, Secrets(), log, cancellationToken);

    /// <summary>The credentials as text, made once per request (see <see cref="RequestSecrets"/>).</summary>
    internal RequestSecrets Secrets()
    {
        lock (tokenGate) return new RequestSecrets(apiKey, apiToken, retiredToken);
    }

    private async Task<RrResponse> SendAsync(RrRequest request, RequestSecrets secrets, IRrLog log, CancellationToken cancellationToken)
    {
        log = log ?? NullLog.Instance;
        var started = Elapsed();
        var url = BuildUrl(request);
        if (log.IsDebugEnabled && request.Body != null)
            log.Debug($"{request} request body: {Excerpt(new ArraySegment<byte>(request.Body), MaxLoggedBody, secrets)}");

        var renewedAfterRefusal = false;
        for (var attempt = 1; ; attempt++)
        {
            RenewToken(force: false, log);
            SecureString sentWith;
            lock (tokenGate)
            {
                // The token changed (a rotation, here or in a concurrent request): this request's text copy follows it.
                sentWith = apiToken;
                if (!secrets.IsFrom(sentWith)) secrets.Use(sentWith, retiredToken);
            }
            var watch = Stopwatch.StartNew();
            HttpStatusCode? status = null;
            TimeSpan? retryAfter = null;
            var body = new ArraySegment<byte>(new byte[0]);
            string contentType = null;
            Uri location = null;
            Exception failure = null;
            string failureText = null; // redacted where it comes from outside; our own wording is not
            string tlsProblem = null;
            AnswerBody.TooLargeException tooLarge = null;
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (var message = BuildMessage(request, url, secrets.ApiToken))
            {
                attemptCts.CancelAfter(Policy.AttemptTimeout);
                try
                {
                    using (var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, attemptCts.Token).ConfigureAwait(false))
                    {
                        status = response.StatusCode;
                        contentType = response.Content?.Headers.ContentType?.MediaType;
                        retryAfter = RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, Clock());
                        location = response.Headers.Location;
                        // A redirect's body is never used; any other answer is read up to the limit.
                        if (!IsRedirect((int)status.Value) && response.Content != null)
                            using (attemptCts.Token.Register(response.Dispose)) // .NET Framework's response stream ignores the token: closing it ends a stalled read
                                body = await AnswerBody.ReadAsync(response.Content, MaxResponseBytes, attemptCts.Token).ConfigureAwait(false);
                    }
                }
                catch (AnswerBody.TooLargeException e)
                {
                    tooLarge = e;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e) when (cancellationToken.IsCancellationRequested && (e is ObjectDisposedException || e is IOException || e is HttpRequestException))
                {
                    throw new OperationCanceledException(cancellationToken); // the read ended by closing the response (above)
                }
                catch (Exception e) when (e is OperationCanceledException
                    || (attemptCts.IsCancellationRequested && (e is ObjectDisposedException || e is IOException || e is HttpRequestException)))
                {
                    failure = new TimeoutException($"no answer within {Policy.AttemptTimeout.TotalSeconds:0.#} s");
                    failureText = failure.Message;
                }
                catch (Exception e) when (e is HttpRequestException || e is IOException)
                {
                    failure = e;
                    failureText = secrets.Redact(Describe(e));
                    tlsProblem = secrets.Redact(TlsProblem(e));
                }
            }

            var outcome = failure != null ? "failed: " + failureText : $"{(int)status.Value} {status.Value}";
            log.Verbose($"{request} -> {outcome} in {watch.ElapsedMilliseconds} ms (attempt {attempt} of {Policy.MaxAttempts})");

            // A certificate the client refuses is refused again: only other transport failures are worth another attempt.
            if (tlsProblem != null)
                throw new RrApiException(RrErrorKind.Transport, Sentence.Join($"{request} failed:", tlsProblem), request.Method, request.Path);
            if (tooLarge != null)
                throw Error(RrErrorKind.InvalidResponse, $"{request} returned HTTP {(int)status.Value} with an answer larger than the limit of {SizeText(MaxResponseBytes)}"
                    + (tooLarge.DeclaredLength.HasValue ? $" (Content-Length {tooLarge.DeclaredLength.Value} bytes)" : "")
                    + "; it was not read further.", request, (int)status.Value, null, secrets, hint: RrErrorHint.RaiseResponseLimit);

            var retryable = failure != null || RetryPolicy.IsRetryableStatus((int)status.Value);
            if (retryable)
            {
                var wait = Policy.Backoff(attempt + 1, retryAfter);
                var reason = NoRetryReason(request, attempt, Elapsed() - started + wait);
                if (reason == null)
                {
                    log.Verbose($"{request}: retrying in {wait.TotalMilliseconds:0} ms{(retryAfter.HasValue ? " (server asked Retry-After " + retryAfter.Value.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s)" : "")}"
                        + (request.IdempotencyKey != null ? " with the same idempotency key" : ""));
                    await Delay(wait, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                log.Verbose($"{request}: not retrying: {reason}");
            }

            if (failure != null)
                throw new RrApiException(RrErrorKind.Transport,
                    Sentence.Join($"{request} failed after {attempt} attempt(s) over {(Elapsed() - started).TotalSeconds:0.0} s:", failureText),
                    request.Method, request.Path, inner: failure);
            try
            {
                return Interpret(request, url, (int)status.Value, contentType, location, body, secrets, log);
            }
            catch (RrApiException e) when (e.Kind == RrErrorKind.Unauthorized && TokenFile != null && !renewedAfterRefusal && (RenewToken(force: true, log) || !ReferenceEquals(sentWith, apiToken)))
            {
                // Refused credentials mean nothing was done, so the request is sent again, once, with the new token
                // (renewed now, or by a concurrent request since this one was sent).
                renewedAfterRefusal = true;
                log.Verbose($"{request}: refused ({e.HttpStatus}); sending it again with the new token from {TokenFile.Path}");
            }
        }
    }

    /// <summary>
    /// Takes the token file's new token, if it has one (or, with <paramref name="force"/>, re-reads it whatever its
    /// time stamp): true when the token changed. A file that cannot be read keeps the current token, with a warning.
    /// </summary>
    private bool RenewToken(bool force, IRrLog log)
    {
        var file = TokenFile;
        if (file == null) return false;
        var fresh = file.ReadIfChanged(force, out var problem);
        if (problem != null) log.Warning(problem);
        if (fresh == null) return false;
        lock (tokenGate)
        {
            if (SameText(fresh, apiToken)) return false;
            retiredToken = apiToken;
            apiToken = fresh;
        }
        log.Verbose($"Using the new API token from {file.Path}.");
        return true;
    }

    private static bool SameText(SecureString a, SecureString b)
        => string.Equals(new NetworkCredential(string.Empty, a).Password, new NetworkCredential(string.Empty, b).Password, StringComparison.Ordinal);

    private string NoRetryReason(RrRequest request, int attempt, TimeSpan elapsedAfterWait)
    {
        if (!request.IsRetrySafe) return "a POST without an idempotency key is never repeated";
        if (attempt >= Policy.MaxAttempts) return $"reached the maximum of {Policy.MaxAttempts} attempts";
        if (elapsedAfterWait > Policy.MaxRetryTime) return $"the next attempt would pass the retry time limit of {Policy.MaxRetryTime.TotalSeconds:0.#} s";
        return null;
    }

    private RrResponse Interpret(RrRequest request, Uri url, int status, string contentType, Uri location, ArraySegment<byte> body, RequestSecrets secrets, IRrLog log)
    {
        if (IsRedirect(status))
            throw Error(RrErrorKind.HttpError, $"{request} was redirected (HTTP {status}) to {secrets.Redact(RedirectTarget(url, location))}, which the module never follows because the API key and token would be sent there too.",
                request, status, null, secrets, hint: RrErrorHint.ConnectToNewAddress);
        if (log.IsDebugEnabled)
            log.Debug($"{request} response body: {Excerpt(body, MaxLoggedBody, secrets)}");

        // Bytes from the network are data: whatever cannot be read becomes this request's InvalidResponse (or its
        // status's error), with the correlation id when one can be read, never another exception type.
        JsonDocument document = null;
        Envelope envelope = null;
        string correlationId = null;
        var parseProblem = body.Count == 0 ? "an empty body" : AnswerBody.Utf8Problem(body);
        if (parseProblem == null)
        {
            try
            {
                document = JsonDocument.Parse(WithoutByteOrderMark(body));
            }
            catch (JsonException)
            {
                parseProblem = $"a body that is not valid JSON ({secrets.Redact(contentType) ?? "no content type"}, {body.Count} bytes, starting \"{Printable(Excerpt(body, 80, secrets))}\")";
            }
        }
        else if (body.Count > 0)
        {
            // Not UTF-8, so not used; but its correlation id may still be readable, and it is what support asks for.
            try { using (var unusable = JsonDocument.Parse(WithoutByteOrderMark(body))) correlationId = CorrelationIdOf(unusable.RootElement); }
            catch (JsonException) { }
        }
        if (document != null)
        {
            try
            {
                envelope = Envelope.Read(document.RootElement);
                correlationId = envelope?.CorrelationId;
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                parseProblem = "an envelope that cannot be read (" + secrets.Redact(Sentence.Of(e)).TrimEnd('.') + ")";
                correlationId = CorrelationIdOf(document.RootElement);
                document.Dispose();
                document = null;
            }
        }

        var success = status >= 200 && status < 300;
        if (!success)
        {
            document?.Dispose();
            var kind = KindForStatus(status);
            var what = envelope != null ? "" : parseProblem != null ? " with " + parseProblem : " without the response envelope";
            throw Error(kind, $"{request} failed with HTTP {status}{what}.", request, status, envelope, secrets, correlationId);
        }
        if (document == null)
            throw Error(RrErrorKind.InvalidResponse, $"{request} returned HTTP {status} with {parseProblem}.", request, status, null, secrets, correlationId);
        if (envelope == null)
        {
            document.Dispose();
            throw Error(RrErrorKind.InvalidResponse, $"{request} returned HTTP {status} but the body is not the Return Helper envelope (no meta.status).", request, status, null, secrets);
        }
        if (envelope.MetaStatus < 200 || envelope.MetaStatus >= 300 || !string.IsNullOrEmpty(envelope.ErrorCode))
        {
            document.Dispose();
            var kind = envelope.MetaStatus == 401 || envelope.MetaStatus == 403 ? RrErrorKind.Unauthorized
                : envelope.MetaStatus == 404 ? RrErrorKind.NotFound
                : envelope.MetaStatus == 409 ? RrErrorKind.Conflict
                : RrErrorKind.SoftError;
            throw Error(kind, $"Return Helper rejected {request}.", request, status, envelope, secrets);
        }
        log.Verbose($"{request}: meta.status {envelope.MetaStatus}, correlation id {secrets.Redact(envelope.CorrelationId)}");
        return new RrResponse(document, status, envelope.CorrelationId);
    }

    /// <summary>
    /// Sends <paramref name="request"/> and turns its answer into a result with <paramref name="read"/>. This is
    /// where every answer becomes models: whatever <paramref name="read"/> cannot make of the answer (a wrong type,
    /// a string that is not UTF-16, a number out of range) becomes this request's <see cref="RrApiException"/>
    /// (InvalidResponse; for a write, outcome unknown), so one unreadable answer fails its own request and no more.
    /// </summary>
    public async Task<T> SendAsync<T>(RrRequest request, Func<RrResponse, T> read, IRrLog log, CancellationToken cancellationToken)
    {
        var secrets = Secrets();
        using (var response = await SendAsync(request, secrets, log, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                return read(response);
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                throw new RrApiException(RrErrorKind.InvalidResponse,
                    Sentence.Join($"{request} returned HTTP {response.HttpStatus} with an answer that cannot be read:", secrets.Redact(Sentence.Of(e))),
                    request.Method, request.Path, response.HttpStatus, correlationId: secrets.Redact(response.CorrelationId));
            }
        }
    }

    /// <summary>
    /// An exception that reading an answer can raise on bad content (System.Text.Json throws InvalidOperationException
    /// for invalid text and wrong kinds, others FormatException, OverflowException...). The module's own error and
    /// cancellation pass through; no inner exception is kept, its message is in ours (redacted).
    /// </summary>
    private static bool IsUnreadable(Exception e) => !(e is RrApiException || e is OperationCanceledException || e is OutOfMemoryException);

    private static string CorrelationIdOf(JsonElement root)
    {
        try { return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("correlationId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null; }
        catch (InvalidOperationException) { return null; }
    }

    private static bool IsRedirect(int status) => status >= 300 && status < 400 && status != 304;

    /// <summary>Where a redirect points, as scheme://host/path: its query could hold anything, so it is not shown.</summary>
    private static string RedirectTarget(Uri requestUrl, Uri location)
    {
        if (location == null) return "no address (the answer has no Location header)";
        var target = location.IsAbsoluteUri ? location : new Uri(requestUrl, location);
        return target.GetLeftPart(UriPartial.Path);
    }

    /// <summary>
    /// Why the TLS handshake failed, or null when <paramref name="e"/> is another transport failure. .NET reports it as an
    /// AuthenticationException inside the HttpRequestException; .NET Framework as a WebException with TrustFailure or
    /// SecureChannelFailure.
    /// </summary>
    internal static string TlsProblem(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
        {
            var handshake = x is System.Security.Authentication.AuthenticationException
                || (x is WebException web && (web.Status == WebExceptionStatus.TrustFailure || web.Status == WebExceptionStatus.SecureChannelFailure));
            if (!handshake) continue;
            var reason = Sentence.Of(x.InnerException is System.Security.Authentication.AuthenticationException inner ? inner : x);
            return reason.IndexOf("certificate", StringComparison.OrdinalIgnoreCase) >= 0
                ? "the server's TLS certificate was not accepted: " + reason
                : "the TLS handshake with the server failed: " + reason;
        }
        return null;
    }

    /// <param name="message">Our wording, with anything from the answer in it already redacted.</param>
    private static RrApiException Error(RrErrorKind kind, string message, RrRequest request, int status, Envelope envelope, RequestSecrets secrets,
        string correlationId = null, RrErrorHint hint = RrErrorHint.None)
    {
        Dictionary<string, string> errors = null;
        if (envelope != null)
        {
            errors = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var e in envelope.Errors) errors[secrets.Redact(e.Key)] = secrets.Redact(e.Value);
        }
        // One sentence: the service's own words for what is wrong end it; its code, map and correlation id are properties.
        if (errors != null && errors.Count > 0) message = Sentence.Join(message.TrimEnd('.') + ":", string.Join(" ", errors.Values.Distinct()));
        return new RrApiException(kind, message, request.Method, request.Path, status, envelope?.MetaStatus, secrets.Redact(envelope?.ErrorCode),
            errors, secrets.Redact(envelope?.CorrelationId ?? correlationId), hint: hint);
    }

    private static RrErrorKind KindForStatus(int status)
    {
        if (status == 401 || status == 403) return RrErrorKind.Unauthorized;
        if (status == 404) return RrErrorKind.NotFound;
        if (status == 409) return RrErrorKind.Conflict;
        if (status == 429) return RrErrorKind.Throttled;
        if (status >= 500) return RrErrorKind.ServerError;
        return RrErrorKind.HttpError;
    }

    private Uri BuildUrl(RrRequest request)
    {
        var baseUri = request.Api == RrApiKind.Public ? endpoints.PublicBase : endpoints.UserBase;
        var sb = new StringBuilder(baseUri.AbsoluteUri).Append(request.Path);
        var first = true;
        foreach (var kv in request.Query)
        {
            sb.Append(first ? '?' : '&').Append(Uri.EscapeDataString(kv.Key)).Append('=').Append(Uri.EscapeDataString(kv.Value ?? ""));
            first = false;
        }
        return new Uri(sb.ToString());
    }

    private HttpRequestMessage BuildMessage(RrRequest request, Uri url, string token)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), url);
        message.Headers.TryAddWithoutValidation("x-rr-apikey", apiKey);
        message.Headers.TryAddWithoutValidation("x-rr-apitoken", token);
        if (!string.IsNullOrEmpty(userAgent)) message.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        message.Headers.Accept.ParseAdd("application/json");
        if (request.IdempotencyKey != null) message.Headers.TryAddWithoutValidation("x-returnhelper-idempotency-key", request.IdempotencyKey);
        if (request.Body != null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        return message;
    }

    /// <summary>The start of a body for a log line or message, redacted, decoded only as far as needed.</summary>
    private static string Excerpt(ArraySegment<byte> body, int maxChars, RequestSecrets secrets)
        => AnswerBody.Excerpt(body, maxChars, secrets.MarginBytes, secrets.Redact);

    private static string SizeText(int bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes} bytes";

    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var x = e; x != null; x = x.InnerException)
            if (!messages.Contains(x.Message)) messages.Add(x.Message);
        return string.Join(" -> ", messages);
    }

    /// <summary>Some servers prefix JSON with a UTF-8 byte-order mark, which JsonDocument refuses.</summary>
    private static ReadOnlyMemory<byte> WithoutByteOrderMark(ArraySegment<byte> body)
        => body.Count >= 3 && body.Array[body.Offset] == 0xEF && body.Array[body.Offset + 1] == 0xBB && body.Array[body.Offset + 2] == 0xBF
            ? new ReadOnlyMemory<byte>(body.Array, body.Offset + 3, body.Count - 3) : new ReadOnlyMemory<byte>(body.Array, body.Offset, body.Count);

    private static string Printable(string text)
    {
        if (text.Length > 80) text = text.Substring(0, 80);
        return new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
    }

    public void Dispose() => http.Dispose();
}
