using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReturnsHelper.Emulator.Webhooks;

/// <summary>
/// The documented webhook signature (research section 8.4):
/// <c>Base64(HMAC-SHA256(key = Base64Decode(signingKey), message = UTF-8("POST" + endpointUrl + timestamp + rawBody)))</c>.
/// </summary>
public static class WebhookSigner
{
    /// <summary>The <c>timestamp</c> header: ISO 8601 UTC with 7 fractional digits, e.g. <c>2024-01-12T09:23:08.4863561Z</c>.</summary>
    public static string FormatTimestamp(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <param name="endpointUrl">The registered URL exactly as given (no normalisation).</param>
    /// <param name="signingKey">The Base64 signing key.</param>
    /// <exception cref="FormatException">The key is not Base64.</exception>
    public static string Sign(string endpointUrl, string timestamp, ReadOnlySpan<byte> rawBody, string signingKey)
    {
        byte[] key = Convert.FromBase64String(signingKey);
        byte[] prefix = Encoding.UTF8.GetBytes("POST" + endpointUrl + timestamp);
        byte[] message = new byte[prefix.Length + rawBody.Length];
        prefix.CopyTo(message, 0);
        rawBody.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToBase64String(HMACSHA256.HashData(key, message));
    }
}
