using System.Net;
using System.Security.Authentication;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Hosting;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>
/// The transport chosen per edition. The .NET Framework (Windows PowerShell 5.1) settings are built and checked here on
/// .NET, since no test runs on .NET Framework.
/// </summary>
public class TransportSettingsTests
{
    private const SslProtocols Tls12AndLater = SslProtocols.Tls12 | SslProtocols.Tls13;

    [Fact]
    public void The_Desktop_handler_asks_for_TLS_1_2_or_later_and_nothing_older()
    {
        var settings = TransportSettings.For(RuntimeEdition.Desktop);
        Assert.True(settings.SslProtocols.HasFlag(SslProtocols.Tls12));
        Assert.Equal(SslProtocols.None, settings.SslProtocols & ~Tls12AndLater);
        using var handler = settings.CreateHandler();
        Assert.Equal(settings.SslProtocols, handler.SslProtocols);
    }

    [Fact]
    public void On_NET_the_operating_system_chooses_the_TLS_version()
    {
        using var handler = TransportSettings.For(RuntimeEdition.Core).CreateHandler();
        Assert.Equal(SslProtocols.None, handler.SslProtocols);
    }

    [Theory]
    [InlineData(nameof(RuntimeEdition.Desktop))]
    [InlineData(nameof(RuntimeEdition.Core))]
    public void Every_edition_sends_no_Expect_100_continue_follows_no_redirect_and_opens_enough_connections(string editionName) // a name: the enum is internal
    {
        var settings = TransportSettings.For(Enum.Parse<RuntimeEdition>(editionName));
        Assert.False(settings.ExpectContinue);
        using var handler = settings.CreateHandler();
        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(RrSession.MaxThrottleLimit, handler.MaxConnectionsPerServer);
        Assert.Equal(DecompressionMethods.GZip | DecompressionMethods.Deflate, handler.AutomaticDecompression);
        using var client = new HttpClient(handler);
        settings.Apply(client);
        Assert.False(client.DefaultRequestHeaders.ExpectContinue);
    }

    [Fact]
    public async Task A_session_write_goes_out_without_waiting_for_100_continue()
    {
        using var harness = new Harness();
        bool? expectContinue = null;
        harness.Handler.Step((message, _) =>
        {
            // .NET Framework turns an explicit false into ServicePoint.Expect100Continue = false for the API's host.
            expectContinue = message.Headers.ExpectContinue;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Wire.Ok()) });
        });
        using var _ = await harness.SendAsync(RrRequest.Write("Recall/create", "{}"u8.ToArray(), "key-1"));
        Assert.False(expectContinue);
    }

    [Fact]
    public void Jitter_sources_created_together_do_not_repeat_each_other()
    {
        // Seeded from the clock (as new Random() is on .NET Framework), sources created in the same tick are identical.
        var firstDraws = Enumerable.Range(0, 16).Select(_ => RetryPolicy.NewJitterSource().Next()).ToList();
        Assert.True(firstDraws.Distinct().Count() > 1, "every jitter source gave the same first number");
    }
}
