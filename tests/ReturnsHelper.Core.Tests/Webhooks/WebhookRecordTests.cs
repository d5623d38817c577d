using System.Text;
using System.Text.Json;
using ReturnsHelper.Webhooks;
using Xunit;

namespace ReturnsHelper.Tests.Webhooks;

public class WebhookRecordTests
{
    private static readonly DateTimeOffset Received = new(2024, 7, 15, 3, 30, 6, 123, TimeSpan.Zero);

    private static WebhookRecord Record(byte[] body) => new()
    {
        ReceivedAt = Received,
        EndpointUri = "https://hooks.example.com/rh",
        Timestamp = "2024-07-15T03:30:05.1984163Z",
        Signature = "3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs=",
        Body = body,
    };

    private static WebhookRecord ReadBack(string line)
    {
        using var document = JsonDocument.Parse(line);
        Assert.True(WebhookRecord.TryRead(document.RootElement, out var record));
        return record;
    }

    [Fact]
    public void A_record_is_one_line_and_restores_the_raw_body_byte_for_byte()
    {
        // Pretty-printed, with CRLF, tabs, quotes, backslashes, non-ASCII and an astral character: all must survive.
        var body = Encoding.UTF8.GetBytes("{\r\n\t\"category\": \"rsl\",\n  \"note\": \"caf\u00e9 \\\"quoted\\\" \\\\ \u2713 \ud83d\ude00 <b>&amp;</b>\"\n}\n");
        var line = Record(body).ToJsonLine();
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.StartsWith("{\"rrWebhookRecord\":1,", line);
        var back = ReadBack(line);
        Assert.Equal(body, back.Body);
        Assert.Equal(Received, back.ReceivedAt);
        Assert.Equal("2024-07-15T03:30:05.1984163Z", back.Timestamp);
        Assert.Equal("3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs=", back.Signature);
        Assert.Equal("https://hooks.example.com/rh", back.EndpointUri);
        Assert.Contains("caf\u00e9", line); // readable, not \u-escaped
    }

    [Fact]
    public void A_body_that_is_not_valid_UTF8_is_kept_as_Base64()
    {
        var body = new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}' };
        var line = Record(body).ToJsonLine();
        Assert.Contains("\"bodyBase64\":", line);
        Assert.Equal(body, ReadBack(line).Body);
    }

    [Fact]
    public void An_object_without_the_marker_is_not_a_record()
    {
        using var document = JsonDocument.Parse("{\"body\":\"{}\",\"timestamp\":\"x\"}");
        Assert.False(WebhookRecord.TryRead(document.RootElement, out _));
    }

    [Fact]
    public void A_record_without_a_body_is_a_clear_error()
    {
        using var document = JsonDocument.Parse("{\"rrWebhookRecord\":1,\"timestamp\":\"x\"}");
        var e = Assert.Throws<WebhookFormatException>(() => WebhookRecord.TryRead(document.RootElement, out _));
        Assert.Contains("neither 'body' nor 'bodyBase64'", e.Message);
    }
}

public class WebhookInputTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void A_whole_JSON_value_is_one_item_byte_for_byte_even_across_lines()
    {
        var items = WebhookInput.Read(Utf8(WebhookSamples.CompleteInventoryHandling)).ToList();
        var item = Assert.Single(items);
        Assert.Null(item.Line);
        Assert.Null(item.Error);
        Assert.Null(item.Record);
        Assert.Equal(Utf8(WebhookSamples.CompleteInventoryHandling), item.Body);
    }

    [Fact]
    public void JSON_lines_of_records_and_bodies_are_items_with_line_numbers_and_bad_lines_are_errors()
    {
        var record = new WebhookRecord { ReceivedAt = DateTimeOffset.UtcNow, EndpointUri = "u", Timestamp = "t", Signature = "s", Body = Utf8(WebhookSamples.RecallUpdateTracking) }.ToJsonLine();
        var minified = JsonSerializer.Serialize(JsonDocument.Parse(WebhookSamples.VasUpdated).RootElement);
        var text = record + "\r\n\n" + minified + "\n{broken\n" + "{\"rrWebhookRecord\":1}\n";
        var items = WebhookInput.Read(Utf8(text)).ToList();
        Assert.Equal(4, items.Count);
        Assert.Equal(1, items[0].Line);
        Assert.NotNull(items[0].Record);
        Assert.Equal(Utf8(WebhookSamples.RecallUpdateTracking), items[0].Body);
        Assert.Equal(3, items[1].Line);
        Assert.Null(items[1].Record);
        Assert.Equal(Utf8(minified), items[1].Body);
        // A raw body's one parse goes with it (a record's body is parsed when it is converted).
        Assert.Null(items[0].Parsed);
        Assert.Equal("rrliv", Assert.IsType<VasUpdatedEvent>(WebhookParser.Parse(items[1].Parsed)).Category);
        Assert.Equal(4, items[2].Line);
        Assert.Null(items[2].Error); // not JSON: the parser reports it, with its position, when converting
        Assert.Throws<WebhookFormatException>(() => WebhookParser.Parse(items[2].Body));
        Assert.Equal(5, items[3].Line);
        Assert.NotNull(items[3].Error);
    }

    [Fact]
    public void Malformed_text_that_is_not_JSON_lines_is_one_item()
    {
        var item = Assert.Single(WebhookInput.Read(Utf8("{\n  \"category\": \"rsl\",\n")));
        Assert.Null(item.Line);
    }

    [Fact]
    public void An_empty_input_is_one_item_with_an_error()
    {
        var item = Assert.Single(WebhookInput.Read(Utf8("")));
        Assert.Contains("empty", item.Error.Message);
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_body()
    {
        var item = Assert.Single(WebhookInput.Read(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Utf8("{\"category\":\"rsl\"}")).ToArray()));
        Assert.Equal(Utf8("{\"category\":\"rsl\"}"), item.Body);
    }
}

public class WebhookRecordFileTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rh-webhook-tests-" + Guid.NewGuid().ToString("N"));

    public WebhookRecordFileTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, true);

    private static WebhookRecord Record(string body) => new() { ReceivedAt = DateTimeOffset.UtcNow, EndpointUri = "u", Timestamp = "t", Signature = "s", Body = Encoding.UTF8.GetBytes(body) };

    [Fact]
    public void Appends_one_line_per_record_and_remembers_their_keys_when_reopened()
    {
        var path = Path.Combine(folder, "events.jsonl");
        using (var file = WebhookRecordFile.Open(path))
        {
            Assert.Equal(0, file.RecordsRead);
            file.Append(Record(WebhookSamples.NewInventoryCreated));
            file.Append(Record(WebhookSamples.CompleteInventoryHandling));
        }
        Assert.Equal(2, File.ReadAllLines(path).Length);
        var seen = new DedupeSet(10);
        using (var reopened = WebhookRecordFile.Open(path, seen))
        {
            Assert.Equal(2, reopened.RecordsRead);
            Assert.Equal(0, reopened.UnreadableLines);
        }
        Assert.Equal(2, seen.Count);
        Assert.True(seen.Contains("01J9B2C2B8HNR1DRGA74BJQQB5"));
        Assert.True(seen.Contains(WebhookParser.DedupeKeyOf(Encoding.UTF8.GetBytes(WebhookSamples.CompleteInventoryHandling))));
    }

    [Fact]
    public void A_line_cut_short_is_skipped_and_does_not_swallow_the_next_record()
    {
        var path = Path.Combine(folder, "events.jsonl");
        File.WriteAllText(path, Record(WebhookSamples.VasUpdated).ToJsonLine() + "\n{\"rrWebhookRecord\":1,\"rece");
        using (var file = WebhookRecordFile.Open(path))
        {
            Assert.Equal(1, file.RecordsRead);
            Assert.Equal(1, file.UnreadableLines);
            file.Append(Record(WebhookSamples.RmaSwapped));
        }
        var lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        using var document = JsonDocument.Parse(lines[2]);
        Assert.True(WebhookRecord.TryRead(document.RootElement, out var record));
        Assert.Equal(Encoding.UTF8.GetBytes(WebhookSamples.RmaSwapped), record.Body);
    }

    [Fact]
    public void An_empty_existing_file_has_no_unreadable_lines()
    {
        var path = Path.Combine(folder, "empty.jsonl");
        File.WriteAllText(path, "");
        using var file = WebhookRecordFile.Open(path);
        Assert.Equal(0, file.RecordsRead);
        Assert.Equal(0, file.UnreadableLines);
    }

    private static string Event(int n) => $"{{\"category\":\"rsl\",\"action\":\"markShipmentArrive\",\"notificationId\":\"N{n}\",\"shipment\":{{\"shipmentId\":{n}}}}}";

    [Fact]
    public void Rotates_by_size_keeping_the_given_number_of_old_files()
    {
        var path = Path.Combine(folder, "events.jsonl");
        var lineBytes = Encoding.UTF8.GetByteCount(Record(Event(10)).ToJsonLine() + "\n");
        // Two records a file: the third starts a new one.
        using (var file = WebhookRecordFile.Open(path, maxBytes: lineBytes * 2 + 10, keepFiles: 2))
            for (var n = 10; n < 17; n++) file.Append(Record(Event(n)));

        string[] Ids(string p) => File.ReadAllLines(p).Select(l =>
        {
            using var d = JsonDocument.Parse(l);
            Assert.True(WebhookRecord.TryRead(d.RootElement, out var r));
            return WebhookParser.Parse(r.Body).NotificationId;
        }).ToArray();
        Assert.Equal(new[] { "N16" }, Ids(path));
        Assert.Equal(new[] { "N14", "N15" }, Ids(Path.Combine(folder, "events.1.jsonl")));
        Assert.Equal(new[] { "N12", "N13" }, Ids(Path.Combine(folder, "events.2.jsonl")));
        Assert.False(File.Exists(Path.Combine(folder, "events.3.jsonl")));
        Assert.Equal(Path.Combine(folder, "events.1"), WebhookRecordFile.RotatedPath(Path.Combine(folder, "events"), 1));
    }

    [Fact]
    public void A_rotation_that_fails_is_an_IOException_and_the_next_append_tries_again()
    {
        var path = Path.Combine(folder, "events.jsonl");
        var lineBytes = Encoding.UTF8.GetByteCount(Record(Event(10)).ToJsonLine() + "\n");
        var obstacle = Directory.CreateDirectory(Path.Combine(folder, "events.1.jsonl"));   // the rotated name is taken
        using (var file = WebhookRecordFile.Open(path, maxBytes: lineBytes + 10, keepFiles: 1))
        {
            file.Append(Record(Event(10)));
            Assert.ThrowsAny<IOException>(() => file.Append(Record(Event(11))));
            obstacle.Delete();
            file.Append(Record(Event(12)));
        }
        Assert.Single(File.ReadAllLines(Path.Combine(folder, "events.1.jsonl")));
        Assert.Contains("N12", File.ReadAllText(path));
    }

    [Fact]
    public void At_start_only_the_tail_window_is_read_continuing_into_the_newest_rotated_file()
    {
        var path = Path.Combine(folder, "events.jsonl");
        var lineBytes = Encoding.UTF8.GetByteCount(Record(Event(10)).ToJsonLine() + "\n");
        var window = lineBytes * 3 + 10;
        using (var file = WebhookRecordFile.Open(path, maxBytes: window))
            for (var n = 10; n < 15; n++) file.Append(Record(Event(n)));    // events.1.jsonl: N10..N12, events.jsonl: N13, N14

        var seen = new DedupeSet(100);
        using (var reopened = WebhookRecordFile.Open(path, seen, maxBytes: window))
        {
            // The window reaches one whole record (N12) into the rotated file; the cut one before it is not counted.
            Assert.Equal(3, reopened.RecordsRead);
            Assert.Equal(0, reopened.UnreadableLines);
        }
        Assert.Equal(new[] { false, false, true, true, true }, Enumerable.Range(10, 5).Select(n => seen.Contains("N" + n)));
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_unreadable_and_not_held()
    {
        var path = Path.Combine(folder, "events.jsonl");
        File.WriteAllText(path, new string('x', 100_000) + "\n" + Record(Event(1)).ToJsonLine() + "\n");
        var seen = new DedupeSet(10);
        using (var file = WebhookRecordFile.Open(path, seen, maxLineBytes: 10_000))
        {
            Assert.Equal(1, file.RecordsRead);
            Assert.Equal(1, file.UnreadableLines);
        }
        Assert.True(seen.Contains("N1"));
    }

    [Fact]
    public void A_record_with_invalid_utf8_is_an_unreadable_line_not_a_crash()
    {
        var path = Path.Combine(folder, "events.jsonl");
        var good = Encoding.UTF8.GetBytes(Record(Event(2)).ToJsonLine() + "\n");
        var bad = Encoding.UTF8.GetBytes("{\"rrWebhookRecord\":1,\"body\":\"caf").Concat(new byte[] { 0xC3 }).Concat(Encoding.UTF8.GetBytes("\"}\n")).ToArray();
        File.WriteAllBytes(path, bad.Concat(good).ToArray());
        var seen = new DedupeSet(10);
        using (var file = WebhookRecordFile.Open(path, seen))
        {
            Assert.Equal(1, file.RecordsRead);
            Assert.Equal(1, file.UnreadableLines);
        }
        Assert.True(seen.Contains("N2"));
    }

    [Fact]
    public void Journal_lines_keep_their_numbers_and_a_too_long_line_comes_without_its_bytes()
    {
        var path = Path.Combine(folder, "lines.jsonl");
        File.WriteAllText(path, "one\r\n\n" + new string('x', 200) + "\n  \nfour");
        var lines = WebhookJournalReader.Lines(path, long.MaxValue, maxLineBytes: 100)
            .Select(l => (l.Number, l.TooLong, Text: l.TooLong ? null : Encoding.UTF8.GetString(l.Bytes.Array!, l.Bytes.Offset, l.Bytes.Count))).ToList();
        Assert.Equal(new[] { (1, false, "one"), (3, true, (string)null), (5, false, "four") }, lines);
    }

    [Fact]
    public void A_file_larger_than_the_whole_file_limit_is_read_line_by_line_with_per_line_errors()
    {
        var path = Path.Combine(folder, "big.jsonl");
        var good = Record(WebhookSamples.VasUpdated).ToJsonLine() + "\n";
        var count = (int)(WebhookInput.WholeFileLimit / Encoding.UTF8.GetByteCount(good)) + 1;
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            for (var i = 0; i < count; i++) writer.Write(good);
            writer.Write("{\"rrWebhookRecord\":1,\"body\":\"cut short\n");
            writer.Write(good);
        }
        var items = WebhookInput.ReadFile(path).ToList();
        Assert.Equal(count + 2, items.Count);
        // The cut line is not a record; converting it is the per-line error (as for a file read whole).
        var bad = Assert.Single(items, i => i.Record == null);
        Assert.Equal(count + 1, bad.Line);
        Assert.Throws<WebhookFormatException>(() => WebhookParser.Parse(bad.Body));
        Assert.Equal(count + 2, items[^1].Line);
        Assert.Equal(WebhookSamples.VasUpdated, Encoding.UTF8.GetString(items[^1].Record.Body));
    }

    [Fact]
    public void A_missing_folder_is_a_clear_error()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => WebhookRecordFile.Open(Path.Combine(folder, "nope", "events.jsonl")));
        Assert.Contains("does not exist", e.Message);
    }
}
