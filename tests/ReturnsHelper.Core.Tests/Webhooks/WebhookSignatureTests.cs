using System.Text;
using ReturnsHelper.Webhooks;
using Xunit;

namespace ReturnsHelper.Tests.Webhooks;

public class WebhookSignatureTests
{
    // Fixed vector, expected value computed independently (python3 hmac and openssl dgst -hmac agree):
    // printf '%s' 'POSThttps://example.com/hooks/rh2024-01-12T09:23:08.4863561Z{"category":"rsl"}' | openssl dgst -sha256 -hmac 'test-signing-key-0123456789abcdef' -binary | base64
    private const string FixedKey = "dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm"; // Base64 of ASCII "test-signing-key-0123456789abcdef"
    private const string FixedUrl = "https://example.com/hooks/rh";
    private const string FixedTimestamp = "2024-01-12T09:23:08.4863561Z";
    private const string FixedBody = "{\"category\":\"rsl\"}";
    private const string FixedSignature = "3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs=";

    // The example in the Return Helper docs (Webhook.rst), with straight quotes; its published signature.
    private const string DocsKey = "PEnA0mzKb7fUlGfMgCGhXPjPmPGvW70UU8bkNKdG78WDrQRwzFa572e2JsFIE1e4PLaP9h/ZEvERSR0FBDYNlQ==";
    private const string DocsUrl = "https://s2024-01-12.free.beeceptor.com";
    private const string DocsBody = "{\"label\":{\"regions\":{\"RHCN\":\"https://label.returnhelperchina.com/label/202401/10595-S240112-0000001-pqk2pvydgxp.pdf\"},\"labelId\":31033,\"shipmentId\":30385,\"apiId\":33,\"refKey\":\"S240112-0000001\",\"labelRequestId\":10595,\"labelRequestStatusCode\":\"success\",\"serviceType\":\"RETURN_ENDICIA_USPS_GROUND_ADVANTAGE_NJ\",\"trackingNumber\":\"9434611899562082901137\",\"labelUrl\":\"https://label-service-dev-files.returnshelper.com/label/202401/10595-S240112-0000001-pqk2pvydgxp.pdf\",\"error\":null,\"qrcodeUrl\":null,\"qrcodeError\":null,\"correlationId\":null,\"cancelCutoffTime\":\"2024-02-11T09:21:24.0795\",\"meta\":null},\"category\":\"labelGenerated\",\"action\":\"labelGenerated\",\"eventTime\":\"2024-01-12T09:23:08.4862743Z\"}";
    private const string DocsSignature = "gXJRba6qE2rCQqJc8WEou2i8cCl0STp2AjH+y/R6ltw=";

    private static readonly DateTimeOffset FixedTime = DateTimeOffset.Parse(FixedTimestamp);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static WebhookVerifier Verifier(string key = FixedKey, string url = FixedUrl, TimeSpan? skew = null)
        => WebhookVerifier.FromBase64Key(key, url, skew);

    [Fact]
    public void Fixed_vector_matches_the_independently_computed_value()
    {
        var key = WebhookSignature.DecodeSigningKey(FixedKey);
        Assert.Equal("test-signing-key-0123456789abcdef", Encoding.ASCII.GetString(key));
        Assert.Equal(FixedSignature, TestSigner.Sign(FixedKey, FixedUrl, FixedTimestamp, Utf8(FixedBody)));
        Assert.True(WebhookSignature.Matches(key, FixedUrl, FixedTimestamp, Utf8(FixedBody), FixedSignature));
    }

    [Fact]
    public void Documented_example_verifies()
    {
        var result = Verifier(DocsKey, DocsUrl).Verify(FixedTimestamp, DocsSignature, Utf8(DocsBody), FixedTime);
        Assert.Equal(WebhookCheck.Valid, result.Result);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"category\":\"newInventoryCreated\",\"returnInventory\":{\"returnInventoryId\":\"19973\"},\"note\":\"caf\u00e9 \u2713 \ud83d\ude00\"}")]
    [InlineData("{\"a\":1}\r\n")]
    public void A_signature_computed_with_HMACSHA256_directly_verifies(string body)
    {
        var expected = TestSigner.Sign(FixedKey, FixedUrl, FixedTimestamp, Utf8(body));
        Assert.True(Verifier().Verify(FixedTimestamp, expected, Utf8(body), FixedTime).IsValid);
    }

    [Fact]
    public void Signs_the_raw_bytes_even_when_they_are_not_valid_UTF8()
    {
        var body = new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}' };
        var expected = TestSigner.Sign(FixedKey, FixedUrl, FixedTimestamp, body);
        Assert.True(Verifier().Verify(FixedTimestamp, expected, body, FixedTime).IsValid);
        // Decoding and re-encoding would replace the invalid byte and break the signature, which is why bytes are used.
        Assert.False(Verifier().Verify(FixedTimestamp, expected, Utf8(Encoding.UTF8.GetString(body)), FixedTime).IsValid);
    }

    public static TheoryData<string, string, string, string, string> Tampered => new()
    {
        // key, url, timestamp, body, signature
        { FixedKey, FixedUrl, FixedTimestamp, "{\"category\":\"rsm\"}", FixedSignature },            // one byte of the body
        { FixedKey, FixedUrl, FixedTimestamp, "{\"category\":\"rsl\"} ", FixedSignature },           // one byte added to the body
        { FixedKey, FixedUrl, "2024-01-12T09:23:08.4863562Z", FixedBody, FixedSignature },          // one byte of the timestamp
        { FixedKey, "https://example.com/hooks/rH", FixedTimestamp, FixedBody, FixedSignature },    // one byte of the URL
        { FixedKey, "https://example.com/hooks/rh/", FixedTimestamp, FixedBody, FixedSignature },   // trailing slash
        { Convert.ToBase64String(Encoding.ASCII.GetBytes("test-signing-key-0123456789abcdeF")), FixedUrl, FixedTimestamp, FixedBody, FixedSignature }, // one byte of the key
        { FixedKey, FixedUrl, FixedTimestamp, FixedBody, "3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBw=" }, // last byte of the signature
        { FixedKey, FixedUrl, FixedTimestamp, FixedBody, "4FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs=" }, // first byte of the signature
    };

    [Theory]
    [MemberData(nameof(Tampered))]
    public void One_changed_byte_anywhere_is_a_mismatch(string key, string url, string timestamp, string body, string signature)
    {
        var result = Verifier(key, url).Verify(timestamp, signature, Utf8(body), FixedTime);
        Assert.Equal(WebhookCheck.SignatureMismatch, result.Result);
        Assert.False(result.IsValid);
        Assert.DoesNotContain(key, result.Reason);
    }

    [Theory]
    [InlineData(-14, nameof(WebhookCheck.Valid))]
    [InlineData(14, nameof(WebhookCheck.Valid))]
    [InlineData(-16, nameof(WebhookCheck.ClockSkew))]
    [InlineData(16, nameof(WebhookCheck.ClockSkew))]
    public void Timestamps_beyond_the_skew_are_refused_either_way(int minutesFromNow, string expectedResult)
    {
        var expected = Enum.Parse<WebhookCheck>(expectedResult); // by name: the enum is internal, a test method's parameters public
        var now = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var timestamp = now.AddMinutes(minutesFromNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");
        var verifier = Verifier(skew: WebhookSignature.DefaultMaxClockSkew);
        var signature = TestSigner.Sign(FixedKey, FixedUrl, timestamp, Utf8(FixedBody));
        var result = verifier.Verify(timestamp, signature, Utf8(FixedBody), now);
        Assert.Equal(expected, result.Result);
        if (expected == WebhookCheck.ClockSkew) Assert.Contains("16 min", result.Reason);
    }

    [Fact]
    public void Without_a_maximum_skew_only_the_signature_counts()
    {
        var result = Verifier(skew: null).Verify(FixedTimestamp, FixedSignature, Utf8(FixedBody), DateTimeOffset.UtcNow);
        Assert.True(result.IsValid);
        Assert.Equal(FixedTime, result.Timestamp);
    }

    [Fact]
    public void A_bad_signature_is_reported_as_a_mismatch_before_the_skew()
    {
        var result = Verifier(skew: TimeSpan.FromMinutes(15)).Verify(FixedTimestamp, "4FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs=", Utf8(FixedBody), DateTimeOffset.UtcNow);
        Assert.Equal(WebhookCheck.SignatureMismatch, result.Result);
    }

    [Theory]
    [InlineData("not base64!!")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("abc")]
    public void A_malformed_signing_key_is_a_clear_error_without_the_key(string key)
    {
        var e = Assert.Throws<WebhookFormatException>(() => WebhookSignature.DecodeSigningKey(key));
        Assert.Equal(WebhookField.SigningKey, e.Field);
        Assert.Contains("signing key", e.Message);
        if (!string.IsNullOrWhiteSpace(key)) Assert.DoesNotContain(key, e.Message);
        Assert.Null(e.InnerException);
    }

    [Theory]
    [InlineData("abc", "not valid Base64")]
    [InlineData("", "missing or empty")]
    [InlineData(null, "missing or empty")]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==", "16 bytes")]
    [InlineData("3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs", "not valid Base64")]
    public void A_malformed_signature_is_a_clear_error(string signature, string expected)
    {
        var e = Assert.Throws<WebhookFormatException>(() => Verifier().Verify(FixedTimestamp, signature, Utf8(FixedBody), FixedTime));
        Assert.Equal(WebhookField.Signature, e.Field);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("2024-13-45T09:23:08Z")]
    [InlineData("12/01/2024 09:23:08")]
    [InlineData("2024-01-12 09:23:08Z")]
    public void A_malformed_timestamp_is_a_clear_error(string timestamp)
    {
        var e = Assert.Throws<WebhookFormatException>(() => Verifier().Verify(timestamp, FixedSignature, Utf8(FixedBody), FixedTime));
        Assert.Equal(WebhookField.Timestamp, e.Field);
        Assert.Contains("timestamp", e.Message);
    }

    [Theory]
    [InlineData("2024-01-12T09:23:08.4863561Z", 2024, 1, 12, 9, 23, 8)]
    [InlineData("2024-01-12T09:23:08Z", 2024, 1, 12, 9, 23, 8)]
    [InlineData("2024-01-12T10:23:08.5+01:00", 2024, 1, 12, 9, 23, 8)]
    [InlineData("2024-01-12T09:23:08.486", 2024, 1, 12, 9, 23, 8)]
    public void Timestamps_are_ISO_8601_and_UTC_when_no_zone_is_given(string text, int y, int mo, int d, int h, int mi, int s)
    {
        var parsed = WebhookSignature.ParseTimestamp(text);
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
        Assert.Equal(new DateTime(y, mo, d, h, mi, s), new DateTime(parsed.Year, parsed.Month, parsed.Day, parsed.Hour, parsed.Minute, parsed.Second));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" https://example.com/hooks/rh")]
    [InlineData("https://example.com/hooks/rh\n")]
    [InlineData("/hooks")]
    [InlineData("hooks.example.com/rh")]
    [InlineData("file:///hooks")]
    [InlineData("ftp://example.com/hooks")]
    public void A_missing_padded_or_relative_endpoint_url_is_refused(string url)
    {
        var e = Assert.Throws<WebhookFormatException>(() => WebhookVerifier.FromBase64Key(FixedKey, url, null));
        Assert.Equal(WebhookField.EndpointUri, e.Field);
    }

    [Fact]
    public void Fixed_time_comparison_compares_contents()
    {
        var a = new byte[] { 1, 2, 3, 4 };
        Assert.True(WebhookSignature.FixedTimeEquals(a, new byte[] { 1, 2, 3, 4 }));
        Assert.False(WebhookSignature.FixedTimeEquals(a, new byte[] { 1, 2, 3, 5 }));
        Assert.False(WebhookSignature.FixedTimeEquals(a, new byte[] { 0, 2, 3, 4 }));
        Assert.False(WebhookSignature.FixedTimeEquals(a, new byte[] { 1, 2, 3 }));
        Assert.False(WebhookSignature.FixedTimeEquals(a, null));
        Assert.True(WebhookSignature.FixedTimeEquals(new byte[0], new byte[0]));
    }

    [Fact]
    public void The_verifier_keeps_its_own_copy_of_the_key()
    {
        var key = WebhookSignature.DecodeSigningKey(FixedKey);
        var verifier = new WebhookVerifier(key, FixedUrl, null);
        Array.Clear(key);
        Assert.True(verifier.Verify(FixedTimestamp, FixedSignature, Utf8(FixedBody), FixedTime).IsValid);
    }
}
