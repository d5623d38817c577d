using System.Net;
using System.Security;
using System.Text;

namespace ReturnsHelper.Http;

/// <summary>
/// Finds a secret in text the way a server could echo it back: literally, JSON-escaped (any character as
/// <c>\uXXXX</c> in either case, or <c>\/</c>, <c>\"</c>, <c>\\</c>) or percent-encoded (<c>%XX</c> of its UTF-8 bytes
/// in either case, <c>+</c> for a space), in any mix. Base64 and other transformations are not looked for.
/// </summary>
internal static class Redaction
{
    /// <summary>
    /// Shorter secrets are redacted only where they stand alone (not inside a longer word or number), so that a
    /// short token such as "th" does not turn "within" into "wi***in". Real API tokens are far longer.
    /// </summary>
    public const int MinimumLengthAnywhere = 8;

    public const string Mask = "***";

    /// <summary>The text with every form of <paramref name="secret"/> replaced by <see cref="Mask"/>.</summary>
    /// <remarks>
    /// A hand-written matcher rather than a Regex built from the secret: it runs for every request (the correlation id
    /// of each answer is redacted), and building a Regex each time cost about 0.3 ms.
    /// </remarks>
    public static string Apply(string text, string secret)
    {
        if (string.IsNullOrEmpty(text) || string.IsNullOrEmpty(secret)) return text;
        var codePoints = CodePoints(secret);
        var anywhere = secret.Length >= MinimumLengthAnywhere;
        StringBuilder redacted = null;
        var copied = 0;
        var at = 0;
        while (at < text.Length)
        {
            var end = MatchAt(text, at, codePoints);
            if (end > at && (anywhere || StandsAlone(text, at, end)))
            {
                (redacted ?? (redacted = new StringBuilder(text.Length))).Append(text, copied, at - copied).Append(Mask);
                copied = at = end;
            }
            else at++;
        }
        return redacted == null ? text : redacted.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>One character of the secret (a surrogate pair counts as one) with its UTF-8 bytes.</summary>
    private struct CodePoint
    {
        public string Text;
        public byte[] Utf8;
    }

    private static CodePoint[] CodePoints(string secret)
    {
        var list = new System.Collections.Generic.List<CodePoint>(secret.Length);
        for (var i = 0; i < secret.Length; i += char.IsSurrogatePair(secret, i) ? 2 : 1)
        {
            var text = secret.Substring(i, char.IsSurrogatePair(secret, i) ? 2 : 1);
            list.Add(new CodePoint { Text = text, Utf8 = Encoding.UTF8.GetBytes(text) });
        }
        return list.ToArray();
    }

    /// <summary>Where a form of the secret that starts at <paramref name="at"/> ends, or -1.</summary>
    private static int MatchAt(string text, int at, CodePoint[] codePoints)
    {
        var position = at;
        foreach (var codePoint in codePoints)
        {
            position = MatchCodePoint(text, position, codePoint);
            if (position < 0) return -1;
        }
        return position;
    }

    private static int MatchCodePoint(string text, int at, CodePoint codePoint)
    {
        var c = codePoint.Text;
        if (at >= text.Length) return -1;
        if (at + c.Length <= text.Length && string.CompareOrdinal(text, at, c, 0, c.Length) == 0) return at + c.Length;
        if (text[at] == '\\')
        {
            // \uXXXX for each UTF-16 unit, or the short escapes \/ \" \\.
            var position = at;
            foreach (var unit in c)
            {
                if (position + 6 > text.Length || text[position] != '\\' || text[position + 1] != 'u' || Hex(text, position + 2, 4) != unit) { position = -1; break; }
                position += 6;
            }
            if (position > 0) return position;
            if (c.Length == 1 && (c[0] == '/' || c[0] == '"' || c[0] == '\\') && at + 1 < text.Length && text[at + 1] == c[0]) return at + 2;
            return -1;
        }
        if (text[at] == '%')
        {
            var position = at;
            foreach (var b in codePoint.Utf8)
            {
                if (position + 3 > text.Length || text[position] != '%' || Hex(text, position + 1, 2) != b) return -1;
                position += 3;
            }
            return position;
        }
        return c == " " && text[at] == '+' ? at + 1 : -1;
    }

    /// <summary>The value of <paramref name="digits"/> hexadecimal digits (either case) at <paramref name="at"/>, or -1.</summary>
    private static int Hex(string text, int at, int digits)
    {
        var value = 0;
        for (var i = at; i < at + digits; i++)
        {
            var c = text[i];
            var digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) return -1;
            value = value * 16 + digit;
        }
        return value;
    }

    private static bool StandsAlone(string text, int start, int end)
        => (start == 0 || !IsWordCharacter(text[start - 1])) && (end >= text.Length || !IsWordCharacter(text[end]));

    private static bool IsWordCharacter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// <summary>
/// The credentials of one request as text: the token leaves its SecureString once per request, into this object
/// (<see cref="RrApiClient.Secrets"/>), for the header of each attempt and to redact what came back. Only text from outside (the server's answer, an exception's
/// message) goes through <see cref="Redact"/>: the module's own wording cannot hold a secret, and redacting it would
/// mask a short token's letters in our words.
/// </summary>
internal sealed class RequestSecrets
{
    private SecureString source;
    private string retiredToken;

    public RequestSecrets(string apiKey, SecureString apiToken, SecureString retiredToken)
    {
        ApiKey = apiKey;
        Use(apiToken, retiredToken);
    }

    public string ApiKey { get; }
    public string ApiToken { get; private set; }

    /// <summary>True when this copy was made from <paramref name="token"/> (the client's current token).</summary>
    public bool IsFrom(SecureString token) => ReferenceEquals(source, token);

    /// <summary>
    /// Follows a token rotation during the request. The token it replaced is kept for redaction too: a service that
    /// cached the old one could still echo it.
    /// </summary>
    public void Use(SecureString apiToken, SecureString retired)
    {
        source = apiToken;
        ApiToken = new NetworkCredential(string.Empty, apiToken).Password;
        retiredToken = retired == null ? null : new NetworkCredential(string.Empty, retired).Password;
    }

    /// <summary>
    /// Defence in depth: a server that echoes a credential back must not get it into a log or error, in any form it
    /// could plausibly encode it (see <see cref="Redaction"/>).
    /// </summary>
    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        text = Redaction.Apply(text, ApiToken);
        if (retiredToken != null) text = Redaction.Apply(text, retiredToken);
        if (ApiKey.Length >= 4) text = Redaction.Apply(text, ApiKey);
        return text;
    }

    /// <summary>Enough bytes to hold a credential in its longest encoded form (12 bytes per character: a surrogate pair as \uXXXX\uXXXX, or %XX per UTF-8 byte).</summary>
    public int MarginBytes => 12 * System.Math.Max(System.Math.Max(ApiToken.Length, ApiKey.Length), retiredToken?.Length ?? 0);
}
