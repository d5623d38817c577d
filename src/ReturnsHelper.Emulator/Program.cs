using System.Runtime.InteropServices;

namespace ReturnsHelper.Emulator;

public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    /// <summary>
    /// Runs until Ctrl+C, SIGTERM or <paramref name="stop"/>. Exit codes: 0 after a clean stop, 2 when it cannot
    /// start (bad options, an unreadable or corrupt state file, a port in use).
    /// </summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        EmulatorOptions? options;
        try
        {
            options = CommandLine.Parse(args);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        if (options is null)
        {
            await stdout.WriteLineAsync(CommandLine.Usage);
            return 0;
        }

        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(stop);
        void RequestStop(PosixSignalContext context)
        {
            context.Cancel = true;
            shutdown.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);

        EmulatorHost host;
        try
        {
            host = await EmulatorHost.StartAsync(options, shutdown.Token);
        }
        catch (EmulatorStartupException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        await using (host)
        {
            // Scripts and tests read these two lines from a redirected stdout: flush them at once.
            await stdout.WriteLineAsync($"Listening on {host.BaseAddress.GetLeftPart(UriPartial.Authority)}");
            await stdout.WriteLineAsync(host.ConnectCommand);
            await stdout.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, shutdown.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return 0;
    }
}
