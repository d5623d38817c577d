using System.Diagnostics;
using System.Text.RegularExpressions;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class ProgramTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rh-emulator-program-").FullName;

    [Theory]
    [InlineData("--port", "notanumber")]
    [InlineData("--port", "70000")]
    [InlineData("--bogus", "1")]
    [InlineData("--seed-inventory", "-1")]
    [InlineData("--webhook-url", "http://127.0.0.1:9/x")]
    [InlineData("--port")]
    public async Task BadOptions_ExitWith2AndAMessageOnStderr(params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunToExitAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: ", stderr);
    }

    [Fact]
    public async Task Help_PrintsEveryOption()
    {
        var (exitCode, stdout, _) = await RunToExitAsync("--help");

        Assert.Equal(0, exitCode);
        foreach (string option in new[] { "--port", "--api-key", "--api-token", "--seed-inventory", "--seed", "--state-file", "--latency-ms", "--webhook-url", "--signing-key",
            "--allow-remote-webhooks", "--max-request-body-mb", "--max-idempotency-keys" })
        {
            Assert.Contains(option, stdout);
        }
    }

    [Fact]
    public async Task CorruptStateFile_ExitsWith2()
    {
        string path = Path.Combine(_directory, "broken.json");
        await File.WriteAllTextAsync(path, "{\"format\":");

        var (exitCode, stdout, stderr) = await RunToExitAsync("--port", "0", "--state-file", path);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains(path, stderr);
        Assert.Contains("corrupt", stderr);
    }

    [Fact]
    public async Task PortInUse_IsAStartupError()
    {
        await using var first = await TestEmulator.StartAsync();

        var error = await Assert.ThrowsAsync<EmulatorStartupException>(() => TestEmulator.StartAsync(o => o.Port = first.Host.Port));
        var (exitCode, _, stderr) = await RunToExitAsync("--port", first.Host.Port.ToString());

        Assert.Contains("already in use", error.Message);
        Assert.Equal(2, exitCode);
        Assert.Contains("already in use", stderr);
    }

    [Fact]
    public async Task Run_PrintsExactlyTheTwoStartLines_ServesRequests_AndStopsCleanly()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = Program.RunAsync(["--port", "0", "--api-key", "my-key", "--api-token", "it's-secret", "--seed-inventory", "5"],
            TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr), stop.Token);
        await Eventually.HoldsAsync(() => Task.FromResult(stdout.ToString().Split('\n').Length >= 3 || run.IsCompleted), "the start lines are printed");

        string[] lines = stdout.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(2, lines.Length);
        var listening = Regex.Match(lines[0], @"^Listening on http://127\.0\.0\.1:(\d+)$");
        Assert.True(listening.Success, lines[0]);
        string port = listening.Groups[1].Value;
        Assert.Equal(
            $"Connect-RrService -BaseUri http://127.0.0.1:{port}/uat/user/api -ApiKey my-key -ApiToken (ConvertTo-SecureString 'it''s-secret' -AsPlainText -Force)",
            lines[1]);

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/uat/user/api/ApiBalance/GetApiBalance");
        request.Headers.Add("x-rr-apikey", "my-key");
        request.Headers.Add("x-rr-apitoken", "it's-secret");
        (await ApiResponse.ReadAsync(await client.SendAsync(request))).AssertSuccess();

        await stop.CancelAsync();
        Assert.Equal(0, await run);
        Assert.Equal(2, stdout.ToString().TrimEnd().Split(Environment.NewLine).Length);
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public async Task TheBuiltProgram_StartsFromDotnet_AndSavesItsStateOnSigterm()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGTERM cannot be sent to another process on Windows; the in-process test covers the rest.
        }

        string statePath = Path.Combine(_directory, "state.json");
        var start = new ProcessStartInfo(DotnetHost(), ["ReturnsHelper.Emulator.dll", "--port", "0", "--seed-inventory", "3", "--state-file", statePath])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            string listening = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            string connect = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Matches(@"^Listening on http://127\.0\.0\.1:\d+$", listening);
            Assert.StartsWith("Connect-RrService -BaseUri ", connect);

            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(listening["Listening on ".Length..]) };
            using var added = await client.PostAsync("/_emulator/inventories", new StringContent("[{\"sku\":\"SIGTERM-SAVED\"}]", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(added.IsSuccessStatusCode);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("SIGTERM-SAVED", await File.ReadAllTextAsync(statePath));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exitCode = await Program.RunAsync(args, stdout, stderr, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath
        : "dotnet";

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
