using System.Text.Json;
using ReturnsHelper.Emulator.Http;

namespace ReturnsHelper.Emulator.Control;

internal enum FaultKind { Status, Delay, DropBefore, DropAfterCommit }

/// <summary>One queued fault, in the control surface's JSON: <c>{path, kind, status, retryAfterSeconds, delayMs, count}</c>.</summary>
internal sealed class Fault
{
    public static readonly string[] KindNames = ["status", "delay", "drop-before", "drop-after-commit"];

    public required string Path { get; init; }
    public required FaultKind Kind { get; init; }
    public int Status { get; init; } = 503;
    public int? RetryAfterSeconds { get; init; }
    public int DelayMs { get; init; }
    public int Remaining { get; set; } = 1;

    public string KindName => KindNames[(int)Kind];

    /// <summary>Every member is optional: no kind means a status fault, no path matches every API path.</summary>
    public static Fault FromJson(JsonFields fields)
    {
        string kindName = fields.String("kind") ?? KindNames[(int)FaultKind.Status];
        int kind = Array.IndexOf(KindNames, kindName.ToLowerInvariant());
        if (kind < 0)
        {
            throw fields.Invalid("kind", $"'{kindName}' is not one of {string.Join(", ", KindNames)}.");
        }

        var fault = new Fault
        {
            Path = (fields.String("path") ?? "").Trim().TrimEnd('/'),
            Kind = (FaultKind)kind,
            Status = fields.Int("status") ?? 503,
            RetryAfterSeconds = fields.Int("retryAfterSeconds"),
            DelayMs = fields.Int("delayMs") ?? 0,
            Remaining = fields.Int("count") ?? 1,
        };
        if (fault.Kind == FaultKind.Status && fault.Status is < 400 or > 599)
        {
            // A 1xx-3xx "fault" would fake a success (or a redirect) without executing anything.
            throw fields.Invalid("status", $"must be an error status (400-599) for a status fault, got {fault.Status}.");
        }

        if (fault.Status is < 100 or > 599)
        {
            throw fields.Invalid("status", "must be an HTTP status code (100-599).");
        }

        if (fault.DelayMs is < 0 or > 600_000)
        {
            throw fields.Invalid("delayMs", "must be between 0 and 600000.");
        }

        if (fault.RetryAfterSeconds < 0)
        {
            throw fields.Invalid("retryAfterSeconds", "must not be negative.");
        }

        return fault.Remaining >= 1 ? fault : throw fields.Invalid("count", "must be at least 1.");
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("path", Path);
        writer.WriteString("kind", KindName);
        writer.WriteNumber("status", Status);
        writer.WriteNullableNumber("retryAfterSeconds", RetryAfterSeconds);
        writer.WriteNumber("delayMs", DelayMs);
        writer.WriteNumber("count", Remaining);
        writer.WriteEndObject();
    }
}

/// <summary>
/// Faults queued by tests: each applies to the next <c>count</c> API requests whose path ends with its path
/// (case-insensitive), in the order the faults were added.
/// </summary>
internal sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly List<Fault> _faults = [];

    public void Add(IEnumerable<Fault> faults)
    {
        lock (_gate)
        {
            _faults.AddRange(faults);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    public Fault[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _faults];
        }
    }

    /// <summary>Consumes one use of the first fault that matches <paramref name="path"/>, if any.</summary>
    public Fault? Take(string path)
    {
        lock (_gate)
        {
            if (_faults.Count == 0)
            {
                return null;
            }

            string trimmed = path.TrimEnd('/');
            int index = _faults.FindIndex(f => trimmed.EndsWith(f.Path, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                return null;
            }

            var fault = _faults[index];
            if (--fault.Remaining <= 0)
            {
                _faults.RemoveAt(index);
            }

            return fault;
        }
    }
}
