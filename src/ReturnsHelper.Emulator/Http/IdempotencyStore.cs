using System.Security.Cryptography;

namespace ReturnsHelper.Emulator.Http;

/// <summary>
/// <c>x-returnhelper-idempotency-key</c>: per (account, key), remembered for 24 hours. The same key with the same
/// body bytes replays the first response without executing again (a concurrent duplicate waits for the first to
/// finish); the same key with a different body is a 409. At most <c>capacity</c> keys are kept: beyond that (and
/// after 24 hours) the oldest are forgotten first, so a client that sends a new key per request cannot grow the
/// store without bound.
/// </summary>
/// <param name="time">The clock the 24 hours are measured with (tests pass their own).</param>
internal sealed class IdempotencyStore(int capacity, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly object _gate = new();
    private readonly Dictionary<(int ApiId, string Key), Entry> _entries = [];

    // Every entry in the order it was created, so the oldest is evicted first; an item whose entry has since been
    // removed or replaced is skipped when it comes up.
    private readonly Queue<((int ApiId, string Key) Key, Entry Entry)> _order = new();

    private sealed class Entry(byte[] bodyHash, DateTime createdUtc)
    {
        public byte[] BodyHash { get; } = bodyHash;
        public DateTime CreatedUtc { get; } = createdUtc;
        public TaskCompletionSource<ApiResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task<(ApiResult Result, bool Replayed)> RunAsync(int apiId, string key, byte[] body, string correlationId, Func<ApiResult> execute)
    {
        byte[] bodyHash = SHA256.HashData(body);
        var now = time.GetUtcNow().UtcDateTime;
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
                _order.Enqueue(((apiId, key), mine));
                EvictOldest(now);
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
            _order.Clear();
        }
    }

    /// <summary>How many keys are remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    private void EvictOldest(DateTime now)
    {
        while (_order.TryPeek(out var oldest)
            && (_entries.Count > capacity || now - oldest.Entry.CreatedUtc >= Lifetime || !IsCurrent(oldest)))
        {
            _order.Dequeue();
            if (IsCurrent(oldest))
            {
                _entries.Remove(oldest.Key);
            }
        }
    }

    private bool IsCurrent(((int ApiId, string Key) Key, Entry Entry) item) =>
        _entries.TryGetValue(item.Key, out var entry) && ReferenceEquals(entry, item.Entry);
}
