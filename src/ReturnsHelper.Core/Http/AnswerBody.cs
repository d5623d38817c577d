using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ReturnsHelper.Http
{
    /// <summary>
    /// A server's answer read with a size limit, so a server cannot make the client hold more than the limit, and
    /// shown only as bounded excerpts (a log line or an error message never decodes the whole body).
    /// </summary>
    internal static class AnswerBody
    {
        public const int DefaultMaxBytes = RrSession.DefaultMaxResponseMB * 1024 * 1024;

        static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

        /// <summary>Thrown when an answer is larger than the limit; the caller turns it into its own error.</summary>
        internal sealed class TooLargeException : Exception
        {
            public TooLargeException(long? declaredLength) => DeclaredLength = declaredLength;
            public long? DeclaredLength { get; }
        }

        /// <summary>The body, or <see cref="TooLargeException"/> as soon as it (or its Content-Length) passes the limit.</summary>
        public static async Task<ArraySegment<byte>> ReadAsync(HttpContent content, int maxBytes, CancellationToken ct)
        {
            var declared = content.Headers.ContentLength;
            if (declared > maxBytes) throw new TooLargeException(declared);
            using (var stream = await content.ReadAsStreamAsync().ConfigureAwait(false))
            {
                // Sized by Content-Length when the server sent one (within the limit), but the bytes are counted anyway.
                var buffer = new MemoryStream(declared.HasValue ? (int)declared.Value : 0);
                var chunk = new byte[64 * 1024];
                int read;
                while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, ct).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxBytes) throw new TooLargeException(declared);
                    buffer.Write(chunk, 0, read);
                }
                return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
            }
        }

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
}
