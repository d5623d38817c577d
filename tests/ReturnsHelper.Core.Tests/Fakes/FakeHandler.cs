using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ReturnsHelper.Core.Tests.Fakes;

/// <summary>One request as the fake server saw it (after HttpClient prepared it).</summary>
public sealed class RecordedRequest
{
    public string Method { get; init; }
    public Uri Uri { get; init; }
    /// <summary>Request and content headers, raw (unvalidated) values, case-insensitive names.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; }
    public byte[] Body { get; init; }
    public string BodyText => Body == null ? null : Encoding.UTF8.GetString(Body);
    public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>The query string decoded into name -> value (order kept).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query =>
        Uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), p.Length > 1 ? Uri.UnescapeDataString(p[1]) : ""))
            .ToList();

    public string QueryValue(string name) => Query.Where(q => q.Key == name).Select(q => q.Value).SingleOrDefault();
}

/// <summary>
/// A scripted server: each request takes the next step of the script (a response, an exception, or a hang
/// until the request is cancelled) and is recorded. No network. An exhausted script fails the test loudly.
/// </summary>
public sealed class FakeHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> script = new();
    private readonly List<RecordedRequest> requests = new();

    public IReadOnlyList<RecordedRequest> Requests { get { lock (requests) return requests.ToList(); } }
    public int Count { get { lock (requests) return requests.Count; } }

    /// <summary>Completes when a request arrives (reset per request): lets tests cancel while a call is in flight.</summary>
    public TaskCompletionSource RequestArrived { get; private set; } = NewSignal();

    public FakeHandler Step(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> step)
    {
        script.Enqueue(step);
        return this;
    }

    public FakeHandler Respond(HttpStatusCode status, string body, string contentType = "application/json", Action<HttpResponseMessage> configure = null)
        => Step((_, _) =>
        {
            var response = new HttpResponseMessage(status);
            if (body != null)
            {
                response.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                if (contentType != null) response.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            }
            else response.Content = new ByteArrayContent(Array.Empty<byte>());
            configure?.Invoke(response);
            return Task.FromResult(response);
        });

    public FakeHandler Ok(string body) => Respond(HttpStatusCode.OK, body);

    /// <summary>A retryable status with an optional Retry-After in seconds.</summary>
    public FakeHandler Status(HttpStatusCode status, string body = null, int? retryAfterSeconds = null, DateTimeOffset? retryAfterDate = null)
        => Respond(status, body, body == null ? null : "application/json", r =>
        {
            if (retryAfterSeconds.HasValue) r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(retryAfterSeconds.Value));
            if (retryAfterDate.HasValue) r.Headers.RetryAfter = new RetryConditionHeaderValue(retryAfterDate.Value);
        });

    public FakeHandler Throw(Exception e) => Step((_, _) => Task.FromException<HttpResponseMessage>(e));

    /// <summary>
    /// Never answers: waits until the attempt's token is cancelled (timeout or Ctrl+C). If nothing cancels it
    /// within 15 s the test fails instead of hanging the run.
    /// </summary>
    public FakeHandler Hang() => Step(async (_, ct) =>
    {
        await Task.Delay(TimeSpan.FromSeconds(15), ct);
        throw new InvalidOperationException("FakeHandler: a hanging request was never cancelled");
    });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Like a real handler: a request whose token is already cancelled never goes out.
        cancellationToken.ThrowIfCancellationRequested();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in request.Headers.NonValidated) headers[h.Key] = string.Join(", ", h.Value);
        byte[] body = null;
        if (request.Content != null)
        {
            foreach (var h in request.Content.Headers.NonValidated) headers[h.Key] = string.Join(", ", h.Value);
            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        lock (requests)
            requests.Add(new RecordedRequest { Method = request.Method.Method, Uri = request.RequestUri, Headers = headers, Body = body });
        var arrived = RequestArrived;
        RequestArrived = NewSignal();
        arrived.TrySetResult();

        if (!script.TryDequeue(out var step))
            throw new InvalidOperationException($"FakeHandler: no scripted response left for request #{Count} {request.Method} {request.RequestUri}");
        return await step(request, cancellationToken);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
