using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace ReturnsHelper.Http;

/// <summary>
/// A successful envelope. Payload placement differs per endpoint (top level next to correlationId/meta,
/// or under a top-level <c>data</c>), so lookups try both.
/// </summary>
internal sealed class RrResponse : IDisposable
{
    private readonly JsonDocument document;
    public int HttpStatus { get; }
    public string CorrelationId { get; }
    public JsonElement Root => document.RootElement;

    internal RrResponse(JsonDocument document, int httpStatus, string correlationId)
    {
        this.document = document;
        HttpStatus = httpStatus;
        CorrelationId = correlationId;
    }

    private static readonly HashSet<string> EnvelopeFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "correlationId", "meta" };

    /// <summary>A named payload member at top level, or inside an object-valued <c>data</c>.</summary>
    public bool TryGetPayload(string name, out JsonElement value)
    {
        if (Root.TryGetProperty(name, out value)) return true;
        if (Root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out value)) return true;
        value = default;
        return false;
    }

    /// <summary>A list payload: <c>name</c> at top level, <c>data.name</c>, or <c>data</c> itself when it is the array.</summary>
    public bool TryGetPayloadArray(string name, out JsonElement list)
    {
        if (TryGetPayload(name, out list) && list.ValueKind == JsonValueKind.Array) return true;
        if (Root.TryGetProperty("data", out list) && list.ValueKind == JsonValueKind.Array) return true;
        list = default;
        return false;
    }

    /// <summary>The items of the list payload (see <see cref="TryGetPayloadArray"/>), none when there is no list.</summary>
    public IEnumerable<JsonElement> PayloadArray(string name)
        => TryGetPayloadArray(name, out var list) ? list.EnumerateArray() : Enumerable.Empty<JsonElement>();

    /// <summary>True when the response has a list under any of the documented placements.</summary>
    public bool HasPayloadArray(string name) => TryGetPayloadArray(name, out _);

    /// <summary>A single-record payload: the object under <c>data</c>, or the top level itself.</summary>
    public JsonElement PayloadObject()
        => Root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? data : Root;

    /// <summary>
    /// The payload without the envelope, read in place by the caller's converters: <paramref name="value"/> of
    /// <c>data</c> when it is the only payload member, otherwise <paramref name="members"/> of every top-level
    /// member except correlationId and meta (one object). The default of <typeparamref name="T"/> when there is none.
    /// </summary>
    public T Payload<T>(Func<JsonElement, T> value, Func<IReadOnlyList<JsonProperty>, T> members)
    {
        var payload = Root.EnumerateObject().Where(p => !EnvelopeFields.Contains(p.Name)).ToList();
        if (payload.Count == 0) return default;
        return payload.Count == 1 && payload[0].NameEquals("data") ? value(payload[0].Value) : members(payload);
    }

    public void Dispose() => document.Dispose();
}
