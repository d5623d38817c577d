using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReturnsHelper.Emulator.Api;
using ReturnsHelper.Emulator.Control;
using ReturnsHelper.Emulator.Http;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator;

/// <summary>
/// A running emulator: Kestrel on 127.0.0.1, the API, the control surface, the webhook sender and (with a state
/// file) the persister. Start it with <see cref="StartAsync"/>; disposing it stops it and saves the state.
/// Tests host it in-process on port 0.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorContext _emulator;
    private readonly StatePersister? _persister;
    private int _disposed;

    private EmulatorHost(WebApplication app, EmulatorContext emulator, StatePersister? persister, int port)
    {
        _app = app;
        _emulator = emulator;
        _persister = persister;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        UserApiBase = new Uri(BaseAddress, "/uat/user/api");
        PublicApiBase = new Uri(BaseAddress, "/uat/public/api");
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>; the control surface is under <c>/_emulator/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The User API base to give the client, e.g. <c>http://127.0.0.1:5580/uat/user/api</c>.</summary>
    public Uri UserApiBase { get; }

    public Uri PublicApiBase { get; }

    public EmulatorOptions Options => _emulator.Options;

    /// <summary>The PowerShell command that connects the module to this emulator.</summary>
    public string ConnectCommand =>
        $"Connect-RrService -BaseUri {UserApiBase} -ApiKey {PowerShellArgument(Options.ApiKey)} " +
        $"-ApiToken (ConvertTo-SecureString {PowerShellQuote(Options.ApiToken)} -AsPlainText -Force)";

    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="EmulatorStartupException">The state file cannot be used, or the port cannot be bound.</exception>
    public static async Task<EmulatorHost> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // A state file that exists is loaded (or refused); otherwise the emulator starts from the seed.
        if (options.StateFile is not null && Directory.Exists(options.StateFile))
        {
            throw new EmulatorStartupException($"The state file '{options.StateFile}' is a directory.");
        }

        bool loaded = options.StateFile is not null && File.Exists(options.StateFile);
        var state = loaded ? LoadState(options) : EmulatorContext.CreateSeedState(options);
        var emulator = new EmulatorContext(options, state);
        var persister = options.StateFile is null ? null : new StatePersister(emulator.State, options.StateFile, loaded ? state : null);
        var app = Build(emulator, persister);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            if (persister is not null)
            {
                await persister.DisposeAsync();
            }

            await emulator.DisposeAsync();
            if (e is IOException { InnerException: AddressInUseException })
            {
                throw new EmulatorStartupException($"Port {options.Port} on 127.0.0.1 is already in use; choose another with --port (0 picks a free one).", e);
            }

            throw;
        }

        int port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()).Port;
        persister?.Start(options.StateSaveInterval);
        return new EmulatorHost(app, emulator, persister, port);
    }

    private static StateData LoadState(EmulatorOptions options)
    {
        var state = StateFile.Load(options.StateFile!);
        // The command-line credentials always identify the first account, so the printed connect command works.
        if (!state.TrySetDefaultCredentials(options.ApiKey, options.ApiToken))
        {
            throw new EmulatorStartupException(
                $"The state file '{options.StateFile}' has another account with the key '{options.ApiKey}'; --api-key names the first account.");
        }

        return state;
    }

    private static WebApplication Build(EmulatorContext emulator, StatePersister? persister)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Warnings and errors only, to stderr: stdout carries nothing but the two start-up lines.
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        // The host process (Program or a test) owns Ctrl+C and SIGTERM, not the generic host.
        builder.Services.AddSingleton<IHostLifetime, NoConsoleLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, emulator.Options.Port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = emulator.Options.MaxRequestBodyBytes;
        });

        var app = builder.Build();
        app.Use(RequestBodyLimit.Middleware(emulator.Options.MaxRequestBodyBytes));
        if (persister is not null)
        {
            // An answer acknowledges the state it reports: it leaves only once that state is in the state file, so
            // killing the process never loses an acknowledged write nor rolls an id counter back. Every answer
            // passes here (API, control surface, errors); one that changed nothing costs a version check.
            app.Use((http, next) =>
            {
                http.Response.OnStarting(() =>
                {
                    persister.SaveIfChanged();
                    return Task.CompletedTask;
                });
                return next(http);
            });
        }

        var routes = new ApiRoutes();
        RecallApi.Map(routes);
        ResendApi.Map(routes);
        ReturnInventoryApi.Map(routes);
        ReferenceApi.Map(routes);
        VasApi.Map(routes);
        ControlEndpoints.Map(app, emulator);
        app.MapFallback("{**path}", new ApiDispatcher(emulator, routes).InvokeAsync);
        return app;
    }

    /// <summary>Saves the state file now, if the state changed since the last save. No-op without a state file.</summary>
    public void SaveState() => _persister?.SaveIfChanged();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_persister is not null)
        {
            await _persister.DisposeAsync();
        }

        await _emulator.DisposeAsync();
    }

    private static string PowerShellQuote(string value) => "'" + value.Replace("'", "''") + "'";

    private static string PowerShellArgument(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? value : PowerShellQuote(value);

    private sealed class NoConsoleLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
