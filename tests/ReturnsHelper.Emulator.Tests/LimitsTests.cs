using System.Net;
using System.Text;
using System.Text.Json;
using ReturnsHelper.Emulator.Http;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

/// <summary>What a client can make the emulator hold: request bodies and idempotency keys are bounded.</summary>
public sealed class LimitsTests
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task AnApiBodyOverTheLimit_IsRefusedWith413_InTheEnvelope_BeforeItIsExecuted()
    {
        await using var emulator = await TestEmulator.StartAsync(o => { o.MaxRequestBodyBytes = Limit; o.SeedInventory = 0; });
        long id = await emulator.AddInventoryAsync();
        // A valid request, padded past the limit with whitespace.
        string body = $"{{\"returnInventoryIdList\":[{id}]}}" + new string(' ', Limit);

        var response = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal(413, response.MetaStatus);
        Assert.Equal("PAYLOAD_TOO_LARGE", response.ErrorCode);
        Assert.Contains($"limit of {Limit} bytes", response.Errors["request"]);
        Assert.Empty(await emulator.RecallsAsync());
    }

    [Fact]
    public async Task AControlBodyOverTheLimit_IsRefusedWith413()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.MaxRequestBodyBytes = Limit);
        string body = "[" + string.Join(",", Enumerable.Repeat("{\"sku\":\"PADDING-PADDING-PADDING\"}", Limit / 30)) + "]";

        var answer = await emulator.ControlAsync(HttpMethod.Post, "inventories", body, HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("--max-request-body-mb", answer.GetProperty("error").GetString());
        Assert.Equal(100001 + TestEmulator.DefaultSeedInventory, await emulator.AddInventoryAsync());
    }

    [Fact]
    public async Task AChunkedBodyWithoutLength_IsRefusedOnceItPassesTheLimit()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.MaxRequestBodyBytes = Limit);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_emulator/inventories")
        {
            // No Content-Length: the size is only known while reading.
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("[" + new string(' ', 2 * Limit) + "]"))),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;

        using var response = await emulator.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task ABodyUnderTheLimit_IsServed()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.MaxRequestBodyBytes = Limit);
        long id = await emulator.AddInventoryAsync();

        var response = await emulator.PostAsync("Recall/createRecallByReturnInventoryId",
            $"{{\"returnInventoryIdList\":[{id}]}}" + new string(' ', Limit - 100));

        response.AssertSuccess();
    }

    [Fact]
    public async Task TheIdempotencyStore_ForgetsItsOldestKeys_BeyondItsCapacity()
    {
        var store = new IdempotencyStore(capacity: 3, TimeProvider.System);
        int executions = 0;
        Task<(ApiResult Result, bool Replayed)> Run(string key) =>
            store.RunAsync(1, key, [1], "c", () => { executions++; return Envelope.Error(400, "c", "X", "p", "m"); });

        foreach (string key in new[] { "a", "b", "c", "d" })
        {
            await Run(key);
        }

        Assert.Equal(3, store.Count);
        Assert.True((await Run("d")).Replayed);
        Assert.False((await Run("a")).Replayed); // forgotten: executed again (and now "b" is the oldest out)
        Assert.Equal(5, executions);
        Assert.Equal(3, store.Count);
        Assert.False((await Run("b")).Replayed);
    }

    [Fact]
    public async Task TheIdempotencyStore_ForgetsKeysAfter24Hours()
    {
        var clock = new ManualClock();
        var store = new IdempotencyStore(capacity: 100, clock);
        Task<(ApiResult Result, bool Replayed)> Run(string key) =>
            store.RunAsync(1, key, [1], "c", () => Envelope.Error(400, "c", "X", "p", "m"));
        await Run("old");

        clock.Advance(IdempotencyStore.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True((await Run("old")).Replayed);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Run("new");

        Assert.Equal(1, store.Count);
        Assert.False((await Run("old")).Replayed);
    }

    [Theory]
    [InlineData("--max-request-body-mb", "0")]
    [InlineData("--max-request-body-mb", "2000")]
    [InlineData("--max-idempotency-keys", "0")]
    public void OutOfRangeLimits_AreRefused(string option, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse([option, value]));

        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void TheLimits_HaveGenerousDefaults_AndCanBeSet()
    {
        var defaults = CommandLine.Parse([])!;
        var set = CommandLine.Parse(["--max-request-body-mb", "100", "--max-idempotency-keys", "5"])!;

        Assert.Equal(16L << 20, defaults.MaxRequestBodyBytes);
        Assert.Equal(100_000, defaults.MaxIdempotencyKeys);
        Assert.Equal(100L << 20, set.MaxRequestBodyBytes);
        Assert.Equal(5, set.MaxIdempotencyKeys);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
