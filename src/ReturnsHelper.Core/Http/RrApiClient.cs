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

namespace ReturnsHelper.Http
{
    /// <summary>
    /// The one HTTP pipeline: credentials and User-Agent headers, retries with backoff and Retry-After,
    /// envelope checking, error mapping and logging. One instance (one HttpClient) per session.
    /// </summary>
    public sealed class RrApiClient : IDisposable
    {
        const int MaxLoggedBody = 4096;

        readonly HttpClient http;
        readonly RrEndpoints endpoints;
        readonly string apiKey;
        readonly SecureString apiToken;
        readonly string userAgent;

        public RetryPolicy Policy { get; }
        /// <summary>How the client waits between attempts; replaced in tests to run without real sleeps.</summary>
        internal Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;
        internal Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

        public RrApiClient(RrEndpoints endpoints, string apiKey, SecureString apiToken, string userAgent, RetryPolicy policy, HttpMessageHandler handler = null)
        {
            this.endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
            this.apiKey = apiKey ?? throw new ArgumentNullException(nameof(apiKey));
            this.apiToken = apiToken ?? throw new ArgumentNullException(nameof(apiToken));
            this.apiToken.MakeReadOnly();
            this.userAgent = userAgent;
            Policy = policy ?? new RetryPolicy();
            http = new HttpClient(handler ?? DefaultHandler())
            {
                Timeout = Timeout.InfiniteTimeSpan, // per-attempt timeouts come from the policy
            };
        }

        public RrEndpoints Endpoints => endpoints;

        /// <summary>
        /// The session's handler. Connections per server are raised to the highest -ThrottleLimit: on .NET Framework
        /// (Windows PowerShell 5.1) the default is 2 per host, which would quietly cap every command at 2 requests.
        /// </summary>
        internal static HttpClientHandler DefaultHandler()
        {
            var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate };
            try { handler.MaxConnectionsPerServer = RrSession.MaxThrottleLimit; }
            catch (PlatformNotSupportedException) { /* a platform without the setting has no such cap either */ }
            return handler;
        }

        public async Task<RrResponse> SendAsync(RrRequest request, IRrLog log, CancellationToken cancellationToken)
        {
            log = log ?? NullLog.Instance;
            var total = Stopwatch.StartNew();
            var url = BuildUrl(request);
            if (log.IsDebugEnabled && request.Body != null)
                log.Debug($"{request} request body: {Truncate(Redact(Encoding.UTF8.GetString(request.Body)))}");

            for (var attempt = 1; ; attempt++)
            {
                var watch = Stopwatch.StartNew();
                HttpStatusCode? status = null;
                TimeSpan? retryAfter = null;
                byte[] body = null;
                string contentType = null;
                Exception failure = null;
                using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                using (var message = BuildMessage(request, url))
                {
                    attemptCts.CancelAfter(Policy.AttemptTimeout);
                    try
                    {
                        using (var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, attemptCts.Token).ConfigureAwait(false))
                        {
                            status = response.StatusCode;
                            contentType = response.Content.Headers.ContentType?.MediaType;
                            retryAfter = RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, Clock());
                            body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                        }
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (OperationCanceledException)
                    {
                        failure = new TimeoutException($"no answer within {Policy.AttemptTimeout.TotalSeconds:0.#} s");
                    }
                    catch (Exception e) when (e is HttpRequestException || e is IOException)
                    {
                        failure = e;
                    }
                }

                var outcome = failure != null ? "failed: " + Redact(Describe(failure)) : $"{(int)status.Value} {status.Value}";
                log.Verbose($"{request} -> {outcome} in {watch.ElapsedMilliseconds} ms (attempt {attempt} of {Policy.MaxAttempts})");

                var retryable = failure != null || RetryPolicy.IsRetryableStatus((int)status.Value);
                if (retryable)
                {
                    var wait = Policy.Backoff(attempt + 1, retryAfter);
                    var reason = NoRetryReason(request, attempt, total.Elapsed + wait);
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
                        Redact(Sentence.Join($"{request} failed after {attempt} attempt(s) over {total.Elapsed.TotalSeconds:0.0} s:", Describe(failure))),
                        request.Method, request.Path, inner: failure);
                return Interpret(request, (int)status.Value, contentType, body, log);
            }
        }

        string NoRetryReason(RrRequest request, int attempt, TimeSpan elapsedAfterWait)
        {
            if (!request.IsRetrySafe) return "a POST without an idempotency key is never repeated";
            if (attempt >= Policy.MaxAttempts) return $"reached the maximum of {Policy.MaxAttempts} attempts";
            if (elapsedAfterWait > Policy.MaxRetryTime) return $"the next attempt would pass the retry time limit of {Policy.MaxRetryTime.TotalSeconds:0.#} s";
            return null;
        }

        RrResponse Interpret(RrRequest request, int status, string contentType, byte[] body, IRrLog log)
        {
            if (log.IsDebugEnabled)
                log.Debug($"{request} response body: {Truncate(Redact(Encoding.UTF8.GetString(body ?? new byte[0])))}");

            JsonDocument document = null;
            string parseProblem = null;
            try
            {
                if (body == null || body.Length == 0) parseProblem = "an empty body";
                else document = JsonDocument.Parse(WithoutByteOrderMark(body));
            }
            catch (JsonException)
            {
                parseProblem = $"a body that is not valid JSON ({contentType ?? "no content type"}, {body.Length} bytes, starting \"{Printable(Redact(Encoding.UTF8.GetString(body)))}\")";
            }

            var envelope = document != null ? Envelope.Read(document.RootElement) : null;
            var success = status >= 200 && status < 300;
            if (!success)
            {
                document?.Dispose();
                var kind = KindForStatus(status);
                var what = envelope != null ? "" : parseProblem != null ? " with " + parseProblem : " without the response envelope";
                throw Error(kind, $"{request} failed with HTTP {status}{what}.", request, status, envelope);
            }
            if (document == null)
                throw Error(RrErrorKind.InvalidResponse, $"{request} returned HTTP {status} with {parseProblem}.", request, status, null);
            if (envelope == null)
            {
                document.Dispose();
                throw Error(RrErrorKind.InvalidResponse, $"{request} returned HTTP {status} but the body is not the Return Helper envelope (no meta.status).", request, status, null);
            }
            if (envelope.MetaStatus < 200 || envelope.MetaStatus >= 300 || !string.IsNullOrEmpty(envelope.ErrorCode))
            {
                document.Dispose();
                var kind = envelope.MetaStatus == 401 || envelope.MetaStatus == 403 ? RrErrorKind.Unauthorized
                    : envelope.MetaStatus == 404 ? RrErrorKind.NotFound
                    : envelope.MetaStatus == 409 ? RrErrorKind.Conflict
                    : RrErrorKind.SoftError;
                throw Error(kind, $"Return Helper rejected {request}.", request, status, envelope);
            }
            log.Verbose($"{request}: meta.status {envelope.MetaStatus}, correlation id {Redact(envelope.CorrelationId)}");
            return new RrResponse(document, status, envelope.CorrelationId);
        }

        RrApiException Error(RrErrorKind kind, string message, RrRequest request, int status, Envelope envelope)
        {
            Dictionary<string, string> errors = null;
            if (envelope != null)
            {
                errors = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var e in envelope.Errors) errors[Redact(e.Key)] = Redact(e.Value);
            }
            // One sentence: the service's own words for what is wrong end it; its code, map and correlation id are properties.
            if (errors != null && errors.Count > 0) message = Sentence.Join(message.TrimEnd('.') + ":", string.Join(" ", errors.Values.Distinct()));
            return new RrApiException(kind, Redact(message), request.Method, request.Path, status, envelope?.MetaStatus, Redact(envelope?.ErrorCode),
                errors, Redact(envelope?.CorrelationId));
        }

        static RrErrorKind KindForStatus(int status)
        {
            if (status == 401 || status == 403) return RrErrorKind.Unauthorized;
            if (status == 404) return RrErrorKind.NotFound;
            if (status == 409) return RrErrorKind.Conflict;
            if (status == 429) return RrErrorKind.Throttled;
            if (status >= 500) return RrErrorKind.ServerError;
            return RrErrorKind.HttpError;
        }

        Uri BuildUrl(RrRequest request)
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

        HttpRequestMessage BuildMessage(RrRequest request, Uri url)
        {
            var message = new HttpRequestMessage(new HttpMethod(request.Method), url);
            message.Headers.TryAddWithoutValidation("x-rr-apikey", apiKey);
            // The token leaves its SecureString only here, for the header of this one message.
            message.Headers.TryAddWithoutValidation("x-rr-apitoken", new NetworkCredential(string.Empty, apiToken).Password);
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

        /// <summary>Defence in depth: a server that echoes a credential back must not get it into a log or error.</summary>
        internal string Redact(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            var token = new NetworkCredential(string.Empty, apiToken).Password;
            if (!string.IsNullOrEmpty(token)) text = text.Replace(token, "***");
            if (!string.IsNullOrEmpty(apiKey) && apiKey.Length >= 4) text = text.Replace(apiKey, "***");
            return text;
        }

        static string Describe(Exception e)
        {
            var messages = new List<string>();
            for (var x = e; x != null; x = x.InnerException)
                if (!messages.Contains(x.Message)) messages.Add(x.Message);
            return string.Join(" -> ", messages);
        }

        /// <summary>Some servers prefix JSON with a UTF-8 byte-order mark, which JsonDocument refuses.</summary>
        static ReadOnlyMemory<byte> WithoutByteOrderMark(byte[] body)
            => body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF ? new ReadOnlyMemory<byte>(body, 3, body.Length - 3) : body;

        static string Truncate(string s) => s.Length <= MaxLoggedBody ? s : s.Substring(0, MaxLoggedBody) + $"... ({s.Length} chars)";

        static string Printable(string text)
        {
            if (text.Length > 80) text = text.Substring(0, 80);
            return new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        }

        public void Dispose() => http.Dispose();
    }
}
