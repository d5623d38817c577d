using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReturnsHelper.Webhooks;
using Xunit;

namespace ReturnsHelper.Tests.Webhooks;

/// <summary>
/// Mutated webhook bodies, deterministic (fixed seed): bit flips, truncation, invalid UTF-8, wrong types and deep
/// nesting, derived from every sample. Whatever the bytes, the only exception allowed is the module's own.
/// </summary>
internal static class WebhookMutations
{
    public const int Seed = 20261201;

    public static readonly string[] Samples =
    {
        WebhookSamples.NewInventoryCreatedDocs, WebhookSamples.NewInventoryCreated, WebhookSamples.RecallUpdateTracking,
        WebhookSamples.RecallUpdate2021, WebhookSamples.CompleteInventoryHandling, WebhookSamples.LabelSuccess,
        WebhookSamples.LabelFailed, WebhookSamples.ShipmentArrivedV1, WebhookSamples.ShipmentArrivedV2,
        WebhookSamples.WarehouseRemarks, WebhookSamples.VasUpdated, WebhookSamples.RmaSwapped, WebhookSamples.ConsolidatedShipped,
    };

    private static readonly byte[][] InvalidUtf8 =
    {
        new byte[] { 0xC3 },                   // a lead byte with nothing after it ("caf\xc3")
        new byte[] { 0x80 },                   // a lone continuation byte
        new byte[] { 0xFF, 0xFE },             // never valid
        new byte[] { 0xC0, 0xAF },             // overlong '/'
        new byte[] { 0xED, 0xA0, 0x80 },       // an encoded surrogate
        new byte[] { 0xF4, 0x90, 0x80, 0x80 }, // above U+10FFFF
    };

    private static readonly string[] WrongValues =
    {
        "{}", "[]", "[1,[2]]", "\"x\"", "\"\"", "true", "null", "-1", "0.5", "1e400", "-1e400", "99999999999999999999999999",
        "\"99999999999999999999\"", "\"2024-13-45T99:99:99Z\"", "{\"a\":{\"b\":[]}}", "\"\\ud800\"", "\"\\u0000\"",
    };

    private static readonly Regex Value = new("(\"[A-Za-z0-9]+\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9][0-9.eE+-]*|true|false|null|\\{|\\[)", RegexOptions.Compiled);

    /// <summary>About <paramref name="perSample"/> mutants of every sample, plus fixed nasty cases.</summary>
    public static IEnumerable<(string Kind, byte[] Body)> All(int perSample)
    {
        var random = new Random(Seed);
        foreach (var sample in Samples)
        {
            var bytes = Encoding.UTF8.GetBytes(sample);
            for (var i = 0; i < perSample; i++)
                switch (i % 5)
                {
                    case 0: yield return ("bit flips", FlipBits(bytes, random)); break;
                    case 1: yield return ("truncation", bytes.Take(random.Next(bytes.Length)).ToArray()); break;
                    case 2: yield return ("invalid UTF-8", InsertInvalidUtf8(bytes, random)); break;
                    case 3: yield return ("wrong type", Encoding.UTF8.GetBytes(WrongType(sample, random))); break;
                    default: yield return ("nesting", Encoding.UTF8.GetBytes(Nest(sample, random))); break;
                }
        }
        yield return ("deep arrays", Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)));
        yield return ("deep objects", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)));
        yield return ("invalid UTF-8 in a read field", Encoding.UTF8.GetBytes("{\"category\":\"rinv\",\"action\":\"completeInventoryHandling\",\"returnInventory\":{\"returnInventoryId\":1,\"description\":\"caf")
            .Concat(new byte[] { 0xC3 }).Concat(Encoding.UTF8.GetBytes("\"}}")).ToArray());
        yield return ("invalid UTF-8 in the category", new byte[] { (byte)'{', (byte)'"', (byte)'c', (byte)'a', (byte)'t', (byte)'e', (byte)'g', (byte)'o', (byte)'r', (byte)'y', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}' });
        yield return ("invalid UTF-8 in a property name", Encoding.UTF8.GetBytes("{\"category\":\"x\",\"").Concat(new byte[] { 0xC3 }).Concat(Encoding.UTF8.GetBytes("\":1}")).ToArray());
        yield return ("only a BOM", new byte[] { 0xEF, 0xBB, 0xBF });
        yield return ("NUL bytes", new byte[16]);
    }

    private static byte[] FlipBits(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        for (var n = random.Next(1, 6); n > 0; n--) copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    private static byte[] InsertInvalidUtf8(byte[] bytes, Random random)
    {
        // Inside a string value most of the time (where System.Text.Json does not look until the string is read).
        var quotes = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == (byte)'"').ToArray();
        var at = quotes.Length > 0 && random.Next(4) > 0 ? quotes[random.Next(quotes.Length)] : random.Next(bytes.Length);
        var bad = InvalidUtf8[random.Next(InvalidUtf8.Length)];
        return bytes.Take(at).Concat(bad).Concat(bytes.Skip(at)).ToArray();
    }

    /// <summary>One value (a scalar, or the opening of an object/array, which is then closed by its own brackets) replaced.</summary>
    private static string WrongType(string sample, Random random)
    {
        var matches = Value.Matches(sample);
        var m = matches[random.Next(matches.Count)];
        var replacement = WrongValues[random.Next(WrongValues.Length)];
        var valueGroup = m.Groups[2];
        var end = valueGroup.Index + valueGroup.Length;
        if (valueGroup.Value == "{" || valueGroup.Value == "[") end = MatchingClose(sample, valueGroup.Index) + 1;
        return sample.Substring(0, valueGroup.Index) + replacement + sample.Substring(end);
    }

    private static int MatchingClose(string s, int open)
    {
        var depth = 0;
        var inString = false;
        for (var i = open; i < s.Length; i++)
        {
            var c = s[i];
            if (inString) { if (c == '\\') i++; else if (c == '"') inString = false; continue; }
            if (c == '"') inString = true;
            else if (c == '{' || c == '[') depth++;
            else if ((c == '}' || c == ']') && --depth == 0) return i;
        }
        return s.Length - 1;
    }

    /// <summary>A value wrapped in arrays: within the depth limit sometimes, far beyond it other times.</summary>
    private static string Nest(string sample, Random random)
    {
        var m = Value.Matches(sample)[random.Next(Value.Matches(sample).Count)];
        var depth = random.Next(2) == 0 ? random.Next(1, 60) : random.Next(60, 5_000);
        var at = m.Groups[2].Index;
        return sample.Substring(0, at) + new string('[', depth) + "1" + new string(']', depth) + ","
            + "\"nested\":" + sample.Substring(at);
    }
}

public class WebhookFuzzTests
{
    private const string Key = "dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm";
    private const string Registered = "https://hooks.example.com/returnhelper";

    private static readonly WebhookVerifier Verifier = WebhookVerifier.FromBase64Key(Key, Registered, null);

    /// <summary>Runs <paramref name="action"/>; a failure names the mutation and the input so it can be reproduced.</summary>
    private static void OnlyOwnExceptions(string kind, byte[] body, Action action)
    {
        try { action(); }
        catch (WebhookFormatException) { }
        catch (Exception e)
        {
            Assert.Fail($"{kind}: {e.GetType().Name}: {e.Message}\n{Convert.ToBase64String(body.Take(400).ToArray())}");
        }
    }

    [Fact]
    public void The_parser_turns_every_mutated_body_into_an_event_or_its_own_error()
    {
        var cases = WebhookMutations.All(perSample: 300).ToList();
        Assert.True(cases.Count > 3_000);
        var events = 0;
        var errors = 0;
        foreach (var (kind, body) in cases)
        {
            OnlyOwnExceptions(kind, body, () =>
            {
                Assert.False(string.IsNullOrEmpty(WebhookParser.DedupeKeyOf(body)));
                try
                {
                    var e = WebhookParser.Parse(body);
                    // An event that parsed is usable: its summary and text never throw, and its raw body is the input.
                    _ = e.Summary + e;
                    Assert.Equal(body, Encoding.UTF8.GetBytes(e.RawBody));
                    events++;
                }
                catch (WebhookFormatException) { errors++; throw; }
            });
        }
        // Both outcomes occur: the mutations neither all break the bodies nor all leave them intact.
        Assert.True(events > 100, $"{events} events");
        Assert.True(errors > 100, $"{errors} errors");
    }

    [Fact]
    public void Invalid_utf8_anywhere_is_a_body_error_naming_utf8()
    {
        var body = Encoding.UTF8.GetBytes("{\"category\":\"rinv\",\"action\":\"completeInventoryHandling\",\"returnInventory\":{\"returnInventoryId\":1,\"description\":\"caf")
            .Concat(new byte[] { 0xC3 }).Concat(Encoding.UTF8.GetBytes("\"}}")).ToArray();
        var e = Assert.Throws<WebhookFormatException>(() => WebhookParser.Parse(body));
        Assert.Equal(WebhookField.Body, e.Field);
        Assert.Contains("not valid UTF-8", e.Message);
        // An unknown field is checked too: it would reach the Payload property.
        var unread = Encoding.UTF8.GetBytes("{\"category\":\"x\",\"other\":\"").Concat(new byte[] { 0x80 }).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray();
        Assert.Contains("not valid UTF-8", Assert.Throws<WebhookFormatException>(() => WebhookParser.Parse(unread)).Message);
    }

    [Fact]
    public void The_signature_verifier_accepts_any_bytes_and_any_header_text()
    {
        var random = new Random(WebhookMutations.Seed);
        const string timestamp = "2024-07-20T01:00:00.0000000Z";
        foreach (var (kind, body) in WebhookMutations.All(perSample: 40))
        {
            var signature = TestSigner.Sign(Key, Registered, timestamp, body);
            OnlyOwnExceptions(kind, body, () => Assert.True(Verifier.Verify(timestamp, signature, body, DateTimeOffset.UtcNow).IsValid));
            // Mutated headers: a clear WebhookFormatException or a false result, never anything else.
            var badSignature = Mutate(signature, random);
            var badTimestamp = Mutate(timestamp, random);
            OnlyOwnExceptions(kind + " / signature " + badSignature, body, () => Verifier.Verify(timestamp, badSignature, body, DateTimeOffset.UtcNow));
            OnlyOwnExceptions(kind + " / timestamp " + badTimestamp, body, () => Verifier.Verify(badTimestamp, signature, body, DateTimeOffset.UtcNow));
        }
    }

    private static string Mutate(string s, Random random)
    {
        var chars = s.ToCharArray();
        chars[random.Next(chars.Length)] = (char)random.Next(0, 0x3000);
        var text = new string(chars);
        return random.Next(3) == 0 ? text.Substring(0, random.Next(text.Length)) : text;
    }

    [Fact]
    public void Mutated_journal_lines_are_records_bodies_or_per_line_errors()
    {
        var random = new Random(WebhookMutations.Seed);
        foreach (var (kind, body) in WebhookMutations.All(perSample: 60))
        {
            var line = Encoding.UTF8.GetBytes(new WebhookRecord { ReceivedAt = DateTimeOffset.UtcNow, EndpointUri = Registered, Timestamp = "t", Signature = "s", Body = body }.ToJsonLine());
            // The record line itself damaged too (as a crash or a bad disk would), between two good lines.
            var damaged = random.Next(2) == 0 ? line : line.Select(b => random.Next(200) == 0 ? (byte)(b ^ (1 << random.Next(8))) : b).ToArray();
            var good = Encoding.UTF8.GetBytes(new WebhookRecord { ReceivedAt = DateTimeOffset.UtcNow, EndpointUri = Registered, Timestamp = "t", Signature = "s", Body = Encoding.UTF8.GetBytes(WebhookSamples.VasUpdated) }.ToJsonLine());
            var input = good.Concat(new[] { (byte)'\n' }).Concat(damaged.Where(b => b != (byte)'\n')).Concat(new[] { (byte)'\n' }).Concat(good).Concat(new[] { (byte)'\n' }).ToArray();
            OnlyOwnExceptions(kind + " in a record", input, () =>
            {
                var items = WebhookInput.Read(input).ToList();
                Assert.Equal(3, items.Count);
                foreach (var item in items.Where(i => i.Error == null))
                    try { WebhookParser.Parse(item.Body); }
                    catch (WebhookFormatException) { }
                // The good records on either side of the damaged one are read whatever happened to it.
                Assert.Equal(WebhookSamples.VasUpdated, Encoding.UTF8.GetString(items[0].Record.Body));
                Assert.Equal(WebhookSamples.VasUpdated, Encoding.UTF8.GetString(items[2].Record.Body));
            });
        }
    }
}
