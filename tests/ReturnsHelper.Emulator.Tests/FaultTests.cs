using System.Diagnostics;
using System.Net;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class FaultTests
{
    private const string CreateByIds = "Recall/createRecallByReturnInventoryId";

    [Fact]
    public async Task StatusFault_AnswersWithTheStatusRetryAfterAndAnEnvelope_ForCountRequests_WithoutExecuting()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        await emulator.ControlAsync(HttpMethod.Post, "faults",
            new { path = CreateByIds, kind = "status", status = 503, retryAfterSeconds = 2, count = 2 });
        object body = new { returnInventoryIdList = new[] { id } };

        var first = await emulator.PostAsync(CreateByIds, body);
        var second = await emulator.PostAsync(CreateByIds, body);
        var third = await emulator.PostAsync(CreateByIds, body);

        foreach (var faulted in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.Status);
            Assert.Equal(TimeSpan.FromSeconds(2), faulted.Headers.RetryAfter?.Delta);
            Assert.Equal(503, faulted.MetaStatus);
            Assert.Equal("SERVICE_UNAVAILABLE", faulted.ErrorCode);
        }

        third.AssertSuccess();
        Assert.Equal(0, (await emulator.ControlAsync(HttpMethod.Get, "faults")).GetArrayLength());
    }

    [Fact]
    public async Task StatusFault_WithoutRetryAfter_SendsNoRetryAfterHeader()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "faults", new { path = "GetApiBalance", kind = "status", status = 429 });

        var response = await emulator.GetAsync("ApiBalance/GetApiBalance");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.Status);
        Assert.Equal("TOO_MANY_REQUESTS", response.ErrorCode);
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task FaultWithoutKindOrPath_Is503ForTheNextRequestOfAnyPath()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "faults", new { });

        var faulted = await emulator.GetAsync("warehouse/getAllWarehouse");
        var next = await emulator.GetAsync("warehouse/getAllWarehouse");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.Status);
        next.AssertSuccess();
    }

    [Fact]
    public async Task DelayFault_DelaysTheAnswer()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "faults", new { path = "GetApiBalance", kind = "delay", delayMs = 400 });

        var watch = Stopwatch.StartNew();
        var response = await emulator.GetAsync("ApiBalance/GetApiBalance");
        watch.Stop();

        response.AssertSuccess();
        Assert.True(watch.ElapsedMilliseconds >= 380, $"Answered after {watch.ElapsedMilliseconds} ms.");
    }

    [Fact]
    public async Task DropBefore_ClosesTheConnection_WithoutExecuting()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        await emulator.ControlAsync(HttpMethod.Post, "faults", new { path = CreateByIds, kind = "drop-before" });

        await Assert.ThrowsAsync<HttpRequestException>(() => emulator.PostAsync(CreateByIds, new { returnInventoryIdList = new[] { id } }));

        Assert.Equal("tbc", (await emulator.InventoryAsync(id)).GetProperty("handlingCode").GetString());
        await emulator.CreateRecallsAsync(id);
    }

    [Fact]
    public async Task DropAfterCommit_CommitsThenClosesTheConnection_AndARetryWithTheSameKeyReplays()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        await emulator.ControlAsync(HttpMethod.Post, "faults", new { path = CreateByIds, kind = "drop-after-commit" });
        object body = new { returnInventoryIdList = new[] { id } };

        await Assert.ThrowsAsync<HttpRequestException>(() => emulator.PostAsync(CreateByIds, body, idempotencyKey: "commit-then-drop"));

        // The recall exists although the client never saw the answer...
        var recall = Assert.Single(await emulator.RecallsAsync(), r => r.GetProperty("recallInventoryList")[0].GetProperty("returnInventoryId").GetInt64() == id);
        Assert.Equal("rtn", (await emulator.InventoryAsync(id)).GetProperty("handlingCode").GetString());

        // ...and the retry with the same key gets that recall instead of a second one or an error.
        var retry = await emulator.PostAsync(CreateByIds, body, idempotencyKey: "commit-then-drop");
        retry.AssertSuccess();
        Assert.Equal(recall.GetProperty("recallId").GetInt64(), retry.Body.GetProperty("recallList")[0].GetProperty("recallId").GetInt64());
        var log = (await emulator.ControlAsync(HttpMethod.Get, "requests")).EnumerateArray()
            .Where(e => e.GetProperty("idempotencyKey").GetString() == "commit-then-drop").ToArray();
        // The log records a request when it ends, and a dropped one may end after its retry: compare without order.
        Assert.Equal(["", "drop-after-commit"], log.Select(e => e.GetProperty("fault").GetString() ?? "").OrderBy(f => f, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Faults_MatchThePathSuffixCaseInsensitively_InTheOrderQueued_AndCanBeCleared()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "faults", new object[]
        {
            new { path = "returninventory/getreturninventory", kind = "status", status = 500 },
            new { path = "RETURNINVENTORY/GETRETURNINVENTORY", kind = "status", status = 502 },
        });
        await emulator.ControlAsync(HttpMethod.Post, "faults", new { path = "GetApiBalance", kind = "status", status = 500, count = 5 });

        var other = await emulator.GetAsync("warehouse/getAllWarehouse");
        var first = await emulator.GetAsync("ReturnInventory/GetReturnInventory?returnInventoryId=123");
        var second = await emulator.SendAsync(HttpMethod.Get, "/v1/user/api/ReturnInventory/GetReturnInventory?returnInventoryId=123", null);
        var third = await emulator.GetAsync("ReturnInventory/GetReturnInventory?returnInventoryId=123");
        await emulator.ControlAsync(HttpMethod.Delete, "faults", expected: HttpStatusCode.NoContent);
        var afterClear = await emulator.GetAsync("ApiBalance/GetApiBalance");

        other.AssertSuccess();
        Assert.Equal(HttpStatusCode.InternalServerError, first.Status);
        Assert.Equal(HttpStatusCode.BadGateway, second.Status);
        third.AssertSuccess();
        afterClear.AssertSuccess();
    }

    [Theory]
    [InlineData(200)]
    [InlineData(204)]
    [InlineData(302)]
    [InlineData(399)]
    [InlineData(600)]
    public async Task StatusFault_OutsideTheErrorRange_IsRefused_AndNothingIsQueued(int status)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var answer = await emulator.ControlAsync(HttpMethod.Post, "faults", new { path = "GetApiBalance", kind = "status", status }, HttpStatusCode.BadRequest);
        var withoutKind = await emulator.ControlAsync(HttpMethod.Post, "faults", new { path = "GetApiBalance", status }, HttpStatusCode.BadRequest);
        var inBatch = await emulator.ControlAsync(HttpMethod.Post, "faults",
            new object[] { new { kind = "status", status = 503 }, new { kind = "status", status } }, HttpStatusCode.BadRequest);

        string error = answer.GetProperty("error").GetString();
        Assert.Contains("faults[0].status", error);
        Assert.Contains("400-599", error);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
        Assert.Contains("faults[0].status", withoutKind.GetProperty("error").GetString());
        Assert.Contains("faults[1].status", inBatch.GetProperty("error").GetString());
        Assert.Equal(0, (await emulator.ControlAsync(HttpMethod.Get, "faults")).GetArrayLength());
        (await emulator.GetAsync("ApiBalance/GetApiBalance")).AssertSuccess();
    }

    [Theory]
    [InlineData(400, HttpStatusCode.BadRequest)]
    [InlineData(599, (HttpStatusCode)599)]
    public async Task StatusFault_AtTheEdgesOfTheErrorRange_IsAccepted(int status, HttpStatusCode expected)
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "faults", new { path = "GetApiBalance", kind = "status", status });

        var response = await emulator.GetAsync("ApiBalance/GetApiBalance");

        Assert.Equal(expected, response.Status);
        Assert.Equal(status, response.MetaStatus);
    }

    [Theory]
    [InlineData("{\"kind\":\"explode\"}")]
    [InlineData("{\"kind\":\"status\",\"retryAfterSeconds\":-1}")]
    [InlineData("{\"kind\":\"status\",\"status\":42}")]
    [InlineData("{\"kind\":\"delay\",\"count\":0}")]
    [InlineData("[1]")]
    public async Task BadFaults_AreRefused(string fault)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var answer = await emulator.ControlAsync(HttpMethod.Post, "faults", fault, HttpStatusCode.BadRequest);

        Assert.False(string.IsNullOrEmpty(answer.GetProperty("error").GetString()));
    }
}
