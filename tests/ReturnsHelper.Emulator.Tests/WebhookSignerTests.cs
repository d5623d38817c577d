using System.Security.Cryptography;
using System.Text;
using ReturnsHelper.Emulator.Webhooks;

namespace ReturnsHelper.Emulator.Tests;

public sealed class WebhookSignerTests
{
    [Fact]
    public void Sign_ReproducesTheDocumentationsExample()
    {
        // The example from the docs' "Signature Verification" section (straight quotes, as the server sent it).
        const string body = "{\"label\":{\"regions\":{\"RHCN\":\"https://label.returnhelperchina.com/label/202401/10595-S240112-0000001-pqk2pvydgxp.pdf\"},"
            + "\"labelId\":31033,\"shipmentId\":30385,\"apiId\":33,\"refKey\":\"S240112-0000001\",\"labelRequestId\":10595,"
            + "\"labelRequestStatusCode\":\"success\",\"serviceType\":\"RETURN_ENDICIA_USPS_GROUND_ADVANTAGE_NJ\",\"trackingNumber\":\"9434611899562082901137\","
            + "\"labelUrl\":\"https://label-service-dev-files.returnshelper.com/label/202401/10595-S240112-0000001-pqk2pvydgxp.pdf\",\"error\":null,"
            + "\"qrcodeUrl\":null,\"qrcodeError\":null,\"correlationId\":null,\"cancelCutoffTime\":\"2024-02-11T09:21:24.0795\",\"meta\":null},"
            + "\"category\":\"labelGenerated\",\"action\":\"labelGenerated\",\"eventTime\":\"2024-01-12T09:23:08.4862743Z\"}";

        string signature = WebhookSigner.Sign(
            "https://s2024-01-12.free.beeceptor.com",
            "2024-01-12T09:23:08.4863561Z",
            Encoding.UTF8.GetBytes(body),
            "PEnA0mzKb7fUlGfMgCGhXPjPmPGvW70UU8bkNKdG78WDrQRwzFa572e2JsFIE1e4PLaP9h/ZEvERSR0FBDYNlQ==");

        Assert.Equal("gXJRba6qE2rCQqJc8WEou2i8cCl0STp2AjH+y/R6ltw=", signature);
    }

    [Fact]
    public void Sign_MatchesAnIndependentComputation_ForNonAsciiBodiesAndUrlsWithQueries()
    {
        byte[] key = RandomNumberGenerator.GetBytes(64);
        const string url = "http://127.0.0.1:8080/hooks?tenant=ü";
        const string timestamp = "2026-03-01T08:00:00.1234567Z";
        byte[] body = Encoding.UTF8.GetBytes("{\"description\":\"Café – 東京\"}");

        string signature = WebhookSigner.Sign(url, timestamp, body, Convert.ToBase64String(key));

        using var hmac = new HMACSHA256(key);
        string expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes("POST" + url + timestamp + "{\"description\":\"Café – 東京\"}")));
        Assert.Equal(expected, signature);
        Assert.Equal(44, signature.Length);
    }

    [Fact]
    public void Timestamp_HasSevenFractionalDigitsInUtc()
    {
        var value = new DateTime(2024, 1, 12, 9, 23, 8, DateTimeKind.Utc).AddTicks(4863561);

        Assert.Equal("2024-01-12T09:23:08.4863561Z", WebhookSigner.FormatTimestamp(value));
    }
}
