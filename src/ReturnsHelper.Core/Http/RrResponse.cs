using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace ReturnsHelper.Http
{
    /// <summary>
    /// A successful envelope. Payload placement differs per endpoint (top level next to correlationId/meta,
    /// or under a top-level <c>data</c>), so lookups try both.
    /// </summary>
    public sealed class RrResponse : IDisposable
    {
        readonly JsonDocument document;
        public int HttpStatus { get; }
        public string CorrelationId { get; }
        public JsonElement Root => document.RootElement;

        internal RrResponse(JsonDocument document, int httpStatus, string correlationId)
        {
            this.document = document;
            HttpStatus = httpStatus;
            CorrelationId = correlationId;
        }

        static readonly HashSet<string> EnvelopeFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "correlationId", "meta" };

        /// <summary>A named payload member at top level, or inside an object-valued <c>data</c>.</summary>
        public bool TryGetPayload(string name, out JsonElement value)
        {
            if (Root.TryGetProperty(name, out value)) return true;
            if (Root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out value)) return true;
            value = default;
            return false;
        }

        /// <summary>A list payload: <c>name</c> at top level, <c>data.name</c>, or <c>data</c> itself when it is the array.</summary>
        public IEnumerable<JsonElement> PayloadArray(string name)
        {
            if (TryGetPayload(name, out var list) && list.ValueKind == JsonValueKind.Array) return list.EnumerateArray();
            if (Root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array) return data.EnumerateArray();
            return Enumerable.Empty<JsonElement>();
        }

        /// <summary>True when the response has a list under any of the documented placements.</summary>
        public bool HasPayloadArray(string name)
            => (TryGetPayload(name, out var list) && list.ValueKind == JsonValueKind.Array)
               || (Root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array);

        /// <summary>A single-record payload: the object under <c>data</c>, or the top level itself.</summary>
        public JsonElement PayloadObject()
            => Root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? data : Root;

        /// <summary>
        /// The payload without the envelope, as raw JSON: <c>data</c> when it is the only payload member,
        /// otherwise an object of every top-level member except correlationId and meta. Null when there is none.
        /// </summary>
        public string PayloadJson()
        {
            var members = Root.EnumerateObject().Where(p => !EnvelopeFields.Contains(p.Name)).ToList();
            if (members.Count == 0) return null;
            if (members.Count == 1 && members[0].NameEquals("data")) return members[0].Value.GetRawText();
            return "{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.Name) + ":" + m.Value.GetRawText())) + "}";
        }

        public void Dispose() => document.Dispose();
    }
}
