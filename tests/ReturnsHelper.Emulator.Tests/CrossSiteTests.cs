using System.Net;
using System.Text;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

/// <summary>
/// A web page open in the developer's browser can send "simple" requests to 127.0.0.1 without a preflight: the
/// control surface must refuse them, and webhook targets stay on loopback unless the emulator is told otherwise.
/// </summary>
public sealed class CrossSiteTests
{
    private const string SigningKey = "c2VjcmV0LWtleQ==";

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task ABodyThatIsNotJson_IsRefusedWith415_AndChangesNothing(string contentType)
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await SendAsync(emulator, "accounts", "{\"apiKey\":\"emulator-key\",\"apiToken\":\"stolen\",\"replace\":true}",
            contentType: contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", await response.Content.ReadAsStringAsync());
        (await emulator.GetAsync("ReturnInventory/GetReturnInventory?returnInventoryId=123")).AssertSuccess();
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("null")]
    [InlineData("http://127.0.0.1:1")]
    public async Task AForeignOrigin_IsRefusedWith403_AndChangesNothing(string origin)
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await SendAsync(emulator, "reset", "{\"seedInventory\":0}", origin: origin);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("cross-site", await response.Content.ReadAsStringAsync());
        (await emulator.GetAsync("ReturnInventory/GetReturnInventory?returnInventoryId=100001")).AssertSuccess();
    }

    [Fact]
    public async Task AnotherHostName_IsRefused_SoDnsRebindingCannotReachIt()
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/_emulator/accounts");
        request.Headers.Host = "rebound.example:" + emulator.Host.Port;
        using var response = await emulator.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("own")]
    public async Task TheEmulatorsOwnOrigin_OrNone_IsServed(string origin)
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await SendAsync(emulator, "reset", "{\"seedInventory\":0}",
            origin: origin is null ? null : emulator.Host.BaseAddress.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/x-www-form-urlencoded")] // what Invoke-RestMethod -Method Post sends without -Body
    public async Task APostWithoutBody_IsServed_WhateverItsContentType(string contentType)
    {
        await using var emulator = await TestEmulator.StartAsync();
        var content = new ByteArrayContent([]);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await emulator.Http.PostAsync("/_emulator/reset", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("http://192.0.2.1/hook")]
    [InlineData("https://hooks.example.com/x")]
    public async Task ARemoteWebhookTarget_IsRefused_WithoutTheOption(string url)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var answer = await emulator.ControlAsync(HttpMethod.Post, "webhooks", new { url, signingKey = SigningKey }, HttpStatusCode.BadRequest);

        Assert.Contains("--allow-remote-webhooks", answer.GetProperty("error").GetString());
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--webhook-url", url, "--signing-key", SigningKey]));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("http://localhost:9/hook")]
    [InlineData("http://[::1]:9/hook")]
    public async Task ALoopbackWebhookTarget_IsAccepted(string url)
    {
        await using var emulator = await TestEmulator.StartAsync();

        await emulator.ControlAsync(HttpMethod.Post, "webhooks", new { url, signingKey = SigningKey });
    }

    [Fact]
    public async Task ARemoteWebhookTarget_IsAccepted_WithTheOption()
    {
        const string url = "https://hooks.example.com/x";
        await using var emulator = await TestEmulator.StartAsync(o => o.AllowRemoteWebhooks = true);

        await emulator.ControlAsync(HttpMethod.Post, "webhooks", new { url, signingKey = SigningKey });
        var options = CommandLine.Parse(["--allow-remote-webhooks", "--webhook-url", url, "--signing-key", SigningKey])!;

        Assert.True(options.AllowRemoteWebhooks);
        Assert.Equal(url, options.WebhookUrl);
    }

    private static async Task<HttpResponseMessage> SendAsync(TestEmulator emulator, string path, string body, string contentType = "application/json", string origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_emulator/" + path)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        return await emulator.Http.SendAsync(request);
    }
}
