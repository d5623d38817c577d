using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ReturnsHelper.Api;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>
/// Answers a server should never send (issue 12): each becomes the request's own RrApiException, with the
/// correlation id when the answer has one, never another exception type; and none is held whole in memory.
/// </summary>
public class UntrustedAnswerTests
{
    /// <summary>An answer of raw bytes, which may not be UTF-8.</summary>
    internal static FakeHandler RespondBytes(FakeHandler handler, byte[] body, HttpStatusCode status = HttpStatusCode.OK)
        => handler.Step((_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return Task.FromResult(response);
        });

    /// <summary>The UTF-8 of <paramref name="json"/> with the marker "@BAD@" replaced by a truncated two-byte sequence.</summary>
    internal static byte[] WithInvalidUtf8(string json)
    {
        var parts = json.Split("@BAD@");
        return Encoding.UTF8.GetBytes(parts[0]).Concat(new byte[] { 0xC3 }).Concat(Encoding.UTF8.GetBytes(parts[1])).ToArray();
    }

    private static string Record(long id, string description) => $"\"data\":{{\"returnInventoryId\":{id},\"description\":\"{description}\"}}";

    [Fact]
    public async Task Invalid_utf8_in_a_record_is_an_invalid_response_with_the_correlation_id()
    {
        using var h = new Harness();
        RespondBytes(h.Handler, WithInvalidUtf8(Wire.Ok(Record(2, "caf@BAD@"))));

        var e = await Assert.ThrowsAsync<RrApiException>(() => InventoryApi.GetAsync(h.Session, 2, h.Log, default));

        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Equal(RrErrorReason.InvalidResponse, e.Reason);
        Assert.Equal(Wire.CorrelationId, e.CorrelationId);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Equal(1, h.Handler.Count); // an unreadable success is not retried
    }

    [Fact]
    public async Task Invalid_utf8_in_the_answer_to_a_write_leaves_its_outcome_unknown()
    {
        using var h = new Harness();
        RespondBytes(h.Handler, WithInvalidUtf8(Wire.Ok("\"recallList\":[{\"recallId\":1,\"warehouseRemarks\":\"caf@BAD@\",\"recallInventoryList\":[{\"returnInventoryId\":11}]}]")));

        var e = await Assert.ThrowsAsync<RrApiException>(() => RecallApi.CreateAsync(h.Session, new long[] { 11 }, h.Log, default));

        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Equal(RrErrorReason.OutcomeUnknown, e.Reason);
        Assert.Equal(Wire.CorrelationId, e.CorrelationId);
    }

    [Fact]
    public async Task An_escaped_lone_surrogate_in_a_model_is_caught_at_the_read_boundary()
    {
        // Valid UTF-8, valid JSON, but "\uD800" is no UTF-16 text: JsonElement.GetString throws InvalidOperationException.
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"recallList\":[{\"recallId\":1,\"recallNumber\":\"RCL\\uD800\",\"recallInventoryList\":[]}]"));

        var e = await Assert.ThrowsAsync<RrApiException>(() => RecallApi.CancelAsync(h.Session, new long[] { 1 }, h.Log, default));

        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Equal(RrErrorReason.OutcomeUnknown, e.Reason);
        Assert.Equal(Wire.CorrelationId, e.CorrelationId);
        Assert.Contains("cannot be read", e.Message);
    }

    [Fact]
    public async Task An_unreadable_envelope_is_an_invalid_response()
    {
        using var h = new Harness();
        h.Handler.Ok("{\"correlationId\":\"c-1\",\"meta\":{\"status\":200,\"errorCode\":\"\\uDC00\",\"error\":{}}}");

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Equal("c-1", e.CorrelationId);
        Assert.Contains("envelope that cannot be read", e.Message);
    }

    [Fact]
    public async Task An_error_status_with_an_unreadable_body_keeps_its_status_kind()
    {
        using var h = new Harness();
        RespondBytes(h.Handler, WithInvalidUtf8("{\"correlationId\":\"c-2\",\"meta\":{\"status\":400,\"errorCode\":\"X@BAD@\"}}"), HttpStatusCode.BadRequest);

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(RrErrorKind.HttpError, e.Kind);
        Assert.Equal("c-2", e.CorrelationId);
        Assert.Contains("not valid UTF-8", e.Message);
    }

    /// <summary>Content that counts what the client reads of it: a long stream with or without a Content-Length.</summary>
    private sealed class CountingContent : HttpContent
    {
        private readonly long length;
        private readonly bool declare;
        public long Served;
        public CountingContent(long length, bool declare) { this.length = length; this.declare = declare; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext context)
        {
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 8192));
            while (Served < length)
            {
                var n = (int)Math.Min(chunk.Length, length - Served);
                await stream.WriteAsync(chunk.AsMemory(0, n));
                Served += n;
            }
        }

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new CountingStream(this));

        protected override bool TryComputeLength(out long len)
        {
            len = length;
            return declare;
        }

        private sealed class CountingStream : Stream
        {
            private readonly CountingContent owner;
            public CountingStream(CountingContent owner) => this.owner = owner;
            public override int Read(byte[] buffer, int offset, int count)
            {
                var n = (int)Math.Min(count, owner.length - owner.Served);
                Array.Fill(buffer, (byte)' ', offset, n);
                owner.Served += n;
                return n;
            }
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => owner.Served; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_answer_over_the_limit_is_not_read_further_nor_retried(bool declaresLength)
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 5 });
        h.Session.MaxResponseBytes = 1024 * 1024;
        var content = new CountingContent(300L * 1024 * 1024, declaresLength);
        h.Handler.Step((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content }));

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.Contains("larger than the limit of 1 MB", e.Message);
        Assert.Equal(RrErrorHint.RaiseResponseLimit, e.Hint); // worded by the cmdlet layer (-MaxResponseMB)
        Assert.Equal(1, h.Handler.Count);
        if (declaresLength)
        {
            Assert.Equal(0, content.Served); // refused on its Content-Length alone
            Assert.Contains("Content-Length 314572800 bytes", e.Message);
        }
        else Assert.Equal(1024 * 1024 + 1, content.Served); // one byte past the limit tells enough
    }

    [Fact]
    public async Task An_answer_within_the_limit_is_read()
    {
        using var h = new Harness();
        h.Session.MaxResponseBytes = 4096;
        var body = Wire.Ok($"\"blob\":\"{new string('x', 3000)}\"");
        Assert.True(Encoding.UTF8.GetByteCount(body) < 4096);
        h.Handler.Ok(body);
        using var response = await h.SendAsync(RrRequest.Get("Recall/list"));
        Assert.Equal(Wire.CorrelationId, response.CorrelationId);
    }

    /// <summary>Content without a Content-Length, read in pieces of at most 1000 bytes, like a chunked answer.</summary>
    private sealed class UnsizedContent : HttpContent
    {
        private readonly byte[] bytes;
        public UnsizedContent(byte[] bytes) => this.bytes = bytes;
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext context) => stream.WriteAsync(bytes).AsTask();
        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new BufferedStream(new MemoryStream(bytes), 1000));
        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task An_answer_without_a_length_is_read_whole_across_segments()
    {
        using var h = new Harness();
        var blob = string.Concat(Enumerable.Range(0, 300_000).Select(i => (char)('a' + i % 26)));
        h.Handler.Step((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new UnsizedContent(Encoding.UTF8.GetBytes(Wire.Ok($"\"blob\":\"{blob}\",\"last\":42"))),
        }));

        using var response = await h.SendAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(blob, response.Root.GetProperty("blob").GetString());
        Assert.Equal(42, response.Root.GetProperty("last").GetInt32());
    }

    /// <summary>A body that stalls after its headers and, like .NET Framework's response stream, ignores the read's token: only closing it ends the read.</summary>
    private sealed class StallingContent : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext context) => throw new NotSupportedException();
        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new StallingStream());
        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        private sealed class StallingStream : Stream
        {
            private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct)
            {
                if (await Task.WhenAny(closed.Task, Task.Delay(TimeSpan.FromSeconds(15))) != closed.Task)
                    throw new InvalidOperationException("StallingContent: the stalled read was never ended");
                throw new ObjectDisposedException(nameof(StallingStream));
            }
            protected override void Dispose(bool disposing)
            {
                closed.TrySetResult();
                base.Dispose(disposing);
            }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => 0; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }

    [Fact]
    public async Task A_body_that_stalls_after_the_headers_times_out_even_when_its_stream_ignores_the_token()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromMilliseconds(200) });
        h.Handler.Step((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StallingContent() }));

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(RrErrorKind.Transport, e.Kind);
        Assert.Contains("no answer within 0.2 s", e.Message);
    }

    [Fact]
    public void The_response_limit_must_be_positive()
    {
        using var h = new Harness();
        Assert.Equal(RrSession.DefaultMaxResponseMB * 1024 * 1024, h.Session.MaxResponseBytes);
        Assert.Throws<ArgumentException>(() => h.Session.MaxResponseBytes = 0);
    }

    [Fact]
    public async Task A_non_json_body_is_excerpted_not_decoded_whole()
    {
        using var h = new Harness(debug: true);
        h.Handler.Respond(HttpStatusCode.OK, "<html>" + new string('x', 200_000) + "</html>", "text/html");

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(RrErrorKind.InvalidResponse, e.Kind);
        Assert.True(e.Message.Length < 400, e.Message);
        Assert.All(h.Log.DebugLines, line => Assert.True(line.Length < 4096 + 200, $"{line.Length} chars"));
    }

    [Fact]
    public void Tls_failures_are_recognised_in_both_frameworks_shapes()
    {
        var core = new HttpRequestException("The SSL connection could not be established, see inner exception.",
            new System.Security.Authentication.AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot"));
        var framework = new HttpRequestException("An error occurred while sending the request.",
            new WebException("The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.",
                new System.Security.Authentication.AuthenticationException("The remote certificate is invalid according to the validation procedure."),
                WebExceptionStatus.TrustFailure, null));
        var refused = new HttpRequestException("Connection refused (127.0.0.1:1)", new System.Net.Sockets.SocketException(111));

        Assert.Equal("the server's TLS certificate was not accepted: The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot.", RrApiClient.TlsProblem(core));
        Assert.Equal("the server's TLS certificate was not accepted: The remote certificate is invalid according to the validation procedure.", RrApiClient.TlsProblem(framework));
        Assert.Null(RrApiClient.TlsProblem(refused));
    }

    [Fact]
    public async Task A_tls_failure_is_not_retried()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 5 });
        h.Handler.Throw(new HttpRequestException("The SSL connection could not be established, see inner exception.",
            new System.Security.Authentication.AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot")));

        var e = await h.FailAsync(RrRequest.Get("Recall/list"));

        Assert.Equal(RrErrorKind.Transport, e.Kind);
        Assert.Equal(1, h.Handler.Count);
        Assert.Empty(h.Delays);
        Assert.Equal("GET Recall/list failed: the server's TLS certificate was not accepted: The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot.", e.Message);
    }
}
