using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using ReturnsHelper.Emulator.Control;

namespace ReturnsHelper.Emulator.Http;

/// <summary>
/// Serves every request outside <c>/_emulator/</c>. The order mirrors a real deployment: network latency, then
/// injected faults, then routing (404/405), authentication (401), idempotency (replay/409) and the handler.
/// Nothing is logged to the console per request; the request log is in memory.
/// </summary>
internal sealed class ApiDispatcher(EmulatorContext emulator, ApiRoutes routes)
{
    public const string ApiKeyHeader = "x-rr-apikey";
    public const string ApiTokenHeader = "x-rr-apitoken";
    public const string IdempotencyKeyHeader = "x-returnhelper-idempotency-key";

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        string path = request.Path.Value ?? "/";
        var entry = new RequestLogEntry
        {
            Method = request.Method,
            Path = path,
            Query = request.QueryString.HasValue ? request.QueryString.Value : null,
            IdempotencyKey = request.Headers[IdempotencyKeyHeader],
            Time = DateTime.UtcNow,
        };
        try
        {
            if (emulator.Options.LatencyMs > 0)
            {
                await Task.Delay(emulator.Options.LatencyMs, http.RequestAborted);
            }

            var fault = emulator.Faults.Take(path);
            entry.Fault = fault?.KindName;
            switch (fault?.Kind)
            {
                case FaultKind.Delay:
                    await Task.Delay(fault.DelayMs, http.RequestAborted);
                    break;
                case FaultKind.DropBefore:
                    http.Abort();
                    return;
            }

            var (result, replayed) = fault?.Kind == FaultKind.Status
                ? (InjectedError(fault, http.TraceIdentifier), false)
                : await ExecuteAsync(http, path, entry.IdempotencyKey);
            entry.Status = result.HttpStatus;
            entry.MetaStatus = result.MetaStatus;
            entry.Replayed = replayed;
            if (fault?.Kind == FaultKind.DropAfterCommit)
            {
                // The operation is committed (and its idempotency key recorded); only the answer is lost.
                http.Abort();
                return;
            }

            await WriteAsync(http, result);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        finally
        {
            emulator.Requests.Add(entry);
        }
    }

    private async Task<(ApiResult Result, bool Replayed)> ExecuteAsync(HttpContext http, string path, string? idempotencyKey)
    {
        var request = http.Request;
        string correlationId = http.TraceIdentifier;
        var route = routes.Find(path);
        if (route is null)
        {
            return (Envelope.Error(404, correlationId, "NOT_FOUND", "path", $"No API endpoint at '{path}'."), false);
        }

        if (!string.Equals(route.Method, request.Method, StringComparison.OrdinalIgnoreCase))
        {
            return (Envelope.Error(405, correlationId, "METHOD_NOT_ALLOWED", "method", $"'{path}' accepts {route.Method} only."), false);
        }

        string? apiKey = request.Headers[ApiKeyHeader];
        string? apiToken = request.Headers[ApiTokenHeader];
        var account = emulator.State.Run(data => data.Authenticate(apiKey, apiToken));
        if (account is null)
        {
            return (Envelope.Error(401, correlationId, "UNAUTHORIZED", ApiTokenHeader, "The API key or token is missing or invalid."), false);
        }

        bool isPost = HttpMethods.IsPost(request.Method);
        byte[] body = isPost ? await ReadBodyAsync(request, http.RequestAborted) : [];
        ApiResult Execute()
        {
            using var apiRequest = new ApiRequest(emulator, account, request.Query, body, correlationId);
            return route.Handler(apiRequest);
        }

        return isPost && !string.IsNullOrEmpty(idempotencyKey)
            ? await emulator.Idempotency.RunAsync(account.ApiId, idempotencyKey, body, correlationId, Execute)
            : (Execute(), false);
    }

    private static ApiResult InjectedError(Fault fault, string correlationId)
    {
        string reason = ReasonPhrases.GetReasonPhrase(fault.Status);
        string errorCode = reason.Length == 0 ? "INJECTED_FAULT" : reason.ToUpperInvariant().Replace(' ', '_');
        var error = Envelope.Error(fault.Status, correlationId, errorCode, "emulator", $"Injected fault: HTTP {fault.Status}.");
        return error with { RetryAfterSeconds = fault.RetryAfterSeconds };
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(request.ContentLength is long length and < 1 << 20 ? (int)length : 256);
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static Task WriteAsync(HttpContext http, ApiResult result)
    {
        if (result.RetryAfterSeconds is int seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return Json.WriteResponseAsync(http, result.HttpStatus, result.Body);
    }
}
