using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace ReturnsHelper.Webhooks
{
    /// <summary>One body (or record) found in an input: a raw body, a JSON-lines record, or why the input is neither.</summary>
    internal sealed class WebhookInputItem
    {
        /// <summary>1-based line in a JSON-lines input; null when the whole input was one item.</summary>
        public int? Line { get; set; }
        /// <summary>The raw body bytes: the input itself, or the body kept in a record.</summary>
        public byte[] Body { get; set; }
        /// <summary>Set when the item is a Receive-RrWebhook record (it carries the headers and the receive time).</summary>
        public WebhookRecord Record { get; set; }
        public WebhookFormatException Error { get; set; }
    }

    /// <summary>
    /// Splits what ConvertFrom-RrWebhook is given into items: a whole input that is one JSON value is one item
    /// (a raw body, byte for byte, or one record); otherwise, when its first line is a JSON object, it is JSON
    /// lines (a Receive-RrWebhook -Path file, or minified bodies one a line) and every non-empty line is an item.
    /// </summary>
    internal static class WebhookInput
    {
        static readonly JsonDocumentOptions Options = new JsonDocumentOptions { MaxDepth = 64 };

        /// <summary>Files up to this size are read whole, as one body or as JSON lines; a larger file can only be JSON lines.</summary>
        public const long WholeFileLimit = 16 * 1024 * 1024;
        /// <summary>Longer lines of a large file are reported, not held: a record of the largest accepted body is far shorter.</summary>
        public const int MaxLineBytes = 16 * 1024 * 1024;

        /// <summary>
        /// The items of a file. One that is larger than <see cref="WholeFileLimit"/> (a journal: Return Helper bodies
        /// are a few KB and Receive-RrWebhook refuses any over 1 MB) is read line by line, in bounded memory.
        /// </summary>
        public static IEnumerable<WebhookInputItem> ReadFile(string path)
        {
            if (new FileInfo(path).Length <= WholeFileLimit) return Read(WebhookJournalReader.ReadAllBytes(path));
            return ReadLines(path);
        }

        static IEnumerable<WebhookInputItem> ReadLines(string path)
        {
            foreach (var line in WebhookJournalReader.Lines(path, long.MaxValue, MaxLineBytes))
            {
                if (line.TooLong)
                    yield return new WebhookInputItem
                    {
                        Line = line.Number,
                        Body = new byte[0],
                        Error = new WebhookFormatException(WebhookField.Body, $"The line is longer than {MaxLineBytes} bytes: it is not a webhook record."),
                    };
                else yield return Item(line.Bytes.Array, line.Bytes.Offset, line.Bytes.Count, line.Number, out _);
            }
        }

        public static IEnumerable<WebhookInputItem> Read(byte[] input)
        {
            input = input ?? new byte[0];
            var start = input.Length >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF ? 3 : 0;
            var whole = Item(input, start, input.Length - start, null, out var wholeIsJson);
            if (wholeIsJson || !LooksLikeJsonLines(input, start))
            {
                yield return whole;
                yield break;
            }
            var lineNumber = 0;
            var lineStart = start;
            for (var i = start; i <= input.Length; i++)
            {
                if (i < input.Length && input[i] != (byte)'\n') continue;
                lineNumber++;
                var end = i > lineStart && input[i - 1] == (byte)'\r' ? i - 1 : i;
                if (!IsBlank(input, lineStart, end - lineStart)) yield return Item(input, lineStart, end - lineStart, lineNumber, out _);
                lineStart = i + 1;
            }
        }

        static WebhookInputItem Item(byte[] input, int offset, int count, int? line, out bool isJson)
        {
            var bytes = new byte[count];
            Buffer.BlockCopy(input, offset, bytes, 0, count);
            var item = new WebhookInputItem { Line = line, Body = bytes };
            isJson = false;
            if (IsBlank(bytes, 0, bytes.Length))
            {
                item.Error = new WebhookFormatException(WebhookField.Body, "The webhook body is empty.");
                return item;
            }
            try
            {
                using (var document = JsonDocument.Parse(bytes, Options))
                {
                    isJson = true;
                    if (WebhookRecord.TryRead(document.RootElement, out var record))
                    {
                        item.Record = record;
                        item.Body = record.Body;
                    }
                }
            }
            catch (JsonException)
            {
                // Reported by the parser with its position when the item is converted.
            }
            catch (WebhookFormatException e)
            {
                item.Error = e;
            }
            return item;
        }

        /// <summary>JSON lines: more than one non-empty line, the first of them a complete JSON object.</summary>
        static bool LooksLikeJsonLines(byte[] input, int start)
        {
            var firstEnd = Array.IndexOf(input, (byte)'\n', start);
            if (firstEnd < 0) return false;
            for (var lineStart = start; lineStart < input.Length;)
            {
                var end = Array.IndexOf(input, (byte)'\n', lineStart);
                if (end < 0) end = input.Length;
                if (!IsBlank(input, lineStart, end - lineStart))
                {
                    try
                    {
                        using (var document = JsonDocument.Parse(new ReadOnlyMemory<byte>(input, lineStart, end - lineStart), Options))
                            return document.RootElement.ValueKind == JsonValueKind.Object && end < input.Length;
                    }
                    catch (JsonException)
                    {
                        return false;
                    }
                }
                lineStart = end + 1;
            }
            return false;
        }

        internal static bool IsBlank(byte[] b, int offset, int count)
        {
            for (var i = offset; i < offset + count; i++)
                if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') return false;
            return true;
        }
    }
}
