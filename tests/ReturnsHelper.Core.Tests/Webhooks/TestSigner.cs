using System.Security.Cryptography;
using System.Text;

namespace ReturnsHelper.Tests.Webhooks;

/// <summary>
/// Signs deliveries as Return Helper does (API notes 8.4), written here with HMACSHA256 directly rather than through
/// the code under test, so a test that signs with it checks the module against the documented formula.
/// </summary>
internal static class TestSigner
{
    public static string Sign(string base64Key, string endpointUri, string timestamp, byte[] body)
    {
        using var hmac = new HMACSHA256(Convert.FromBase64String(base64Key));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes("POST" + endpointUri + timestamp).Concat(body).ToArray()));
    }
}
