using System.Security;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests.Fakes;

/// <summary>
/// A session whose single client talks to a <see cref="FakeHandler"/>, with the backoff wait replaced by a
/// recorder (instant) and a fixed clock, so retry tests need no real sleeps.
/// </summary>
internal sealed class Harness : IDisposable
{
    public const string ApiKey = "KEY-4f1d9c2ab7e3";
    public const string ApiToken = "TOK-Zq8!secret-9x7Vw";
    public const string UserAgent = "ReturnsHelper/0.1.0 (Platform=Unix/6.8.0; Runtime=10.0.0; Language=PowerShell7.6.9)";
    public static readonly DateTimeOffset Now = new(2025, 3, 4, 10, 20, 30, TimeSpan.Zero);

    public FakeHandler Handler { get; } = new();
    public RrSession Session { get; }
    public RrApiClient Client => Session.Client;
    public TestLog Log { get; }
    private readonly List<TimeSpan> delays = new();
    public IReadOnlyList<TimeSpan> Delays { get { lock (delays) return delays.ToList(); } }

    public Harness(RetryPolicy policy = null, RrEndpoints endpoints = null, bool debug = false, string userAgent = UserAgent, string token = ApiToken)
    {
        Log = new TestLog(debug);
        Session = new RrSession(endpoints ?? RrEndpoints.For(RrEnvironment.Sandbox), ApiKey, Secure(token), userAgent, policy ?? new RetryPolicy(), Handler);
        Client.Delay = (wait, ct) =>
        {
            lock (delays) delays.Add(wait);
            ct.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        };
        Client.Clock = () => Now;
    }

    public Task<RrResponse> SendAsync(RrRequest request, CancellationToken ct = default) => Client.SendAsync(request, Log, ct);

    /// <summary>Sends and expects an <see cref="RrApiException"/>.</summary>
    public Task<RrApiException> FailAsync(RrRequest request, CancellationToken ct = default)
        => Assert.ThrowsAsync<RrApiException>(() => SendAsync(request, ct));

    public static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text) s.AppendChar(c);
        return s;
    }

    /// <summary>Fails when the token or the key shows up in any of the given texts.</summary>
    public static void AssertNoSecret(IEnumerable<string> texts)
    {
        foreach (var text in texts.Where(t => t != null))
        {
            Assert.DoesNotContain(ApiToken, text);
            Assert.DoesNotContain(ApiKey, text);
        }
    }

    public static void AssertNoSecret(RrApiException e)
        => AssertNoSecret(new[] { e.Message, e.ErrorCode, e.CorrelationId }.Concat(e.Errors.Keys).Concat(e.Errors.Values));

    public void Dispose() => Session.Dispose();
}
