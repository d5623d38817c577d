using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ReturnsHelper.Emulator.Http;

namespace ReturnsHelper.Emulator.Control;

/// <summary>A control call that cannot be done: answered as <c>{"error": message}</c> with <see cref="Status"/>.</summary>
internal sealed class ControlException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static ControlException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
}

/// <summary>Reading and writing the control surface's plain JSON (no API envelope).</summary>
internal static class ControlJson
{
    /// <summary>Wraps a handler so a <see cref="ControlException"/> becomes its JSON error answer.</summary>
    public static RequestDelegate Handle(Func<HttpContext, Task> handler) => async http =>
    {
        try
        {
            await handler(http);
        }
        catch (ControlException e)
        {
            await WriteErrorAsync(http, e.Status, e.Message);
        }
    };

    public static Task WriteErrorAsync(HttpContext http, int status, string message) => WriteAsync(http, status, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
    });

    /// <summary>The request body, or null when it is empty.</summary>
    public static async Task<JsonDocument?> ReadAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        if (buffer.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            throw ControlException.BadRequest($"The body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The members of an optional JSON object body; an empty body has none.</summary>
    public static async Task<JsonFields> ReadFieldsAsync(HttpContext http, string path)
    {
        using var body = await ReadAsync(http);
        // Clone: the fields outlive the document.
        return new JsonFields(body?.RootElement.Clone() ?? default, path);
    }

    public static Task WriteAsync(HttpContext http, int status, Action<Utf8JsonWriter> write) =>
        Json.WriteResponseAsync(http, status, Json.Write(write));

    public static Task OkAsync(HttpContext http, Action<Utf8JsonWriter> write) => WriteAsync(http, StatusCodes.Status200OK, write);

    /// <summary>For bodies rendered earlier, under the state lock.</summary>
    public static Task OkAsync(HttpContext http, byte[] body) => Json.WriteResponseAsync(http, StatusCodes.Status200OK, body);

    public static Task WriteArrayAsync<T>(HttpContext http, IEnumerable<T> items, Action<Utf8JsonWriter, T> writeItem) => OkAsync(http, writer =>
    {
        writer.WriteStartArray();
        foreach (var item in items)
        {
            writeItem(writer, item);
        }

        writer.WriteEndArray();
    });

    public static long RouteId(HttpContext http) =>
        long.TryParse(http.Request.RouteValues["id"] as string, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id)
            ? id
            : throw ControlException.BadRequest("The id in the path must be an integer.");
}

/// <summary>Typed, optional members of one JSON object; a member of the wrong type is a 400 naming its path.</summary>
internal readonly struct JsonFields(JsonElement element, string path)
{
    public bool Contains(string name) => element.TryGetProperty(name, ignoreCase: true, out _);

    public string? String(string name) => Find(name) is { } value
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw Expected(name, "a string", value)
        : null;

    /// <summary>A string or an integer (codes are sent both ways).</summary>
    public string? Code(string name) => Find(name) is { } value
        ? value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? value.RawText() : throw Expected(name, "a string or an integer", value)
        : null;

    public long? Long(string name) => Find(name) is { } value
        ? value.TryGetId(out long number) ? number : throw Expected(name, "an integer", value)
        : null;

    public int? Int(string name) => Long(name) is long number
        ? number is >= int.MinValue and <= int.MaxValue ? (int)number : throw Expected(name, "a 32-bit integer", Find(name)!.Value)
        : null;

    public decimal? Decimal(string name) => Find(name) is { } value
        ? value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out decimal number) ? number : throw Expected(name, "a number", value)
        : null;

    public bool? Bool(string name) => Find(name) is { } value
        ? value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Expected(name, "true or false", value)
        : null;

    /// <summary>ISO 8601; without a zone the value is UTC.</summary>
    public DateTime? Date(string name) => Find(name) is { } value
        ? value.ValueKind == JsonValueKind.String && DateTime.TryParse(value.GetString(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : throw Expected(name, "an ISO 8601 date-time string", value)
        : null;

    public ControlException Invalid(string name, string message) => ControlException.BadRequest($"{path}.{name}: {message}");

    private JsonElement? Find(string name) =>
        element.TryGetProperty(name, ignoreCase: true, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private ControlException Expected(string name, string expected, JsonElement value) =>
        Invalid(name, $"expected {expected}, got {value.GetRawText()}.");
}
