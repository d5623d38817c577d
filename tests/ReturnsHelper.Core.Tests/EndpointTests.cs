using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>Environments, custom base URIs and the session's key masking.</summary>
public class EndpointTests
{
    [Theory]
    [InlineData(RrEnvironment.Sandbox, "https://api.returnshelper.com/uat/user/api/", "https://api.returnshelper.com/uat/public/api/", "https://rr-dev-files.returnshelper.com/")]
    [InlineData(RrEnvironment.Production, "https://api.returnhelpercentre.com/v1/user/api/", "https://api.returnhelpercentre.com/v1/public/api/", "https://file.returnhelpercentre.com/")]
    [InlineData(RrEnvironment.China, "https://api.returnhelperchina.com/user/", "https://api.returnhelpercentre.com/v1/public/api/", "https://file.returnhelpercentre.com/")]
    public void Documented_urls_per_environment(RrEnvironment environment, string user, string pub, string photos)
    {
        var e = RrEndpoints.For(environment);
        Assert.Equal(environment, e.Environment);
        Assert.Equal(user, e.UserBase.AbsoluteUri);
        Assert.Equal(pub, e.PublicBase.AbsoluteUri);
        Assert.Equal(photos, e.PhotoBase.AbsoluteUri);
    }

    [Fact]
    public void For_custom_needs_a_base_uri()
        => Assert.Throws<ArgumentException>(() => RrEndpoints.For(RrEnvironment.Custom));

    [Theory]
    [InlineData("https://proxy.example.com/rr/user/api/", "https://proxy.example.com/rr/public/api/")]
    [InlineData("https://proxy.example.com/rr/user/api", "https://proxy.example.com/rr/public/api/")]
    [InlineData("https://proxy.example.com/User/Api/", "https://proxy.example.com/public/api/")]
    [InlineData("http://127.0.0.1:5123/user/api/", "http://127.0.0.1:5123/public/api/")]
    [InlineData("http://localhost:8080/uat/user/api", "http://localhost:8080/uat/public/api/")]
    [InlineData("http://[::1]:5000/user/api/", "http://[::1]:5000/public/api/")]
    public void Custom_derives_the_public_base(string user, string expectedPublic)
    {
        var e = RrEndpoints.Custom(new Uri(user));
        Assert.Equal(RrEnvironment.Custom, e.Environment);
        Assert.EndsWith("/", e.UserBase.AbsoluteUri);
        Assert.Equal(user.TrimEnd('/') + "/", e.UserBase.AbsoluteUri);
        Assert.Equal(expectedPublic, e.PublicBase.AbsoluteUri);
        Assert.NotNull(e.PhotoBase);
    }

    [Fact]
    public void Custom_takes_an_explicit_public_base()
    {
        var e = RrEndpoints.Custom(new Uri("https://a.example/api"), new Uri("https://b.example/pub"));
        Assert.Equal("https://a.example/api/", e.UserBase.AbsoluteUri);
        Assert.Equal("https://b.example/pub/", e.PublicBase.AbsoluteUri);
    }

    [Fact]
    public void Custom_without_user_api_and_without_public_base_is_refused_clearly()
    {
        // The cmdlet layer adds how to give it (-PublicBaseUri).
        var e = Assert.Throws<PublicBaseNotDerivableException>(() => RrEndpoints.Custom(new Uri("https://a.example/api/")));
        Assert.Equal("Cannot derive the Public API base from 'https://a.example/api/': it does not end in /user/api.", e.Message);
    }

    [Theory]
    [InlineData("http://api.returnshelper.com/uat/user/api/")]
    [InlineData("http://192.168.1.10:5000/user/api/")]
    [InlineData("http://localhost.evil.example/user/api/")]
    [InlineData("http://127.0.0.1.nip.io/user/api/")]
    [InlineData("http://0.0.0.0:5000/user/api/")]
    public void Plain_http_is_refused_for_non_loopback_hosts(string uri)
    {
        var e = Assert.Throws<ArgumentException>(() => RrEndpoints.Custom(new Uri(uri)));
        Assert.Contains("http", e.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1/user/api/")]
    [InlineData("http://127.0.0.2:9000/user/api/")]
    [InlineData("http://localhost/user/api/")]
    [InlineData("http://LOCALHOST:1234/user/api/")]
    [InlineData("http://[::1]/user/api/")]
    public void Plain_http_is_allowed_for_loopback(string uri)
        => Assert.Equal(RrEnvironment.Custom, RrEndpoints.Custom(new Uri(uri)).Environment);

    [Fact]
    public void Plain_http_public_base_is_refused_even_with_an_https_user_base()
        => Assert.Throws<ArgumentException>(() => RrEndpoints.Custom(new Uri("https://a.example/user/api/"), new Uri("http://b.example/public/api/")));

    [Theory]
    [InlineData("https://a.example/user/api/?x=1")]
    [InlineData("https://user:pass@a.example/user/api/")]
    [InlineData("https://a.example/user/api/#frag")]
    [InlineData("ftp://a.example/user/api/")]
    [InlineData("file:///tmp/user/api/")]
    public void Query_userinfo_fragment_and_other_schemes_are_refused(string uri)
    {
        var e = Assert.Throws<ArgumentException>(() => RrEndpoints.Custom(new Uri(uri)));
        Assert.DoesNotContain("pass", e.Message); // userinfo never echoed back
    }

    [Fact]
    public void Relative_or_null_base_is_refused()
    {
        Assert.Throws<ArgumentException>(() => RrEndpoints.Custom(new Uri("user/api", UriKind.Relative)));
        Assert.Throws<ArgumentException>(() => RrEndpoints.Custom(null));
    }

    // ---- session ----

    [Theory]
    [InlineData("abcdefghijklmnop", "****mnop")]
    [InlineData("123456789", "****6789")]
    [InlineData("12345678", "********")]
    [InlineData("abcd", "********")]
    [InlineData("a", "********")]
    [InlineData("", "********")]
    public void Mask_shows_at_most_the_last_four_characters(string key, string masked)
    {
        var m = RrSession.Mask(key);
        Assert.Equal(masked, m);
        var visible = m.TrimStart('*');
        Assert.True(visible.Length <= 4);
        Assert.True(key.Length <= 8 ? visible.Length == 0 : key.EndsWith(visible));
    }

    [Fact]
    public void Session_shows_environment_base_and_masked_key_only()
    {
        using var h = new Harness();
        var s = h.Session;
        Assert.Equal(RrEnvironment.Sandbox, s.Environment);
        Assert.Equal("https://api.returnshelper.com/uat/user/api/", s.BaseUri.AbsoluteUri);
        Assert.Equal("https://api.returnshelper.com/uat/public/api/", s.PublicBaseUri.AbsoluteUri);
        Assert.Equal("****" + Harness.ApiKey[^4..], s.MaskedApiKey);
        Assert.Equal(5, s.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(60), s.MaxRetryTime);
        Assert.True(DateTimeOffset.Now - s.ConnectedAt < TimeSpan.FromMinutes(1));
        Harness.AssertNoSecret(new[] { s.ToString(), s.MaskedApiKey });
        Assert.Contains(s.MaskedApiKey, s.ToString());
    }

    [Fact]
    public void Session_refuses_empty_credentials()
    {
        var endpoints = RrEndpoints.For(RrEnvironment.Sandbox);
        Assert.Throws<ArgumentException>(() => new RrSession(endpoints, " ", Harness.Secure("t"), null, null));
        Assert.Throws<ArgumentException>(() => new RrSession(endpoints, null, Harness.Secure("t"), null, null));
        Assert.Throws<ArgumentException>(() => new RrSession(endpoints, "key", Harness.Secure(""), null, null));
        Assert.Throws<ArgumentException>(() => new RrSession(endpoints, "key", null, null, null));
    }

    [Fact]
    public void Session_uses_the_given_retry_policy_and_dispose_is_idempotent()
    {
        var h = new Harness(new RetryPolicy { MaxAttempts = 2, MaxRetryTime = TimeSpan.FromSeconds(9) });
        Assert.Equal(2, h.Session.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(9), h.Session.MaxRetryTime);
        h.Dispose();
        Assert.True(h.Session.IsDisposed);
        h.Dispose();
    }
}
