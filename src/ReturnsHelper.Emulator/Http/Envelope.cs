using System.Text.Json;
using ReturnsHelper.Emulator.Domain;

namespace ReturnsHelper.Emulator.Http;

/// <summary>Writes the payload members of a response into the envelope's (or <c>data</c>'s) object.</summary>
internal delegate void PayloadWriter(Utf8JsonWriter writer);

/// <summary>
/// The one place that writes the documented envelope:
/// <c>{"correlationId": ..., "meta": {"status", "data": {}, "errorCode", "error": {...}}, ...payload}</c>.
/// </summary>
internal static class Envelope
{
    public const string ValidationFailed = "VALIDATION_FAILED";

    /// <param name="placement">
    /// <see cref="PayloadPlacement.Data"/> wraps the payload members in a top-level <c>data</c> object; pass
    /// <see cref="PayloadPlacement.Documented"/> for endpoints whose documented payload already is <c>data</c>.
    /// </param>
    public static ApiResult Success(string correlationId, PayloadPlacement placement, PayloadWriter? payload) =>
        Write(200, correlationId, 200, errorCode: null, errors: [], payload, wrapInData: placement == PayloadPlacement.Data);

    /// <summary>A soft error: HTTP 200, <c>meta.status</c> 400, messages keyed by request property.</summary>
    public static ApiResult SoftError(string correlationId, ValidationErrors errors) =>
        Write(200, correlationId, 400, ValidationFailed, errors.Entries, payload: null, wrapInData: false);

    /// <summary>A real HTTP error with the envelope (401, 404, 405, 409, injected faults).</summary>
    public static ApiResult Error(int httpStatus, string correlationId, string errorCode, string property, string message) =>
        Write(httpStatus, correlationId, httpStatus, errorCode, [new(property, message)], payload: null, wrapInData: false);

    private static ApiResult Write(
        int httpStatus,
        string correlationId,
        int metaStatus,
        string? errorCode,
        IReadOnlyList<KeyValuePair<string, string>> errors,
        PayloadWriter? payload,
        bool wrapInData)
    {
        byte[] body = Json.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("correlationId", correlationId);
            writer.WriteStartObject("meta");
            writer.WriteNumber("status", metaStatus);
            writer.WriteStartObject("data");
            writer.WriteEndObject();
            writer.WriteString("errorCode", errorCode);
            writer.WriteStartObject("error");
            foreach (var (property, message) in errors)
            {
                writer.WriteString(property, message);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            if (payload is not null)
            {
                if (wrapInData)
                {
                    writer.WriteStartObject("data");
                }

                payload(writer);
                if (wrapInData)
                {
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndObject();
        });
        return new ApiResult(httpStatus, metaStatus, body);
    }
}
