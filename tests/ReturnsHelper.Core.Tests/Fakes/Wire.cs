using System.Text.Json;

namespace ReturnsHelper.Core.Tests.Fakes;

/// <summary>Envelopes in the documented wire shape (API notes 2.1/2.2).</summary>
public static class Wire
{
    public const string CorrelationId = "0HM9VIKSKH2CB:00000002";

    /// <summary>A success envelope; <paramref name="payloadMembers"/> are extra top-level members, e.g. <c>"recallList":[]</c>.</summary>
    public static string Ok(string payloadMembers = null, string correlationId = CorrelationId)
        => "{" + (string.IsNullOrEmpty(payloadMembers) ? "" : payloadMembers + ",")
           + $"\"correlationId\":{JsonSerializer.Serialize(correlationId)},\"meta\":{{\"status\":200,\"data\":{{}},\"errorCode\":null,\"error\":{{}}}}}}";

    /// <summary>An error envelope (soft error on HTTP 200 or the body of a real 4xx/5xx).</summary>
    public static string Error(int metaStatus, string errorCode, IDictionary<string, string> errors = null, string correlationId = CorrelationId)
        => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["correlationId"] = correlationId,
            ["meta"] = new Dictionary<string, object>
            {
                ["status"] = metaStatus,
                ["data"] = new Dictionary<string, object>(),
                ["errorCode"] = errorCode,
                ["error"] = errors ?? new Dictionary<string, string>(),
            },
        });

    public static IDictionary<string, string> Map(params (string Key, string Value)[] entries) => entries.ToDictionary(e => e.Key, e => e.Value);

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
