using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace ReturnsHelper.Webhooks;

/// <summary>One body (or record) found in an input: a raw body, a JSON-lines record, or why the input is neither.</summary>
internal sealed class WebhookInputItem : IDisposable
{
    /// <summary>1-based line in a JSON-lines input; null when the whole input was one item.</summary>
    public int? Line { get; set; }
    /// <summary>The raw body bytes: the input itself, or the body kept in a record.</summary>
    public byte[] Body { get; set; }
    /// <summary>
    /// The raw body as read (parsed) while the input was split, so converting it does not parse it again; null for a
    /// record (its body is parsed when it is converted) and for an item with an <see cref="Error"/>.
    /// </summary>
    public WebhookBody Parsed { get; set; }
    /// <summary>Set when the item is a Receive-RrWebhook record (it carries the headers and the receive time).</summary>
    public WebhookRecord Record { get; set; }
    public WebhookFormatException Error { get; set; }

    public void Dispose() => Parsed?.Dispose();
}

/// <summary>
/// Splits what ConvertFrom-RrWebhook is given into items: a whole input that is one JSON value is one item
/// (a raw body, byte for byte, or one record); otherwise, when its first line is a JSON object, it is JSON
/// lines (a Receive-RrWebhook -Path file, or minified bodies one a line) and every non-empty line is an item.
/// </summary>
internal static class WebhookInput
{
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

    private static IEnumerable<WebhookInputItem> ReadLines(string path)
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
            else yield return Item(Slice(line.Bytes.Array, line.Bytes.Offset, line.Bytes.Count), line.Number, out _);
        }
    }

    public static IEnumerable<WebhookInputItem> Read(byte[] input)
    {
        input = input ?? new byte[0];
        var start = WebhookBody.BomLength(input);
        // The whole input is the body as it is (no copy) unless a byte order mark comes off it.
        var whole = Item(start == 0 ? input : Slice(input, start, input.Length - start), null, out var wholeKind);
        // Not one JSON value: JSON lines when the first non-empty line is a JSON object followed by more lines.
        WebhookInputItem first = null;
        if (wholeKind == JsonValueKind.Undefined)
        {
            var firstLine = LinesOf(input, start).FirstOrDefault();
            if (firstLine.Number > 0 && firstLine.Next < input.Length)
            {
                first = Item(Slice(input, firstLine.Start, firstLine.End - firstLine.Start), firstLine.Number, out var firstKind);
                if (firstKind != JsonValueKind.Object)
                {
                    first.Dispose();
                    first = null;
                }
            }
        }
        if (first == null)
        {
            yield return whole;
            yield break;
        }
        whole.Dispose();
        yield return first;
        foreach (var line in LinesOf(input, start).Skip(1))
            yield return Item(Slice(input, line.Start, line.End - line.Start), line.Number, out _);
    }

    /// <summary>
    /// The non-blank lines of <paramref name="input"/> from <paramref name="start"/>: 1-based number, start, end
    /// (without the CR) and the position of the LF after it (the input length for the last line).
    /// </summary>
    private static IEnumerable<(int Number, int Start, int End, int Next)> LinesOf(byte[] input, int start)
    {
        var lineNumber = 0;
        var lineStart = start;
        for (var i = start; i <= input.Length; i++)
        {
            if (i < input.Length && input[i] != (byte)'\n') continue;
            lineNumber++;
            var end = i > lineStart && input[i - 1] == (byte)'\r' ? i - 1 : i;
            if (!IsBlank(input, lineStart, end - lineStart)) yield return (lineNumber, lineStart, end, i);
            lineStart = i + 1;
        }
    }

    /// <summary>
    /// One item, its bytes read (parsed) once: a record, a raw body with its parse, or an empty body.
    /// <paramref name="kind"/> is what the bytes are as JSON (Undefined: not JSON).
    /// </summary>
    private static WebhookInputItem Item(byte[] bytes, int? line, out JsonValueKind kind)
    {
        kind = JsonValueKind.Undefined;
        var item = new WebhookInputItem { Line = line, Body = bytes };
        if (IsBlank(bytes, 0, bytes.Length))
        {
            item.Error = new WebhookFormatException(WebhookField.Body, "The webhook body is empty.");
            return item;
        }
        var parsed = WebhookBody.Read(bytes);
        if (parsed.Document != null) kind = parsed.Document.RootElement.ValueKind;
        try
        {
            if (parsed.Document != null && WebhookRecord.TryRead(parsed.Document.RootElement, out var record))
            {
                item.Record = record;
                item.Body = record.Body;
                parsed.Dispose();
            }
            else item.Parsed = parsed; // a raw body; if it is not an event, that is reported when it is converted (after any signature check)
        }
        catch (WebhookFormatException e)
        {
            parsed.Dispose();
            item.Error = e;
        }
        return item;
    }

    private static byte[] Slice(byte[] input, int offset, int count)
    {
        var bytes = new byte[count];
        Buffer.BlockCopy(input, offset, bytes, 0, count);
        return bytes;
    }

    internal static bool IsBlank(byte[] b, int offset, int count)
    {
        for (var i = offset; i < offset + count; i++)
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') return false;
        return true;
    }
}
