using System.Net;
using System.Text.Json;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class ProtocolTests
{
    [Fact]
    public async Task Success_UsesTheDocumentedEnvelope()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.GetAsync("ApiBalance/GetApiBalance?pageSize=50&offset=0");

        response.AssertSuccess();
        Assert.Matches(@"^0HN[0-9A-V]{10}:[0-9A-F]{8}$", response.Body.GetProperty("correlationId").GetString());
        Assert.Equal(JsonValueKind.Null, response.Meta.GetProperty("errorCode").ValueKind);
        Assert.Empty(response.Meta.GetProperty("data").EnumerateObject());
        Assert.Empty(response.Meta.GetProperty("error").EnumerateObject());
        var balance = Assert.Single(response.Body.GetProperty("apiBalances").EnumerateArray());
        Assert.Equal("usd", balance.GetProperty("currencyCode").GetString());
        Assert.DoesNotContain(TestEmulator.ApiKey, response.Raw);
        Assert.Equal(1, response.Body.GetProperty("totalNumberOfRecords").GetInt32());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(TestEmulator.ApiKey, null)]
    [InlineData(TestEmulator.ApiKey, "wrong-token")]
    [InlineData("unknown-key", TestEmulator.ApiToken)]
    public async Task MissingOrWrongCredentials_Get401WithAnEnvelope_AndNeverAnEchoedToken(string apiKey, string apiToken)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.SendAsync(HttpMethod.Post, "/uat/user/api/Recall/createRecallByReturnInventoryId",
            "{\"returnInventoryIdList\":[123]}", apiKey: apiKey, apiToken: apiToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal(401, response.MetaStatus);
        Assert.Equal("UNAUTHORIZED", response.ErrorCode);
        Assert.Equal("The API key or token is missing or invalid.", response.Errors["x-rr-apitoken"]);
        Assert.DoesNotContain("wrong-token", response.Raw);
        Assert.DoesNotContain(TestEmulator.ApiToken, response.Raw);
        Assert.DoesNotContain(await emulator.RecallsAsync(), r => r.GetProperty("recallInventoryList")[0].GetProperty("returnInventoryId").GetInt64() == 123);
    }

    [Theory]
    [InlineData("/uat/user/api/ReturnInventory/GetReturnInventory?returnInventoryId=123")]
    [InlineData("/v1/user/api/returninventory/getreturninventory?returnInventoryId=123")]
    [InlineData("/UAT/USER/API/RETURNINVENTORY/GETRETURNINVENTORY/?returnInventoryId=123")]
    public async Task UserRoutes_AreCaseInsensitive_UnderBothPrefixes(string path)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.SendAsync(HttpMethod.Get, path, null);

        response.AssertSuccess();
        Assert.Equal(123, response.Body.GetProperty("returnInventoryId").GetInt64());
    }

    [Theory]
    [InlineData("/uat/public/api/handling/getAllHandlings")]
    [InlineData("/v1/public/api/HANDLING/GETALLHANDLINGS")]
    public async Task PublicGetAllHandlings_ListsTheHandlingCodes(string path)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.SendAsync(HttpMethod.Get, path, null);

        response.AssertSuccess();
        var handlings = response.Body.GetProperty("handlings").EnumerateArray().ToArray();
        Assert.Equal(["tbc", "rtn", "dis", "rsd", "ohd", "oth"], handlings.Select(h => h.GetProperty("handlingCode").GetString()));
        Assert.All(handlings, h => Assert.False(string.IsNullOrEmpty(h.GetProperty("handlingDescription").GetString())));
    }

    [Fact]
    public async Task GetAllWarehouse_ListsTheSandboxWarehouses()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.GetAsync("warehouse/getAllWarehouse");

        response.AssertSuccess();
        var warehouses = response.Body.GetProperty("warehouses").EnumerateArray()
            .ToDictionary(w => w.GetProperty("warehouseId").GetInt32(), w => w.GetProperty("description").GetString());
        Assert.Equal("2-United States - NJ (DEV)", warehouses[2]);
        Assert.Equal("1034-United States-WA", warehouses[1034]);
        Assert.Equal("20-Taiwan", warehouses[20]);
        Assert.True(warehouses.Count >= 3);
    }

    [Theory]
    [InlineData("GET", "/uat/user/api/Recall/noSuchAction", HttpStatusCode.NotFound, "NOT_FOUND")]
    [InlineData("GET", "/uat/other/api/Recall/createRecall", HttpStatusCode.NotFound, "NOT_FOUND")]
    [InlineData("GET", "/uat/public/api/ReturnInventory/GetReturnInventory", HttpStatusCode.NotFound, "NOT_FOUND")]
    [InlineData("GET", "/uat/user/api/Recall/createRecall", HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED")]
    public async Task UnknownRoutesAndWrongMethods_GetAnEnvelope(string method, string path, HttpStatusCode expected, string errorCode)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.SendAsync(new HttpMethod(method), path, null);

        Assert.Equal(expected, response.Status);
        Assert.Equal((int)expected, response.MetaStatus);
        Assert.Equal(errorCode, response.ErrorCode);
    }

    [Fact]
    public async Task BodyThatIsNotJson_IsASoftError()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", "{not json");

        Assert.Equal("The request body is not valid JSON.", response.AssertSoftError()["request"]);
    }

    [Fact]
    public async Task IdempotencyKey_ReplaysTheFirstResponse_WithoutExecutingAgain()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        object body = new { returnInventoryIdList = new[] { id } };

        var first = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", body, idempotencyKey: "key-1");
        var replay = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", body, idempotencyKey: "key-1");
        var withoutKey = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", body);

        first.AssertSuccess();
        Assert.Equal(first.Raw, replay.Raw);
        Assert.Single(await emulator.RecallsAsync(), r => r.GetProperty("recallInventoryList")[0].GetProperty("returnInventoryId").GetInt64() == id);
        Assert.Contains("already in active recall", withoutKey.AssertSoftError()["returnInventoryIdList[0]"]);
        var log = (await emulator.ControlAsync(HttpMethod.Get, "requests")).EnumerateArray()
            .Where(e => e.GetProperty("idempotencyKey").GetString() == "key-1").ToArray();
        Assert.Equal([false, true], log.Select(e => e.GetProperty("replayed").GetBoolean()));
    }

    [Fact]
    public async Task IdempotencyKey_ReusedWithADifferentBody_Gets409AndDoesNotExecute()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { }, new { });

        await emulator.PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = new[] { ids[0] } }, idempotencyKey: "key-2");
        var conflict = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = new[] { ids[1] } }, idempotencyKey: "key-2");

        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal(409, conflict.MetaStatus);
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", conflict.ErrorCode);
        Assert.Equal("tbc", (await emulator.InventoryAsync(ids[1])).GetProperty("handlingCode").GetString());
    }

    [Fact]
    public async Task IdempotencyKey_IsScopedToTheAccount()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "second", apiToken = "second-token" });

        var mine = await emulator.PostAsync("ReturnInventory/CancelReturnInventoryHandling", new { returnInventoryId = 123 }, idempotencyKey: "shared");
        var theirs = await emulator.PostAsync("ReturnInventory/CancelReturnInventoryHandling", new { returnInventoryId = 123 }, idempotencyKey: "shared",
            apiKey: "second", apiToken: "second-token");

        Assert.Contains("has no handling to cancel", mine.AssertSoftError()["returnInventoryId"]);
        Assert.Equal("Return inventory 123 was not found.", theirs.AssertSoftError()["returnInventoryId"]);
    }

    [Fact]
    public async Task ConcurrentDuplicates_WithOneKey_ExecuteOnce()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            emulator.PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = new[] { id } }, idempotencyKey: "same")));

        Assert.All(responses, r => r.AssertSuccess());
        Assert.Single(responses.Select(r => r.Raw).Distinct());
    }

    [Fact]
    public async Task RequestLog_RecordsEachApiCallWithoutCredentials_AndCanBeCleared()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Delete, "requests", expected: HttpStatusCode.NoContent);

        await emulator.GetAsync("ReturnInventory/GetReturnInventory?returnInventoryId=123");
        await emulator.PostAsync("ReturnInventory/CancelReturnInventoryHandling", new { returnInventoryId = 123 }, idempotencyKey: "k");
        await emulator.SendAsync(HttpMethod.Get, "/uat/user/api/ApiBalance/GetApiBalance", null, apiToken: "bad");
        var log = await emulator.ControlAsync(HttpMethod.Get, "requests");

        Assert.DoesNotContain(TestEmulator.ApiToken, log.GetRawText());
        var entries = log.EnumerateArray().ToArray();
        Assert.Equal(3, entries.Length);
        Assert.Equal("GET", entries[0].GetProperty("method").GetString());
        Assert.Equal("/uat/user/api/ReturnInventory/GetReturnInventory", entries[0].GetProperty("path").GetString());
        Assert.Equal(200, entries[0].GetProperty("metaStatus").GetInt32());
        Assert.Equal("k", entries[1].GetProperty("idempotencyKey").GetString());
        Assert.Equal(200, entries[1].GetProperty("status").GetInt32());
        Assert.Equal(400, entries[1].GetProperty("metaStatus").GetInt32());
        Assert.Equal(401, entries[2].GetProperty("status").GetInt32());
        Assert.True(entries[0].TryGetProperty("time", out _));

        await emulator.ControlAsync(HttpMethod.Delete, "requests", expected: HttpStatusCode.NoContent);
        Assert.Equal(0, (await emulator.ControlAsync(HttpMethod.Get, "requests")).GetArrayLength());
    }
}
