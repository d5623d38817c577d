using System.Security.Cryptography;

namespace ReturnsHelper.Emulator.Http;

/// <summary>
/// <c>x-returnhelper-idempotency-key</c>: per (account, key), remembered for 24 hours. The same key with the same
/// body bytes replays the first response without executing again (a concurrent duplicate waits for the first to
/// finish); the same key with a different body is a 409.
/// </summary>
internal sealed class IdempotencyStore
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private const int PruneEvery = 4096;

    private readonly object _gate = new();
    private readonly Dictionary<(int ApiId, string Key), Entry> _entries = [];
    private int _addsSincePrune;

    private sealed class Entry(byte[] bodyHash, DateTime createdUtc)
    {
        public byte[] BodyHash { get; } = bodyHash;
        public DateTime CreatedUtc { get; } = createdUtc;
        public TaskCompletionSource<ApiResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task<(ApiResult Result, bool Replayed)> RunAsync(int apiId, string key, byte[] body, string correlationId, Func<ApiResult> execute)
    {
        byte[] bodyHash = SHA256.HashData(body);
        var now = DateTime.UtcNow;
        Entry? earlier;
        Entry mine;
        lock (_gate)
        {
            if (_entries.TryGetValue((apiId, key), out earlier) && now - earlier.CreatedUtc < Lifetime)
            {
                mine = earlier;
            }
            else
            {
                earlier = null;
                mine = new Entry(bodyHash, now);
                _entries[(apiId, key)] = mine;
                PruneOccasionally(now);
            }
        }

        if (earlier is not null)
        {
            if (!earlier.BodyHash.AsSpan().SequenceEqual(bodyHash))
            {
                return (Envelope.Error(409, correlationId, "IDEMPOTENCY_KEY_REUSED", "x-returnhelper-idempotency-key",
                    $"The idempotency key '{key}' was already used with a different request body."), false);
            }

            return (await earlier.Result.Task, true);
        }

        try
        {
            var result = execute();
            mine.Result.SetResult(result);
            return (result, false);
        }
        catch (Exception e)
        {
            // Nothing was committed that a replay could stand for: let a retry execute again.
            lock (_gate)
            {
                _entries.Remove((apiId, key));
            }

            mine.Result.SetException(e);
            throw;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    private void PruneOccasionally(DateTime now)
    {
        if (++_addsSincePrune < PruneEvery)
        {
            return;
        }

        _addsSincePrune = 0;
        foreach (var (key, entry) in _entries.ToList())
        {
            if (now - entry.CreatedUtc >= Lifetime)
            {
                _entries.Remove(key);
            }
        }
    }
}
