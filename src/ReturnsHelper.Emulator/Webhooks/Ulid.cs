using System.Security.Cryptography;

namespace ReturnsHelper.Emulator.Webhooks;

/// <summary>26-character ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), the documented <c>notificationId</c> form.</summary>
internal static class Ulid
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string NewUlid()
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        UInt128 value = (UInt128)(ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 80;
        for (int i = 0; i < random.Length; i++)
        {
            value |= (UInt128)random[i] << (8 * (random.Length - 1 - i));
        }

        // 26 characters of 5 bits cover the 128 bits; the first character carries the top 3.
        return string.Create(26, value, static (chars, number) =>
        {
            for (int i = chars.Length - 1; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(number & 31)];
                number >>= 5;
            }
        });
    }
}
