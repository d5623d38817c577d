using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ReturnsHelper.Http
{
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
        public static string Apply(string text, string secret)
        {
            if (string.IsNullOrEmpty(text) || string.IsNullOrEmpty(secret)) return text;
            return new Regex(Pattern(secret), RegexOptions.CultureInvariant).Replace(text, Mask);
        }

        static string Pattern(string secret)
        {
            var pattern = new StringBuilder();
            for (var i = 0; i < secret.Length; i += char.IsSurrogatePair(secret, i) ? 2 : 1)
            {
                var codePoint = char.IsSurrogatePair(secret, i) ? secret.Substring(i, 2) : secret.Substring(i, 1);
                pattern.Append("(?:").Append(Regex.Escape(codePoint));
                pattern.Append('|');
                foreach (var unit in codePoint) pattern.Append(@"\\u").Append(Hex(unit, 4));
                var shortEscape = ShortJsonEscape(codePoint);
                if (shortEscape != null) pattern.Append('|').Append(Regex.Escape(shortEscape));
                pattern.Append('|');
                foreach (var b in Encoding.UTF8.GetBytes(codePoint)) pattern.Append('%').Append(Hex(b, 2));
                if (codePoint == " ") pattern.Append(@"|\+");
                pattern.Append(')');
            }
            return secret.Length >= MinimumLengthAnywhere
                ? pattern.ToString()
                : "(?<![A-Za-z0-9])" + pattern + "(?![A-Za-z0-9])";
        }

        static string ShortJsonEscape(string codePoint)
        {
            switch (codePoint)
            {
                case "/": return @"\/";
                case "\"": return "\\\"";
                case "\\": return @"\\";
                default: return null;
            }
        }

        /// <summary>A hexadecimal number as a pattern that matches its digits in either case.</summary>
        static string Hex(int value, int digits)
        {
            var text = value.ToString("X" + digits, CultureInfo.InvariantCulture);
            var pattern = new StringBuilder();
            foreach (var c in text)
                pattern.Append(char.IsLetter(c) ? "[" + c + char.ToLowerInvariant(c) + "]" : c.ToString());
            return pattern.ToString();
        }
    }
}
