using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper.Webhooks
{
    /// <summary>What processing one journaled event came to so far.</summary>
    internal sealed class WebhookProcessingOutcome
    {
        public const string Processed = "processed";
        public const string Failed = "failed";

        public string Key { get; set; }
        public string Outcome { get; set; }
        public int Attempts { get; set; }
        public string Error { get; set; }
        public DateTimeOffset At { get; set; }
    }

    /// <summary>
    /// The processing state of a webhook journal, next to it (events.jsonl -> events.processed.jsonl): one JSON line
    /// per completed attempt, <c>{"key":"...","outcome":"processed|failed","attempts":n,"error":"...","at":"...Z"}</c>,
    /// keyed by the journal's dedupe key and flushed to disk before the next event is taken. An event is processed
    /// once a 'processed' line has its key; every other journaled event is unprocessed, so a restart resumes exactly
    /// those. Lines that cannot be read (a line cut short by a crash) are ignored: that attempt is simply made again.
    /// </summary>
    internal sealed class WebhookProcessingState : IDisposable
    {
        static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        const int MaxLineBytes = 1024 * 1024;

        readonly HashSet<string> processed = new HashSet<string>(StringComparer.Ordinal);
        readonly Dictionary<string, WebhookProcessingOutcome> failed = new Dictionary<string, WebhookProcessingOutcome>(StringComparer.Ordinal);
        FileStream stream;

        public string Path { get; }

        WebhookProcessingState(string path) => Path = path;

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
                    if (!line.TooLong && TryRead(line.Bytes, out var outcome)) state.Remember(outcome);
            if (forWriting)
            {
                var cutShort = File.Exists(state.Path) && WebhookJournalReader.EndsInsideALine(state.Path);
                state.stream = new FileStream(state.Path, FileMode.Append, FileAccess.Write, FileShare.Read);
                if (cutShort) state.Write(new[] { (byte)'\n' });
            }
            return state;
        }

        public bool IsProcessed(string key) => processed.Contains(key);

        /// <summary>The last failure recorded for an unprocessed event, or null.</summary>
        public WebhookProcessingOutcome LastFailure(string key) => failed.TryGetValue(key, out var f) ? f : null;

        /// <summary>Appends the outcome durably (flushed to disk) and remembers it.</summary>
        public void Record(WebhookProcessingOutcome outcome)
        {
            if (stream == null) throw new InvalidOperationException("The processing state was opened read-only.");
            Write(Encoding.UTF8.GetBytes(ToJsonLine(outcome) + "\n"));
            Remember(outcome);
        }

        void Remember(WebhookProcessingOutcome outcome)
        {
            if (outcome.Outcome == WebhookProcessingOutcome.Processed)
            {
                processed.Add(outcome.Key);
                failed.Remove(outcome.Key);
            }
            else if (!processed.Contains(outcome.Key)) failed[outcome.Key] = outcome;
        }

        void Write(byte[] bytes)
        {
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(true);
        }

        static string ToJsonLine(WebhookProcessingOutcome o)
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
                    writer.WriteString("at", o.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                    writer.WriteEndObject();
                }
                return Encoding.UTF8.GetString(buffer.ToArray());
            }
        }

        static bool TryRead(ArraySegment<byte> line, out WebhookProcessingOutcome outcome)
        {
            outcome = null;
            try
            {
                using (var document = JsonDocument.Parse(new ReadOnlyMemory<byte>(line.Array, line.Offset, line.Count)))
                {
                    var root = document.RootElement;
                    if (root.ValueKind != JsonValueKind.Object) return false;
                    var key = JsonRead.String(root, "key");
                    var result = JsonRead.String(root, "outcome");
                    if (string.IsNullOrEmpty(key) || (result != WebhookProcessingOutcome.Processed && result != WebhookProcessingOutcome.Failed)) return false;
                    var at = JsonRead.Time(root, "at");
                    outcome = new WebhookProcessingOutcome
                    {
                        Key = key,
                        Outcome = result,
                        Attempts = JsonRead.Int(root, "attempts") ?? 0,
                        Error = JsonRead.String(root, "error"),
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

        public void Dispose() => stream?.Dispose();
    }
}
