using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReturnsHelper.Emulator.Tests.Infrastructure;

/// <summary>A webhook receiver on 127.0.0.1 that records every request and answers with the statuses it is told.</summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _statuses = new();
    private readonly SemaphoreSlim _received = new(0);

    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
    }

    private WebhookListener(WebApplication app)
    {
        _app = app;
    }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The URL to register, exactly as the emulator must sign it.</summary>
    public string Url { get; private set; }

    /// <summary>Answered after the queued statuses run out.</summary>
    public int DefaultStatus { get; set; } = 200;

    public static async Task<WebhookListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var listener = new WebhookListener(app);
        app.Run(listener.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        listener.Url = address.TrimEnd('/') + "/hooks/returnhelper";
        return listener;
    }

    /// <summary>Statuses for the next requests, in order.</summary>
    public void Respond(params int[] statuses)
    {
        foreach (int status in statuses)
        {
            _statuses.Enqueue(status);
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests have arrived in total.</summary>
    public async Task<Received[]> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (Requests.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"Expected {count} webhook requests, got {Requests.Count}.");
            await _received.WaitAsync(left);
        }

        return [.. Requests];
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new Received(http.Request.Method, http.Request.Path + http.Request.QueryString, headers, buffer.ToArray()));
        http.Response.StatusCode = _statuses.TryDequeue(out int status) ? status : DefaultStatus;
        _received.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
