using Microsoft.AspNetCore.Http;
using ReturnsHelper.Emulator.Control;

namespace ReturnsHelper.Emulator.Http;

/// <summary>
/// Refuses a request body over <c>--max-request-body-mb</c> with 413: at once when <c>Content-Length</c> says so
/// (nothing is read), otherwise as soon as the body read so far passes the limit (Kestrel's own limit is set to the
/// same value and stops the read). The API answers in its envelope, the control surface with <c>{"error"}</c>.
/// </summary>
internal static class RequestBodyLimit
{
    public static Func<HttpContext, RequestDelegate, Task> Middleware(long maxBytes) => async (http, next) =>
    {
        if (http.Request.ContentLength > maxBytes)
        {
            await RefuseAsync(http, maxBytes);
            return;
        }

        try
        {
            await next(http);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !http.Response.HasStarted)
        {
            await RefuseAsync(http, maxBytes);
        }
    };

    private static Task RefuseAsync(HttpContext http, long maxBytes)
    {
        string message = $"The request body is larger than the emulator's limit of {maxBytes} bytes (--max-request-body-mb).";
        // The rest of the body is not wanted: close the connection rather than read it.
        http.Response.Headers.Connection = "close";
        return http.Request.Path.StartsWithSegments(ControlEndpoints.Prefix)
            ? ControlJson.WriteErrorAsync(http, StatusCodes.Status413PayloadTooLarge, message)
            : Json.WriteResponseAsync(http, StatusCodes.Status413PayloadTooLarge,
                Envelope.Error(StatusCodes.Status413PayloadTooLarge, http.TraceIdentifier, "PAYLOAD_TOO_LARGE", "request", message).Body);
    }
}
