using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ReturnsHelper.Http;

/// <summary>
/// A server's answer read with a size limit, so a server cannot make the client hold more than the limit, and
/// shown only as bounded excerpts (a log line or an error message never decodes the whole body).
/// </summary>
internal static class AnswerBody
{
    public const int DefaultMaxBytes = RrSession.DefaultMaxResponseMB * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    /// <summary>Thrown when an answer is larger than the limit; the caller turns it into its own error.</summary>
    internal sealed class TooLargeException : Exception
    {
        public TooLargeException(long? declaredLength) => DeclaredLength = declaredLength;
        public long? DeclaredLength { get; }
    }

    /// <summary>The body, or <see cref="TooLargeException"/> as soon as it (or its Content-Length) passes the limit.</summary>
    /// <remarks>
    /// Read into segments that grow to 1 MB and are kept, not into one buffer that doubles: the buffers a doubling
    /// leaves behind would take as much memory again as the answer before the next collection.
    /// </remarks>
    public static async Task<ArraySegment<byte>> ReadAsync(HttpContent content, int maxBytes, CancellationToken ct)
    {
        var declared = content.Headers.ContentLength;
        if (declared > maxBytes) throw new TooLargeException(declared);
        using (var stream = await content.ReadAsStreamAsync().ConfigureAwait(false))
        {
            var full = new List<byte[]>();
            // Sized by Content-Length when there is one (one byte more, so the read that finds the end needs no new
            // segment), but the bytes are counted anyway: a server may send more than it declared.
            var current = new byte[declared.HasValue ? (int)declared.Value + 1 : FirstSegmentBytes];
            var filled = 0;
            long total = 0;
            while (true)
            {
                if (filled == current.Length)
                {
                    full.Add(current);
                    current = new byte[Math.Min(current.Length * 2, MaxSegmentBytes)];
                    filled = 0;
                }
                // Never asks for more than one byte past the limit: that byte is enough to know the answer is too large.
                var wanted = (int)Math.Min(current.Length - filled, maxBytes - total + 1);
                var read = await stream.ReadAsync(current, filled, wanted, ct).ConfigureAwait(false);
                if (read == 0) break;
                total += read;
                if (total > maxBytes) throw new TooLargeException(declared);
                filled += read;
            }
            if (full.Count == 0) return new ArraySegment<byte>(current, 0, filled);
            var body = new byte[total];
            var at = 0;
            foreach (var segment in full)
            {
                Buffer.BlockCopy(segment, 0, body, at, segment.Length);
                at += segment.Length;
            }
            Buffer.BlockCopy(current, 0, body, at, filled);
            return new ArraySegment<byte>(body);
        }
    }

    private const int FirstSegmentBytes = 16 * 1024;
    private const int MaxSegmentBytes = 1024 * 1024;

    /// <summary>Null when the bytes are valid UTF-8, else where they stop being so.</summary>
    public static string Utf8Problem(ArraySegment<byte> body)
    {
        try
        {
            StrictUtf8.GetCharCount(body.Array, body.Offset, body.Count);
            return null;
        }
        catch (DecoderFallbackException e)
        {
            return e.Index >= 0 ? $"a body that is not valid UTF-8 (from byte {e.Index})" : "a body that is not valid UTF-8";
        }
    }

    /// <summary>
    /// At most <paramref name="maxChars"/> characters of the body's start, redacted before it is cut: a few more bytes
    /// than shown are decoded (<paramref name="redactionMargin"/>), so a secret that straddles the cut is still found.
    /// </summary>
    public static string Excerpt(ArraySegment<byte> body, int maxChars, int redactionMargin, Func<string, string> redact)
    {
        var decodedBytes = Math.Min(body.Count, maxChars * 4 + redactionMargin);
        var text = redact(Encoding.UTF8.GetString(body.Array ?? new byte[0], body.Offset, decodedBytes));
        if (text.Length <= maxChars && decodedBytes == body.Count) return text;
        return (text.Length > maxChars ? text.Substring(0, maxChars) : text) + $"... ({body.Count} bytes)";
    }
}
