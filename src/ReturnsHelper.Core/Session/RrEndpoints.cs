using System;
using System.Net;

namespace ReturnsHelper;

/// <summary>The documented environments; Custom is any other base URI (the emulator, a proxy).</summary>
public enum RrEnvironment { Sandbox, Production, China, Custom }

/// <summary>Where one environment's User API, Public API and photo host live (API notes 1.1).</summary>
internal sealed class RrEndpoints
{
    public RrEnvironment Environment { get; }
    public Uri UserBase { get; }
    public Uri PublicBase { get; }
    public Uri PhotoBase { get; }

    private RrEndpoints(RrEnvironment environment, Uri userBase, Uri publicBase, Uri photoBase)
    {
        Environment = environment;
        UserBase = userBase;
        PublicBase = publicBase;
        PhotoBase = photoBase;
    }

    private static readonly Uri SandboxPhotos = new Uri("https://rr-dev-files.returnshelper.com/");
    private static readonly Uri ProductionPhotos = new Uri("https://file.returnhelpercentre.com/");

    public static RrEndpoints For(RrEnvironment environment)
    {
        switch (environment)
        {
            case RrEnvironment.Sandbox:
                return new RrEndpoints(environment, new Uri("https://api.returnshelper.com/uat/user/api/"), new Uri("https://api.returnshelper.com/uat/public/api/"), SandboxPhotos);
            case RrEnvironment.Production:
                return new RrEndpoints(environment, new Uri("https://api.returnhelpercentre.com/v1/user/api/"), new Uri("https://api.returnhelpercentre.com/v1/public/api/"), ProductionPhotos);
            case RrEnvironment.China:
                // The China user API has no public API of its own in the docs: reference data comes from production.
                return new RrEndpoints(environment, new Uri("https://api.returnhelperchina.com/user/"), new Uri("https://api.returnhelpercentre.com/v1/public/api/"), ProductionPhotos);
            default:
                throw new ArgumentException("Use Custom() with a base URI for a custom environment.", nameof(environment));
        }
    }

    /// <summary>
    /// A custom user API base; the public base is derived by replacing <c>/user/api</c> with <c>/public/api</c>
    /// unless given. Plain http is refused except for loopback addresses (credentials travel in headers).
    /// </summary>
    public static RrEndpoints Custom(Uri userBase, Uri publicBase = null)
    {
        RequireSafe(userBase, "BaseUri");
        if (publicBase == null)
        {
            var text = userBase.AbsoluteUri.TrimEnd('/');
            var marker = text.LastIndexOf("/user/api", StringComparison.OrdinalIgnoreCase);
            if (marker < 0) throw new PublicBaseNotDerivableException(userBase);
            publicBase = new Uri(text.Substring(0, marker) + "/public/api" + text.Substring(marker + "/user/api".Length));
        }
        RequireSafe(publicBase, "PublicBaseUri");
        return new RrEndpoints(RrEnvironment.Custom, WithSlash(userBase), WithSlash(publicBase), SandboxPhotos);
    }

    private static void RequireSafe(Uri uri, string name)
    {
        if (uri == null || !uri.IsAbsoluteUri)
            throw new ArgumentException($"{name} must be an absolute http(s) URI.");
        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new ArgumentException($"{name} must not contain user info, a query or a fragment.");
        if (uri.Scheme == Uri.UriSchemeHttps) return;
        if (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)) return;
        throw new ArgumentException(uri.Scheme == Uri.UriSchemeHttp
            ? $"{name} '{uri.GetLeftPart(UriPartial.Authority)}' uses plain http: the API token would cross the network unencrypted. Use https (plain http is accepted only for loopback addresses such as the local emulator)."
            : $"{name} must use https.");
    }

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith("/") ? uri : new Uri(uri.AbsoluteUri + "/");
}

/// <summary>
/// A custom user API base from which the Public API base cannot be derived (it does not end in /user/api): the
/// caller has to give that base too (the cmdlet layer says how).
/// </summary>
internal sealed class PublicBaseNotDerivableException : ArgumentException
{
    public PublicBaseNotDerivableException(Uri userBase)
        : base($"Cannot derive the Public API base from '{userBase}': it does not end in /user/api.")
    {
    }
}
