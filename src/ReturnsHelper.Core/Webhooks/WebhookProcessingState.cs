using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper.Webhooks;

/// <summary>What processing one journaled event came to so far.</summary>
internal sealed class WebhookProcessingOutcome
{
    public const string Processed = "processed";
    public const string Failed = "failed";
    /// <summary>Refused for good (the inventory is not eligible, not found...): not tried again.</summary>
    public const string FailedPermanently = "failedPermanently";

    /// <summary>True for an outcome that ends processing of its event (processed, or failed permanently).</summary>
    public bool IsFinal => Outcome == Processed || Outcome == FailedPermanently;

    public string Key { get; set; }
    public string Outcome { get; set; }
    public int Attempts { get; set; }
    public string Error { get; set; }
    /// <summary>What a processed event was done with, when the action says (its recall number), or null.</summary>
    public string Result { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>
/// One request about several events (a recall of their inventories): the events' dedupe keys, the ids sent for
/// them (in the same order: the request body), and the request's idempotency key. Recorded before it is sent.
/// </summary>
internal sealed class WebhookBatch
{
    public WebhookBatch(string idempotencyKey, IReadOnlyList<string> keys, IReadOnlyList<long> ids)
    {
        if (keys.Count != ids.Count) throw new ArgumentException("A batch has one id per event.");
        IdempotencyKey = idempotencyKey;
        Keys = keys;
        Ids = ids;
    }

    public string IdempotencyKey { get; }
    public IReadOnlyList<string> Keys { get; }
    public IReadOnlyList<long> Ids { get; }
    /// <summary>Order of recording: a later batch of the same event supersedes an earlier one.</summary>
    internal long Sequence { get; set; }
}

/// <summary>
/// The processing state of a webhook journal, next to it (events.jsonl -> events.processed.jsonl): one JSON line
/// per completed attempt, <c>{"key":"...","outcome":"processed|failed|failedPermanently","attempts":n,"error":"...","at":"...Z"}</c>,
/// keyed by the journal's dedupe key and flushed to disk before the next event is taken. An event is settled once
/// a 'processed' or 'failedPermanently' line has its key; every other journaled event is unprocessed, so a restart
/// resumes exactly those. Lines that cannot be read (a line cut short by a crash) are ignored: that attempt is simply
/// made again. The file stays proportional to the retained journal: <see cref="Compact"/> rewrites it with the last
/// outcome of each event still in the journal files (at start, and when appended lines outnumber the kept ones).
/// A batch line, <c>{"batch":"&lt;idempotency key&gt;","keys":[...],"ids":[...],"at":"...Z"}</c>, is written before
/// its request is sent: each of its events that is not settled belongs to it (to the last batch line naming it)
/// until the event is settled, so the batch is resent unchanged, with its key, until it is answered (see
/// <see cref="WebhookProcessor"/>).
/// </summary>
internal sealed class WebhookProcessingState : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private const int MaxLineBytes = 1024 * 1024;
    /// <summary>Fewer appended lines than this never trigger a compaction during a run.</summary>
    public const int CompactionMinimumLines = 10000;

    private readonly Dictionary<string, WebhookProcessingOutcome> last = new Dictionary<string, WebhookProcessingOutcome>(StringComparer.Ordinal);
    /// <summary>Unsettled event -> the last batch recorded with it (a request that may have been sent).</summary>
    private readonly Dictionary<string, WebhookBatch> batchOf = new Dictionary<string, WebhookBatch>(StringComparer.Ordinal);
    private long batchSequence;
    private FileStream stream;
    private int linesAtCompaction;

    public string Path { get; }
    /// <summary>Lines in the file (read at open, appended since, or written by the last compaction).</summary>
    public int Lines { get; private set; }
    /// <summary>Events failed permanently.</summary>
    public int FailedPermanentlyCount { get; private set; }
    /// <summary>True when appended lines outnumber what a compaction would keep by enough to be worth one.</summary>
    public bool WorthCompacting => Lines - linesAtCompaction >= Math.Max(CompactionMinimumLines, linesAtCompaction);

    private WebhookProcessingState(string path) => Path = path;

    /// <summary>The state file of a journal: its name with ".processed" before the extension.</summary>
    public static string PathFor(string journalPath)
    {
        var extension = System.IO.Path.GetExtension(journalPath);
        return journalPath.Substring(0, journalPath.Length - extension.Length) + ".processed" + (extension.Length == 0 ? ".jsonl" : extension);
    }

    /// <summary>Reads the state of <paramref name="journalPath"/>; with <paramref name="forWriting"/> also opens it for appending.</summary>
    public static WebhookProcessingState Open(string journalPath, bool forWriting)
    {
        var state = new WebhookProcessingState(PathFor(journalPath));
        if (File.Exists(state.Path))
            foreach (var line in WebhookJournalReader.Lines(state.Path, long.MaxValue, MaxLineBytes))
            {
                state.Lines++;
                if (line.TooLong || !TryRead(line.Bytes, out var outcome, out var batch)) continue;
                if (outcome != null) state.Remember(outcome);
                else state.Bind(batch);
            }
        if (forWriting) state.OpenForAppending();
        return state;
    }

    private void OpenForAppending()
    {
        var cutShort = File.Exists(Path) && WebhookJournalReader.EndsInsideALine(Path);
        stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        if (cutShort) Write(new[] { (byte)'\n' });
    }

    /// <summary>Processed, or failed permanently: not to be tried again.</summary>
    public bool IsSettled(string key) => last.TryGetValue(key, out var o) && o.IsFinal;

    /// <summary>The last failure recorded for an event that is not processed (failed, or failed permanently), or null.</summary>
    public WebhookProcessingOutcome LastFailure(string key)
        => last.TryGetValue(key, out var o) && o.Outcome != WebhookProcessingOutcome.Processed ? o : null;

    /// <summary>The batch an unsettled event was last recorded in (sent, or about to be), or null.</summary>
    public WebhookBatch PendingBatchOf(string key) => batchOf.TryGetValue(key, out var b) ? b : null;

    /// <summary>Appends the outcome durably (flushed to disk) and remembers it.</summary>
    public void Record(WebhookProcessingOutcome outcome) => Record(new[] { outcome });

    /// <summary>Appends the outcomes in one write, flushed to disk once, and remembers them.</summary>
    public void Record(IReadOnlyCollection<WebhookProcessingOutcome> outcomes)
    {
        if (outcomes.Count == 0) return;
        CheckWritable();
        var text = new StringBuilder();
        foreach (var outcome in outcomes) text.Append(ToJsonLine(outcome)).Append('\n');
        Write(Encoding.UTF8.GetBytes(text.ToString()));
        Lines += outcomes.Count;
        foreach (var outcome in outcomes) Remember(outcome);
    }

    /// <summary>Write-ahead: appends the batch durably (flushed to disk) before its request is sent, and binds its unsettled events to it.</summary>
    public void RecordBatch(WebhookBatch batch)
    {
        CheckWritable();
        Write(Encoding.UTF8.GetBytes(ToJsonLine(batch, DateTimeOffset.UtcNow) + "\n"));
        Lines++;
        Bind(batch);
    }

    private void CheckWritable()
    {
        if (stream == null) throw new InvalidOperationException("The processing state was opened read-only.");
    }

    private void Bind(WebhookBatch batch)
    {
        batch.Sequence = ++batchSequence;
        foreach (var key in batch.Keys)
            if (!IsSettled(key)) batchOf[key] = batch;
    }

    /// <summary>
    /// Rewrites the file with the last outcome of each key in <paramref name="retainedKeys"/> (the events still in the
    /// journal files) and forgets the others: their events are gone from the journal, so nothing can process them
    /// again. Written to a new file renamed over the old one, so a crash leaves one or the other, whole.
    /// </summary>
    public void Compact(ICollection<string> retainedKeys)
    {
        var kept = new List<WebhookProcessingOutcome>();
        var keptBatches = new List<WebhookBatch>();
        foreach (var key in retainedKeys)
        {
            if (last.TryGetValue(key, out var o)) kept.Add(o);
            if (batchOf.TryGetValue(key, out var b) && !keptBatches.Contains(b)) keptBatches.Add(b);
        }
        // In their recording order, after the outcomes: read back, each event is bound to the batch it is bound to now.
        keptBatches.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var temporary = Path + ".compact";
        using (var compacted = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var bytes = Encoding.UTF8.GetBytes(string.Concat(kept.ConvertAll(o => ToJsonLine(o) + "\n"))
                + string.Concat(keptBatches.ConvertAll(b => ToJsonLine(b, DateTimeOffset.UtcNow) + "\n")));
            compacted.Write(bytes, 0, bytes.Length);
            compacted.Flush(true);
        }
        var appending = stream != null;
        stream?.Dispose();
        stream = null;
        try
        {
            if (File.Exists(Path)) File.Replace(temporary, Path, null);
            else File.Move(temporary, Path);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            // Replacing failed (on Windows, a reader without delete sharing): the old file stays whole and in use.
            if (appending) OpenForAppending();
            try { File.Delete(temporary); }
            catch (Exception x) when (x is IOException || x is UnauthorizedAccessException) { /* left for the next compaction to overwrite */ }
            throw;
        }
        last.Clear();
        batchOf.Clear();
        FailedPermanentlyCount = 0;
        foreach (var o in kept) Remember(o);
        foreach (var b in keptBatches) Bind(b);
        Lines = linesAtCompaction = kept.Count + keptBatches.Count;
        if (appending) OpenForAppending();
    }

    private void Remember(WebhookProcessingOutcome outcome)
    {
        // A final outcome is never overridden by a later attempt's line (an action run again after a crash).
        if (last.TryGetValue(outcome.Key, out var earlier) && earlier.IsFinal) return;
        last[outcome.Key] = outcome;
        if (outcome.IsFinal) batchOf.Remove(outcome.Key); // settled: its batch is answered as far as it is concerned
        if (outcome.Outcome == WebhookProcessingOutcome.FailedPermanently) FailedPermanentlyCount++;
    }

    private void Write(byte[] bytes)
    {
        stream.Write(bytes, 0, bytes.Length);
        stream.Flush(true);
    }

    private static string ToJsonLine(WebhookProcessingOutcome o)
    {
        using (var buffer = new MemoryStream())
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("key", o.Key);
                writer.WriteString("outcome", o.Outcome);
                writer.WriteNumber("attempts", o.Attempts);
                if (o.Error != null) writer.WriteString("error", o.Error);
                if (o.Result != null) writer.WriteString("result", o.Result);
                writer.WriteString("at", o.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }
    }

    private static string ToJsonLine(WebhookBatch b, DateTimeOffset at)
    {
        using (var buffer = new MemoryStream())
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("batch", b.IdempotencyKey);
                writer.WriteStartArray("keys");
                foreach (var key in b.Keys) writer.WriteStringValue(key);
                writer.WriteEndArray();
                writer.WriteStartArray("ids");
                foreach (var id in b.Ids) writer.WriteNumberValue(id);
                writer.WriteEndArray();
                writer.WriteString("at", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }
    }

    /// <summary>An outcome line, or a batch line; false for a line that is neither (skipped).</summary>
    private static bool TryRead(ArraySegment<byte> line, out WebhookProcessingOutcome outcome, out WebhookBatch batch)
    {
        outcome = null;
        batch = null;
        try
        {
            using (var document = JsonDocument.Parse(new ReadOnlyMemory<byte>(line.Array, line.Offset, line.Count)))
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return false;
                if (root.TryGetProperty("batch", out _)) return TryReadBatch(root, out batch);
                var key = JsonRead.String(root, "key");
                var result = JsonRead.String(root, "outcome");
                if (string.IsNullOrEmpty(key) || (result != WebhookProcessingOutcome.Processed && result != WebhookProcessingOutcome.Failed && result != WebhookProcessingOutcome.FailedPermanently)) return false;
                var at = JsonRead.Time(root, "at");
                outcome = new WebhookProcessingOutcome
                {
                    Key = key,
                    Outcome = result,
                    Attempts = JsonRead.Int(root, "attempts") ?? 0,
                    Error = JsonRead.String(root, "error"),
                    Result = JsonRead.String(root, "result"),
                    At = at.HasValue ? new DateTimeOffset(at.Value, TimeSpan.Zero) : DateTimeOffset.MinValue,
                };
                return true;
            }
        }
        catch (Exception e) when (e is JsonException || e is FormatException || e is InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryReadBatch(JsonElement root, out WebhookBatch batch)
    {
        batch = null;
        var idempotencyKey = JsonRead.String(root, "batch");
        if (string.IsNullOrEmpty(idempotencyKey) || !root.TryGetProperty("keys", out var keys) || !root.TryGetProperty("ids", out var ids)
            || keys.ValueKind != JsonValueKind.Array || ids.ValueKind != JsonValueKind.Array || keys.GetArrayLength() != ids.GetArrayLength()) return false;
        var keyList = new List<string>();
        foreach (var key in keys.EnumerateArray())
        {
            if (key.ValueKind != JsonValueKind.String) return false;
            keyList.Add(key.GetString());
        }
        var idList = new List<long>();
        foreach (var id in ids.EnumerateArray()) idList.Add(id.GetInt64());
        batch = new WebhookBatch(idempotencyKey, keyList, idList);
        return true;
    }

    public void Dispose() => stream?.Dispose();
}
