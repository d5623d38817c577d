using System.Collections.Generic;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper.Http;

/// <summary>The documented envelope: correlationId plus meta {status, data, errorCode, error}.</summary>
internal sealed class Envelope
{
    public int MetaStatus { get; private set; }
    public string ErrorCode { get; private set; }
    public Dictionary<string, string> Errors { get; private set; }
    public string CorrelationId { get; private set; }

    /// <summary>Null when the JSON is not an envelope (no meta object with a numeric status).</summary>
    public static Envelope Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !JsonRead.TryGet(root, "meta", out var meta) || meta.ValueKind != JsonValueKind.Object)
            return null;
        var status = JsonRead.Int(meta, "status");
        if (status == null) return null;
        return new Envelope
        {
            MetaStatus = status.Value,
            ErrorCode = JsonRead.String(meta, "errorCode"),
            Errors = JsonRead.StringMap(meta, "error"),
            CorrelationId = JsonRead.String(root, "correlationId"),
        };
    }
}
