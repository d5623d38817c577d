using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ReturnsHelper.Http;
using ReturnsHelper.Json;

namespace ReturnsHelper.Webhooks;

/// <summary>
/// One received delivery as one line of a JSON-lines file (Receive-RrWebhook -Path):
/// <c>{"rrWebhookRecord":1,"receivedAt":"...Z","endpointUri":"...","timestamp":"...","signature":"...","body":"..."}</c>.
/// The raw body is kept as a JSON string, which restores it character for character (so byte for byte: it was
/// valid UTF-8), and a body that is not valid UTF-8 goes in "bodyBase64" instead. With the headers kept too,
/// the signature can be checked again later.
/// </summary>
internal sealed class WebhookRecord
{
    public const string Marker = "rrWebhookRecord";
    private const int FormatVersion = 1;

    private static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public DateTimeOffset ReceivedAt { get; set; }
    public string EndpointUri { get; set; }
    public string Timestamp { get; set; }
    public string Signature { get; set; }
    public byte[] Body { get; set; }

    /// <summary>The record as one line (no newline inside: JSON escapes every control character in strings).</summary>
    public string ToJsonLine()
    {
        var line = ToJournalLine();
        return Encoding.UTF8.GetString(line, 0, line.Length - 1);
    }

    /// <summary>The record's line as the journal stores it: UTF-8, ending with a newline.</summary>
    internal byte[] ToJournalLine()
    {
        var body = Body ?? new byte[0];
        using (var stream = new MemoryStream())
        {
            using (var writer = new Utf8JsonWriter(stream, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteNumber(Marker, FormatVersion);
                writer.WriteString("receivedAt", ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                writer.WriteString("endpointUri", EndpointUri);
                writer.WriteString("timestamp", Timestamp);
                writer.WriteString("signature", Signature);
                // Written from the body's own bytes, without a text copy of it.
                if (WebhookBody.InvalidUtf8Offset(body) < 0) writer.WriteString("body", body);
                else writer.WriteString("bodyBase64", Convert.ToBase64String(body));
                writer.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
            return stream.ToArray();
        }
    }

    /// <summary>True when <paramref name="root"/> is a record (it has the marker); a malformed record is a clear error.</summary>
    public static bool TryRead(JsonElement root, out WebhookRecord record)
    {
        record = null;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(Marker, out _)) return false;
        try { record = Read(root); }
        catch (Exception e) when (WebhookParser.IsUnreadableData(e))
        {
            throw new WebhookFormatException(WebhookField.Body, Sentence.Join("The webhook record cannot be read:", Sentence.Of(e)), e);
        }
        return true;
    }

    private static WebhookRecord Read(JsonElement root)
    {
        byte[] body;
        if (JsonRead.TryGet(root, "body", out var text) && text.ValueKind == JsonValueKind.String) body = Encoding.UTF8.GetBytes(text.GetString());
        else if (JsonRead.TryGet(root, "bodyBase64", out var b64) && b64.ValueKind == JsonValueKind.String) body = FromBase64(b64.GetString());
        else throw new WebhookFormatException(WebhookField.Body, "The webhook record has neither 'body' nor 'bodyBase64'.");
        var receivedAt = JsonRead.Time(root, "receivedAt");
        return new WebhookRecord
        {
            ReceivedAt = receivedAt.HasValue ? new DateTimeOffset(receivedAt.Value, TimeSpan.Zero) : DateTimeOffset.MinValue,
            EndpointUri = JsonRead.String(root, "endpointUri"),
            Timestamp = JsonRead.String(root, "timestamp"),
            Signature = JsonRead.String(root, "signature"),
            Body = body,
        };
    }

    private static byte[] FromBase64(string s)
    {
        try { return Convert.FromBase64String(s); }
        catch (FormatException e) { throw new WebhookFormatException(WebhookField.Body, "The webhook record's 'bodyBase64' is not valid Base64.", e); }
    }
}

/// <summary>
/// The JSON-lines journal of Receive-RrWebhook -Path: appends one record per verified delivery and flushes it to
/// disk before the delivery is acknowledged, so nothing acknowledged is lost if the script stops. It rotates by
/// size (events.jsonl becomes events.1.jsonl, events.1.jsonl becomes events.2.jsonl...; the oldest beyond the
/// kept count is deleted), and at start it reads only a tail window, line by line, so neither memory nor
/// start-up time grows with the history.
/// </summary>
internal sealed class WebhookRecordFile : IDisposable
{
    public const long DefaultMaxBytes = 100L * 1024 * 1024;
    public const int DefaultKeepFiles = 10;

    private readonly long maxBytes;
    private readonly int keepFiles;
    private FileStream stream;

    public string Path { get; }
    /// <summary>How many earlier records were read from the tail window (the dedupe set keeps the newest of them).</summary>
    public int RecordsRead { get; private set; }
    /// <summary>Lines of the tail window that are not records (reported, never fatal).</summary>
    public int UnreadableLines { get; private set; }

    private WebhookRecordFile(string path, long maxBytes, int keepFiles)
    {
        Path = path;
        this.maxBytes = maxBytes;
        this.keepFiles = keepFiles;
    }

    /// <summary>
    /// Opens (or creates) the journal for appending. The dedupe keys of the records in its last
    /// <paramref name="maxBytes"/> bytes (continuing into the newest rotated file when the current one is
    /// shorter) go to <paramref name="seen"/>; a line longer than <paramref name="maxLineBytes"/> is skipped
    /// as unreadable, so a corrupt file cannot make the start-up hold it whole.
    /// </summary>
    public static WebhookRecordFile Open(string path, DedupeSet seen = null, long maxBytes = DefaultMaxBytes, int keepFiles = DefaultKeepFiles, int maxLineBytes = 16 * 1024 * 1024)
    {
        if (maxBytes < 1) throw new ArgumentOutOfRangeException(nameof(maxBytes), "The journal size limit must be positive.");
        if (keepFiles < 1) throw new ArgumentOutOfRangeException(nameof(keepFiles), "At least one rotated journal file is kept.");
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The folder of the webhook file '{path}' does not exist.");
        var file = new WebhookRecordFile(path, maxBytes, keepFiles);
        var currentLength = File.Exists(path) ? new FileInfo(path).Length : 0;
        var previous = RotatedPath(path, 1);
        // Oldest first, so the dedupe set (which forgets its oldest keys) keeps the newest.
        if (currentLength < maxBytes && File.Exists(previous))
            file.Remember(previous, maxBytes - currentLength, maxLineBytes, seen);
        if (currentLength > 0) file.Remember(path, maxBytes, maxLineBytes, seen);
        var needsNewline = currentLength > 0 && WebhookJournalReader.EndsInsideALine(path);
        file.stream = OpenForAppend(path);
        // A line cut short by a crash must not swallow the next record.
        if (needsNewline) file.Write(new[] { (byte)'\n' });
        return file;
    }

    /// <summary>The n-th rotated file of a journal: events.jsonl -> events.1.jsonl (events -> events.1).</summary>
    public static string RotatedPath(string path, int n)
    {
        var extension = System.IO.Path.GetExtension(path);
        return path.Substring(0, path.Length - extension.Length) + "." + n.ToString(CultureInfo.InvariantCulture) + extension;
    }

    /// <summary>Remembers the dedupe keys of the records in the last <paramref name="window"/> bytes of a journal.</summary>
    private void Remember(string path, long window, int maxLineBytes, DedupeSet seen)
    {
        foreach (var line in WebhookJournalReader.Lines(path, window, maxLineBytes))
        {
            if (!line.TooLong && TryKeyOf(line.Bytes, out var key))
            {
                seen?.Add(key);
                RecordsRead++;
            }
            else UnreadableLines++;
        }
    }

    private static bool TryKeyOf(ArraySegment<byte> line, out string key)
    {
        key = null;
        try
        {
            using (var document = JsonDocument.Parse(new ReadOnlyMemory<byte>(line.Array, line.Offset, line.Count), new JsonDocumentOptions { MaxDepth = 64 }))
            {
                if (!WebhookRecord.TryRead(document.RootElement, out var record)) return false;
                key = WebhookParser.DedupeKeyOf(record.Body);
                return true;
            }
        }
        catch (Exception e) when (e is JsonException || e is WebhookFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Readers may open the journal while it is written (they allow this writer in turn, see
    /// <see cref="WebhookJournalReader.Sharing"/>); no other writer may.
    /// </summary>
    internal const FileShare Sharing = FileShare.Read;

    private static FileStream OpenForAppend(string path) => new FileStream(path, FileMode.Append, FileAccess.Write, Sharing);

    public void Append(WebhookRecord record)
    {
        var bytes = record.ToJournalLine();
        // After a failed rotation there is no stream: reopen, so this delivery is recorded (or refused) again.
        if (stream == null) stream = OpenForAppend(Path);
        if (stream.Length > 0 && stream.Length + bytes.Length > maxBytes) Rotate();
        Write(bytes);
    }

    /// <summary>
    /// Closes the full journal and shifts the rotated files up by one (the oldest beyond the kept count goes),
    /// then starts a new one. Closed first: Windows cannot rename an open file.
    /// </summary>
    private void Rotate()
    {
        stream.Dispose();
        stream = null;
        var oldest = RotatedPath(Path, keepFiles);
        if (File.Exists(oldest)) File.Delete(oldest);
        for (var n = keepFiles - 1; n >= 1; n--)
            if (File.Exists(RotatedPath(Path, n))) File.Move(RotatedPath(Path, n), RotatedPath(Path, n + 1));
        File.Move(Path, RotatedPath(Path, 1));
        stream = OpenForAppend(Path);
    }

    private void Write(byte[] bytes)
    {
        stream.Write(bytes, 0, bytes.Length);
        stream.Flush(true);
    }

    public void Dispose() => stream?.Dispose();
}

/// <summary>One line of a journal file: its bytes (valid until the next line is read) or, when it is too long, none.</summary>
internal struct JournalLine
{
    /// <summary>1-based, counted from the start of the file (from the start of the window for a tail).</summary>
    public int Number;
    public ArraySegment<byte> Bytes;
    public bool TooLong;
}

/// <summary>Reads the lines of a journal file in bounded memory, without keeping the file from its writer.</summary>
internal static class WebhookJournalReader
{
    /// <summary>
    /// How a reader opens a journal: letting a receiver go on appending to it (Write) and rotate it (Delete, which
    /// Windows needs to rename an open file). Windows refuses a reader that does not allow the writer's access, so
    /// ConvertFrom-RrWebhook -Path could not read a journal Receive-RrWebhook is writing; .NET on Linux enforces
    /// only FileShare.None.
    /// </summary>
    internal const FileShare Sharing = FileShare.ReadWrite | FileShare.Delete;

    /// <summary>The whole file, opened as every reader of a journal opens it.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        using (var read = new FileStream(path, FileMode.Open, FileAccess.Read, Sharing))
        {
            var bytes = new byte[read.Length];
            var total = 0;
            int count;
            while (total < bytes.Length && (count = read.Read(bytes, total, bytes.Length - total)) > 0) total += count;
            // What was there when the length was read is what this reader sees (the file may also have shrunk).
            if (total < bytes.Length) Array.Resize(ref bytes, total);
            return bytes;
        }
    }

    /// <summary>
    /// The non-blank lines (without their line ends) in the last <paramref name="window"/> bytes of the file;
    /// the partial line at the start of the window is skipped, and a line longer than
    /// <paramref name="maxLineBytes"/> comes as TooLong without its bytes, so memory stays bounded whatever the file holds.
    /// </summary>
    public static IEnumerable<JournalLine> Lines(string path, long window, int maxLineBytes)
    {
        using (var read = new FileStream(path, FileMode.Open, FileAccess.Read, Sharing, 64 * 1024))
        {
            var start = Math.Max(0, read.Length - window);
            // Starting just before the window tells whether the window begins with a whole line.
            var skipping = start > 0;
            read.Seek(skipping ? start - 1 : 0, SeekOrigin.Begin);
            var chunk = new byte[64 * 1024];
            var line = new MemoryStream();
            var tooLong = false;
            var number = 0;
            int count;
            while ((count = read.Read(chunk, 0, chunk.Length)) > 0)
            {
                var from = 0;
                for (var i = 0; i <= count; i++)
                {
                    var end = i == count;
                    if (!end && chunk[i] != (byte)'\n') continue;
                    if (!skipping) Add(line, chunk, from, i - from, maxLineBytes, ref tooLong);
                    if (end) break;
                    if (!skipping)
                    {
                        number++;
                        if (Complete(line, tooLong, number, out var complete)) yield return complete;
                    }
                    skipping = false;
                    tooLong = false;
                    line.SetLength(0);
                    from = i + 1;
                }
            }
            if (!skipping && (line.Length > 0 || tooLong) && Complete(line, tooLong, number + 1, out var last)) yield return last;
        }
    }

    /// <summary>True when the file does not end with a newline (a line cut short by a crash).</summary>
    public static bool EndsInsideALine(string path)
    {
        using (var read = new FileStream(path, FileMode.Open, FileAccess.Read, Sharing))
        {
            if (read.Length == 0) return false;
            read.Seek(-1, SeekOrigin.End);
            return read.ReadByte() != '\n';
        }
    }

    private static void Add(MemoryStream line, byte[] chunk, int offset, int count, int maxLineBytes, ref bool tooLong)
    {
        if (tooLong || count == 0) return;
        if (line.Length + count > maxLineBytes)
        {
            tooLong = true;
            line.SetLength(0);
            return;
        }
        line.Write(chunk, offset, count);
    }

    private static bool Complete(MemoryStream line, bool tooLong, int number, out JournalLine complete)
    {
        var bytes = line.GetBuffer();
        var length = (int)line.Length;
        if (length > 0 && bytes[length - 1] == (byte)'\r') length--;
        complete = new JournalLine { Number = number, TooLong = tooLong, Bytes = tooLong ? default : new ArraySegment<byte>(bytes, 0, length) };
        return tooLong || !WebhookInput.IsBlank(bytes, 0, length);
    }
}
