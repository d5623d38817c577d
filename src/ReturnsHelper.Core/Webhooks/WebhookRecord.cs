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
        const int FormatVersion = 1;

        static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);
        static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public DateTimeOffset ReceivedAt { get; set; }
        public string EndpointUri { get; set; }
        public string Timestamp { get; set; }
        public string Signature { get; set; }
        public byte[] Body { get; set; }

        /// <summary>The record as one line (no newline inside: JSON escapes every control character in strings).</summary>
        public string ToJsonLine()
        {
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
                    if (TryStrictText(Body, out var text)) writer.WriteString("body", text);
                    else writer.WriteString("bodyBase64", Convert.ToBase64String(Body ?? new byte[0]));
                    writer.WriteEndObject();
                }
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }

        /// <summary>True when <paramref name="root"/> is a record (it has the marker); a malformed record is a clear error.</summary>
        public static bool TryRead(JsonElement root, out WebhookRecord record)
        {
            record = null;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(Marker, out _)) return false;
            byte[] body;
            if (JsonRead.TryGet(root, "body", out var text) && text.ValueKind == JsonValueKind.String) body = Encoding.UTF8.GetBytes(text.GetString());
            else if (JsonRead.TryGet(root, "bodyBase64", out var b64) && b64.ValueKind == JsonValueKind.String) body = FromBase64(b64.GetString());
            else throw new WebhookFormatException(WebhookField.Body, "The webhook record has neither 'body' nor 'bodyBase64'.");
            var receivedAt = JsonRead.Time(root, "receivedAt");
            record = new WebhookRecord
            {
                ReceivedAt = receivedAt.HasValue ? new DateTimeOffset(receivedAt.Value, TimeSpan.Zero) : DateTimeOffset.MinValue,
                EndpointUri = JsonRead.String(root, "endpointUri"),
                Timestamp = JsonRead.String(root, "timestamp"),
                Signature = JsonRead.String(root, "signature"),
                Body = body,
            };
            return true;
        }

        static byte[] FromBase64(string s)
        {
            try { return Convert.FromBase64String(s); }
            catch (FormatException e) { throw new WebhookFormatException(WebhookField.Body, "The webhook record's 'bodyBase64' is not valid Base64.", e); }
        }

        static bool TryStrictText(byte[] bytes, out string text)
        {
            try
            {
                text = StrictUtf8.GetString(bytes ?? new byte[0]);
                return true;
            }
            catch (DecoderFallbackException)
            {
                text = null;
                return false;
            }
        }
    }

    /// <summary>
    /// The JSON-lines file of Receive-RrWebhook -Path: appends one record per verified delivery and flushes it to
    /// disk before the delivery is acknowledged, so nothing acknowledged is lost if the script stops.
    /// </summary>
    internal sealed class WebhookRecordFile : IDisposable
    {
        readonly FileStream stream;

        public string Path { get; }
        /// <summary>Dedupe keys of the records already in the file (so a restarted receiver still drops redeliveries).</summary>
        public List<string> ExistingKeys { get; } = new List<string>();
        /// <summary>Lines of the existing file that are not records (reported, never fatal).</summary>
        public int UnreadableLines { get; private set; }

        WebhookRecordFile(string path, FileStream stream)
        {
            Path = path;
            this.stream = stream;
        }

        public static WebhookRecordFile Open(string path)
        {
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                throw new DirectoryNotFoundException($"The folder of the webhook file '{path}' does not exist.");
            var keys = new List<string>();
            var unreadable = 0;
            var needsNewline = false;
            if (File.Exists(path))
            {
                var existing = File.ReadAllBytes(path);
                if (!WebhookInput.IsBlank(existing, 0, existing.Length))
                    foreach (var item in WebhookInput.Read(existing))
                    {
                        if (item.Record != null) keys.Add(WebhookParser.DedupeKeyOf(item.Record.Body));
                        else unreadable++;
                    }
                // A line cut short by a crash must not swallow the next record.
                using (var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                    if (read.Length > 0)
                    {
                        read.Seek(-1, SeekOrigin.End);
                        needsNewline = read.ReadByte() != '\n';
                    }
            }
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var file = new WebhookRecordFile(path, stream) { UnreadableLines = unreadable };
            file.ExistingKeys.AddRange(keys);
            if (needsNewline) file.WriteLine("");
            return file;
        }

        public void Append(WebhookRecord record) => WriteLine(record.ToJsonLine());

        void WriteLine(string line)
        {
            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(true);
        }

        public void Dispose() => stream.Dispose();
    }
}
