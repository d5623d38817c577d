using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>A server that echoes the token in an encoded form must not get it into a log line or an error (issue 12, 4).</summary>
public class RedactionTests
{
    // Characters that the JSON writer escapes by default (+ < > & ') and that percent-encoding changes (+ / space and non-ASCII).
    private const string Token = "tok+en/<&>'é 42 long-enough";

    private static string FullyJsonEscaped(string s, bool lowerHex)
        => string.Concat(s.Select(c => "\\u" + ((int)c).ToString(lowerHex ? "x4" : "X4")));

    private static string PercentEncoded(string s, bool lowerHex)
        => string.Concat(Encoding.UTF8.GetBytes(s).Select(b => "%" + b.ToString(lowerHex ? "x2" : "X2")));

    /// <summary>Every form a reflecting server could plausibly produce; each is a JSON string's content (already escaped).</summary>
    public static IEnumerable<object[]> Forms()
    {
        var jsonDefault = JsonEncodedText.Encode(Token, JavaScriptEncoder.Default).ToString();
        yield return new object[] { "JSON default encoder", jsonDefault };
        yield return new object[] { "JSON, every character escaped, upper-case hex", FullyJsonEscaped(Token, false) };
        yield return new object[] { "JSON, every character escaped, lower-case hex", FullyJsonEscaped(Token, true) };
        yield return new object[] { "JSON, escaped slash", Token.Replace("/", "\\/").Replace("+", "\\u002b") };
        yield return new object[] { "Uri.EscapeDataString", Uri.EscapeDataString(Token) };
        yield return new object[] { "form encoding (+ for space)", WebUtility.UrlEncode(Token) };
        yield return new object[] { "every byte percent-encoded, lower-case hex", PercentEncoded(Token, true) };
        yield return new object[] { "mixed", Token.Substring(0, 5) + PercentEncoded(Token.Substring(5, 4), false) + FullyJsonEscaped(Token.Substring(9), true) };
    }

    private static Harness NewHarness() => new Harness(new RetryPolicy { MaxAttempts = 1 }, debug: true, token: Token);

    /// <summary>Fails when any form of the token is in the texts, raw or once the JSON and percent encodings are undone.</summary>
    private static void AssertNoToken(IEnumerable<string> texts, string form)
    {
        foreach (var text in texts.Where(t => t != null))
        {
            Assert.DoesNotContain(form, text);
            Assert.DoesNotContain(Token, text);
            Assert.DoesNotContain(Token, Uri.UnescapeDataString(text));
            Assert.DoesNotContain(Token, JsonUnescaped(text));
        }
    }

    private static string JsonUnescaped(string text)
        => Regex.Replace(text.Replace("\\/", "/"), @"\\u([0-9a-fA-F]{4})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task An_echoed_token_is_redacted_from_debug_output_and_errors_in_any_encoding(string what, string form)
    {
        using var h = NewHarness();
        // Echoed in the error map (as the raw JSON of an object value, so still encoded) and in the message.
        h.Handler.Ok("{\"correlationId\":\"c-" + form + "\",\"meta\":{\"status\":400,\"errorCode\":\"VALIDATION_FAILED\",\"error\":{\"token\":{\"seen\":\"" + form + "\"},\"x\":\"bad token " + form + "\"}}}");

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.NotEmpty(h.Log.DebugLines);
        AssertNoToken(h.Log.AllLines.Concat(new[] { e.Message, e.CorrelationId }).Concat(e.Errors.Keys).Concat(e.Errors.Values), form);
        Assert.Contains("***", e.Errors["x"]);
        _ = what;
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task An_echoed_token_is_redacted_from_the_excerpt_of_a_non_json_body(string what, string form)
    {
        using var h = NewHarness();
        h.Handler.Respond(HttpStatusCode.BadGateway, "<html>upstream said " + form + "</html>", "text/html");

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        AssertNoToken(h.Log.AllLines.Append(e.Message), form);
        _ = what;
    }

    [Fact]
    public async Task A_token_cut_by_the_excerpt_is_still_redacted()
    {
        using var h = NewHarness();
        // The not-JSON excerpt shows 80 characters: the token starts inside them and ends beyond.
        h.Handler.Respond(HttpStatusCode.OK, new string('x', 70) + FullyJsonEscaped(Token, false), "text/plain");

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.DoesNotContain(FullyJsonEscaped(Token, false).Substring(0, 12), e.Message);
        Assert.Contains("***", e.Message);
    }

    [Theory]
    [InlineData("th", "within the limit", "within the limit")]
    [InlineData("th", "token th was refused", "token *** was refused")]
    [InlineData("th", "token=th&x=1", "token=***&x=1")]
    [InlineData("long-enough-token", "xlong-enough-tokenx", "x***x")]
    public void A_short_secret_is_redacted_only_where_it_stands_alone(string secret, string text, string expected)
        => Assert.Equal(expected, Redaction.Apply(text, secret));

    /// <summary>Texts the module writes itself, or that a server could send, none holding the secrets below in any form.</summary>
    private static readonly string[] TextsWithoutTheSecret =
    {
        "GET Recall/list failed after 1 attempt(s) over 0.1 s: no answer within 0.1 s.",
        "no answer within 1 s",
        "POST Recall/createRecallByReturnInventoryId -> 503 ServiceUnavailable in 12 ms (attempt 1 of 4)",
        "{\"correlationId\":\"c-42\",\"meta\":{\"status\":400,\"error\":{\"x\":\"within %41 \\u0041+\"}}}",
    };

    public static IEnumerable<object[]> ShortSecrets()
        => new[] { "q", "#", "~", "qz", "z9", "~~", "qzq", "a~b", "%7E" }.Select(secret => new object[] { secret });

    [Theory]
    [MemberData(nameof(ShortSecrets))]
    public void Redaction_leaves_text_without_the_secret_unchanged(string secret)
    {
        foreach (var text in TextsWithoutTheSecret) Assert.Equal(text, Redaction.Apply(text, secret));
    }

    /// <summary>
    /// The module's own wording is never redacted: a one-, two- or three-character token that happens to be a letter,
    /// a word or a number of the message (once: "no answer wi***hin 1 s") leaves the message whole.
    /// </summary>
    [Theory]
    [InlineData("t")]
    [InlineData("1")]
    [InlineData("s")]
    [InlineData("th")]
    [InlineData("in")]
    [InlineData("0.1")]
    [InlineData("1 s")]
    public async Task A_short_token_does_not_mask_the_words_of_our_own_messages(string token)
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromMilliseconds(100) }, token: token);
        h.Handler.Hang();

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Contains("no answer within 0.1 s", e.Message);
        Assert.DoesNotContain("***", e.Message);
        Assert.Contains(h.Log.VerboseLines, l => l.StartsWith("GET Recall/list -> failed: no answer within 0.1 s in "));
        Assert.Equal(token, h.Handler.Requests.Single().Header("x-rr-apitoken"));
    }
}
