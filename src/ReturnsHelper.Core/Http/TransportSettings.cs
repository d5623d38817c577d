using System;
using System.Net;
using System.Net.Http;
using System.Security.Authentication;
using ReturnsHelper.Hosting;

namespace ReturnsHelper.Http;

/// <summary>
/// Every setting of a session's HTTP transport, chosen per edition in one place (<see cref="For"/>), so the choices
/// made for .NET Framework can be built and checked on .NET too.
/// </summary>
internal sealed class TransportSettings
{
    /// <summary>
    /// TLS 1.3 as .NET Framework 4.8 names it; .NET Standard 2.0 has no name for it, and .NET Framework 4.7.2 does not
    /// know the value at all (see <see cref="For"/>).
    /// </summary>
    internal const SslProtocols Tls13 = (SslProtocols)12288;

    public RuntimeEdition Edition { get; private set; }
    /// <summary>The handler's protocols; None leaves the choice to the operating system.</summary>
    public SslProtocols SslProtocols { get; private set; }
    /// <summary>Whether a request with a body first asks the server for "100 Continue".</summary>
    public bool ExpectContinue { get; private set; }
    public int MaxConnectionsPerServer { get; private set; }
    public DecompressionMethods AutomaticDecompression { get; private set; }
    public bool AllowAutoRedirect { get; private set; }

    /// <summary>
    /// The settings for <paramref name="edition"/>:
    /// - TLS: on .NET the operating system's default (TLS 1.2 and 1.3) is the recommended choice. Windows PowerShell
    ///   5.1's default comes from ServicePointManager.SecurityProtocol, which on many servers still means TLS 1.0;
    ///   the handler's own SslProtocols (.NET Framework 4.7.1 and later, and the manifest asks for 4.7.2) asks for
    ///   TLS 1.2, and 1.3 where the framework knows it (4.8), without changing the process-wide setting other modules
    ///   rely on.
    /// - Expect: 100-continue is off: .NET Framework would otherwise hold every POST body for a round trip (or 350 ms).
    ///   It is set per request, which .NET Framework applies to the ServicePoint of the API's host only.
    /// - Connections per server are raised to the highest -ThrottleLimit: .NET Framework's default is 2 per host,
    ///   which would quietly cap every command at 2 requests.
    /// - Redirects are never followed: .NET would re-send the x-rr-apikey and x-rr-apitoken headers to the new
    ///   address, whatever its host or scheme; a 3xx becomes an error naming the target instead.
    /// </summary>
    public static TransportSettings For(RuntimeEdition edition) => new TransportSettings
    {
        Edition = edition,
        SslProtocols = edition == RuntimeEdition.Desktop
            ? SslProtocols.Tls12 | (Enum.IsDefined(typeof(SslProtocols), Tls13) ? Tls13 : SslProtocols.None)
            : SslProtocols.None,
        ExpectContinue = false,
        MaxConnectionsPerServer = RrSession.MaxThrottleLimit,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        AllowAutoRedirect = false,
    };

    /// <summary>A handler with these settings.</summary>
    public HttpClientHandler CreateHandler()
    {
        var handler = new HttpClientHandler
        {
            AutomaticDecompression = AutomaticDecompression,
            AllowAutoRedirect = AllowAutoRedirect,
        };
        if (SslProtocols != SslProtocols.None) handler.SslProtocols = SslProtocols;
        try { handler.MaxConnectionsPerServer = MaxConnectionsPerServer; }
        catch (PlatformNotSupportedException) { /* a platform without the setting has no such cap either */ }
        return handler;
    }

    /// <summary>The client-wide part: headers every request of the session carries.</summary>
    public void Apply(HttpClient client) => client.DefaultRequestHeaders.ExpectContinue = ExpectContinue;
}
