using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>
/// The session's real handler against servers on loopback (issue 12, 2 and 6): a redirect is never followed, so the
/// credentials never reach another origin; a certificate the client refuses fails at once.
/// </summary>
public class RedirectTests
{
    /// <summary>A loopback HTTP server that records every request and answers each with <c>answer</c>.</summary>
    private sealed class LoopbackServer : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Action<HttpListenerContext> answer;
        private readonly List<(string Method, string Url, string Token)> requests = new();

        public LoopbackServer(Action<HttpListenerContext> answer)
        {
            this.answer = answer;
            Port = FreePort();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            listener.Start();
            _ = Task.Run(Serve);
        }

        public int Port { get; }
        public string Origin => $"http://127.0.0.1:{Port}";
        public IReadOnlyList<(string Method, string Url, string Token)> Requests { get { lock (requests) return requests.ToList(); } }

        private async Task Serve()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception) { return; } // stopped
                lock (requests) requests.Add((context.Request.HttpMethod, context.Request.Url.ToString(), context.Request.Headers["x-rr-apitoken"]));
                answer(context);
                context.Response.Close();
            }
        }

        public void Dispose() => listener.Close();
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static RrSession Session(string userBase)
        => new RrSession(RrEndpoints.Custom(new Uri(userBase)), Harness.ApiKey, Harness.Secure(Harness.ApiToken), null,
            new RetryPolicy { MaxAttempts = 5, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(20) });

    private static void Redirect(HttpListenerContext context, int status, string location)
    {
        context.Response.StatusCode = status;
        context.Response.RedirectLocation = location;
    }

    private static void Envelope(HttpListenerContext context)
    {
        var body = Encoding.UTF8.GetBytes(Wire.Ok("\"recallList\":[]"));
        context.Response.ContentType = "application/json";
        context.Response.OutputStream.Write(body);
    }

    public static IEnumerable<object[]> Requests()
    {
        foreach (var status in new[] { 301, 302, 303, 307, 308 })
        {
            yield return new object[] { status, "GET" };
            yield return new object[] { status, "POST" };
        }
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task A_redirect_to_another_origin_is_not_followed_and_the_token_never_reaches_it(int status, string method)
    {
        using var other = new LoopbackServer(Envelope);
        using var api = new LoopbackServer(c => Redirect(c, status, other.Origin + "/collect/api?stolen=1"));
        using var session = Session(api.Origin + "/uat/user/api");
        var request = method == "GET" ? RrRequest.Get("Recall/list") : RrRequest.Write("Recall/cancelRecall", Encoding.UTF8.GetBytes("{\"recallIdList\":[1]}"));

        var e = await Assert.ThrowsAsync<RrApiException>(() => session.Client.SendAsync(request, NullLog.Instance, default));

        Assert.Empty(other.Requests);
        Assert.Single(api.Requests);
        Assert.Equal(Harness.ApiToken, api.Requests[0].Token); // the configured origin is the only one that got it
        Assert.Equal(RrErrorKind.HttpError, e.Kind);
        Assert.Equal(status, e.HttpStatus);
        Assert.Contains($"was redirected (HTTP {status}) to {other.Origin}/collect/api,", e.Message);
        Assert.Contains("never follows", e.Message);
        Assert.DoesNotContain("stolen", e.Message); // the target's query is not shown
    }

    [Fact]
    public async Task A_redirect_within_the_same_origin_is_not_followed_either()
    {
        using var api = new LoopbackServer(c =>
        {
            if (c.Request.Url.AbsolutePath.Contains("/moved/")) Envelope(c);
            else Redirect(c, 302, "/moved/user/api/Recall/list");
        });
        using var session = Session(api.Origin + "/uat/user/api");

        var e = await Assert.ThrowsAsync<RrApiException>(() => session.Client.SendAsync(RrRequest.Get("Recall/list"), NullLog.Instance, default));

        Assert.Single(api.Requests);
        Assert.Contains($"to {api.Origin}/moved/user/api/Recall/list", e.Message);
    }

    [Fact]
    public void The_session_handler_follows_no_redirect()
        => Assert.False(TransportSettings.For(ReturnsHelper.Hosting.HostRequirements.CurrentEdition).CreateHandler().AllowAutoRedirect);

    [Fact]
    public async Task A_refused_certificate_fails_at_once_without_retrying()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connections = 0;
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await listener.AcceptTcpClientAsync(stop.Token); }
                catch (OperationCanceledException) { return; }
                Interlocked.Increment(ref connections);
                using (client)
                using (var tls = new SslStream(client.GetStream()))
                {
                    try { await tls.AuthenticateAsServerAsync(certificate); }
                    catch (Exception) { /* the client refuses the certificate: expected */ }
                }
            }
        });
        try
        {
            using var session = Session($"https://127.0.0.1:{port}/uat/user/api");

            var e = await Assert.ThrowsAsync<RrApiException>(() => session.Client.SendAsync(RrRequest.Get("Recall/list"), NullLog.Instance, default));

            Assert.Equal(RrErrorKind.Transport, e.Kind);
            Assert.StartsWith("GET Recall/list failed: the server's TLS certificate was not accepted: ", e.Message);
            Assert.Equal(1, Volatile.Read(ref connections));
        }
        finally
        {
            stop.Cancel();
            listener.Stop();
            await server;
        }
    }
}
