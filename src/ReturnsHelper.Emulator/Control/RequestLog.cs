using System.Text.Json;
using ReturnsHelper.Emulator.Http;

namespace ReturnsHelper.Emulator.Control;

/// <summary>One API request as the control surface reports it. Credentials are never recorded.</summary>
internal sealed class RequestLogEntry
{
    public required string Method { get; init; }
    public required string Path { get; init; }
    public string? Query { get; init; }
    public string? IdempotencyKey { get; init; }
    public DateTime Time { get; init; }

    /// <summary>The HTTP status sent, or 0 when the connection was dropped before an answer existed.</summary>
    public int Status { get; set; }

    public int? MetaStatus { get; set; }

    /// <summary>The injected fault's kind, when one applied.</summary>
    public string? Fault { get; set; }

    /// <summary>True when an idempotency key replayed an earlier response.</summary>
    public bool Replayed { get; set; }

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("method", Method);
        writer.WriteString("path", Path);
        writer.WriteString("query", Query);
        writer.WriteString("idempotencyKey", IdempotencyKey);
        writer.WriteNumber("status", Status);
        writer.WriteNullableNumber("metaStatus", MetaStatus);
        writer.WriteString("fault", Fault);
        writer.WriteBoolean("replayed", Replayed);
        writer.WriteString("time", Time);
        writer.WriteEndObject();
    }
}

/// <summary>The last <see cref="Capacity"/> API requests, oldest first; bounded so long benchmarks cannot exhaust memory.</summary>
internal sealed class RequestLog
{
    public const int Capacity = 200_000;

    private readonly object _gate = new();
    private readonly Queue<RequestLogEntry> _entries = new();

    public void Add(RequestLogEntry entry)
    {
        lock (_gate)
        {
            if (_entries.Count == Capacity)
            {
                _entries.Dequeue();
            }

            _entries.Enqueue(entry);
        }
    }

    public RequestLogEntry[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }
}
