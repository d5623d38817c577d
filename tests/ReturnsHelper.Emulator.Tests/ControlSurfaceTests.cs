using System.Net;
using System.Text.Json;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class ControlSurfaceTests
{
    [Fact]
    public async Task AddInventories_AssignsWhatIsMissing_AndAnswersInTheWireShape()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var created = await emulator.ControlAsync(HttpMethod.Post, "inventories", new object[]
        {
            new { },
            new { returnInventoryId = 900001, warehouseId = 1034, handlingCode = "dis", handlingStatusCode = "inProgress", sku = "X-1", createOn = "2025-12-24T10:00:00Z" },
            new { handlingCode = 4, handlingStatusCode = 0 },
        });

        var items = created.EnumerateArray().ToArray();
        Assert.Equal(100001 + TestEmulator.DefaultSeedInventory, items[0].GetProperty("returnInventoryId").GetInt64());
        Assert.Equal("tbc", items[0].GetProperty("handlingCode").GetString());
        Assert.Equal(2, items[0].GetProperty("warehouseId").GetInt32());
        Assert.Equal(900001, items[1].GetProperty("returnInventoryId").GetInt64());
        Assert.Equal("dis", items[1].GetProperty("handlingCode").GetString());
        Assert.Equal("inProgress", items[1].GetProperty("handlingStatusCode").GetString());
        Assert.Equal("X-1", items[1].GetProperty("sku").GetString());
        Assert.StartsWith("USW-1034-251224-D", items[1].GetProperty("rma").GetString());
        Assert.Equal("2025-12-24T10:00:00Z", items[1].GetProperty("createOn").GetString());
        Assert.Equal("ohd", items[2].GetProperty("handlingCode").GetString());
        Assert.Equal(900002, items[2].GetProperty("returnInventoryId").GetInt64());
        Assert.Equal((await emulator.InventoryAsync(900001)).GetProperty("rma").GetString(), items[1].GetProperty("rma").GetString());
    }

    [Theory]
    [InlineData("[{\"returnInventoryId\":123}]", HttpStatusCode.Conflict)]
    [InlineData("[{\"returnInventoryId\":5},{\"returnInventoryId\":5}]", HttpStatusCode.Conflict)]
    [InlineData("[{\"warehouseId\":77}]", HttpStatusCode.BadRequest)]
    [InlineData("[{\"apiKey\":\"nobody\"}]", HttpStatusCode.BadRequest)]
    [InlineData("[{\"handlingCode\":\"zzz\"}]", HttpStatusCode.BadRequest)]
    [InlineData("[{\"weight\":\"heavy\"}]", HttpStatusCode.BadRequest)]
    [InlineData("[{},{\"createOn\":\"yesterday\"}]", HttpStatusCode.BadRequest)]
    public async Task AddInventories_IsAllOrNothing(string body, HttpStatusCode expected)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var answer = await emulator.ControlAsync(HttpMethod.Post, "inventories", body, expected);

        Assert.Contains("inventories[", answer.GetProperty("error").GetString());
        Assert.Equal(100001 + TestEmulator.DefaultSeedInventory, await emulator.AddInventoryAsync());
    }

    [Fact]
    public async Task Accounts_CanBeAddedAndListedWithoutTokens()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var added = await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "acct-2", apiToken = "secret-2", apiName = "Second" });
        var accounts = await emulator.ControlAsync(HttpMethod.Get, "accounts");
        var balance = await emulator.GetAsync("ApiBalance/GetApiBalance", "acct-2", "secret-2");
        await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "acct-3" }, HttpStatusCode.BadRequest);

        Assert.Equal(2, added.GetProperty("apiId").GetInt32());
        Assert.Equal(["emulator-key", "acct-2"], accounts.EnumerateArray().Select(a => a.GetProperty("apiKey").GetString()));
        Assert.DoesNotContain("secret-2", accounts.GetRawText());
        Assert.DoesNotContain(TestEmulator.ApiToken, accounts.GetRawText());
        balance.AssertSuccess();
        Assert.Equal("Second", balance.Body.GetProperty("apiBalances")[0].GetProperty("apiName").GetString());
    }

    [Fact]
    public async Task Accounts_AnExistingKey_Is409NamingTheKey_AndKeepsTheOldToken()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var added = await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "acct-2", apiToken = "first-secret" });

        var again = await emulator.ControlAsync(HttpMethod.Post, "accounts",
            new { apiKey = "acct-2", apiToken = "second-secret", apiName = "Other" }, HttpStatusCode.Conflict);
        var defaultAgain = await emulator.ControlAsync(HttpMethod.Post, "accounts",
            new { apiKey = TestEmulator.ApiKey, apiToken = "hijack" }, HttpStatusCode.Conflict);
        var explicitNo = await emulator.ControlAsync(HttpMethod.Post, "accounts",
            new { apiKey = "acct-2", apiToken = "third-secret", replace = false }, HttpStatusCode.Conflict);
        var accounts = await emulator.ControlAsync(HttpMethod.Get, "accounts");

        Assert.False(added.GetProperty("replaced").GetBoolean());
        string error = again.GetProperty("error").GetString();
        Assert.Contains("'acct-2'", error);
        Assert.Contains("already exists", error);
        Assert.DoesNotContain("first-secret", again.GetRawText());
        Assert.DoesNotContain("second-secret", again.GetRawText());
        Assert.Contains($"'{TestEmulator.ApiKey}'", defaultAgain.GetProperty("error").GetString());
        Assert.DoesNotContain(TestEmulator.ApiToken, defaultAgain.GetRawText());
        Assert.DoesNotContain("hijack", defaultAgain.GetRawText());
        Assert.Contains("'acct-2'", explicitNo.GetProperty("error").GetString());
        Assert.Equal(2, accounts.GetArrayLength());
        (await emulator.GetAsync("ApiBalance/GetApiBalance", "acct-2", "first-secret")).AssertSuccess();
        Assert.Equal(HttpStatusCode.Unauthorized, (await emulator.GetAsync("ApiBalance/GetApiBalance", "acct-2", "second-secret")).Status);
        (await emulator.GetAsync("ApiBalance/GetApiBalance")).AssertSuccess();
        Assert.Equal(HttpStatusCode.Unauthorized, (await emulator.GetAsync("ApiBalance/GetApiBalance", TestEmulator.ApiKey, "hijack")).Status);
    }

    [Fact]
    public async Task Accounts_Replace_GivesAnExistingKeyTheNewToken_AndSaysSo()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "acct-2", apiToken = "old-secret", apiName = "Second" });
        long owned = await emulator.AddInventoryAsync(new { apiKey = "acct-2" });

        var replaced = await emulator.ControlAsync(HttpMethod.Post, "accounts",
            new { apiKey = "acct-2", apiToken = "new-secret", apiName = "Ignored", replace = true });
        var fresh = await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "acct-3", apiToken = "secret-3", replace = true });
        var accounts = await emulator.ControlAsync(HttpMethod.Get, "accounts");

        Assert.True(replaced.GetProperty("replaced").GetBoolean());
        Assert.Equal(2, replaced.GetProperty("apiId").GetInt32());
        Assert.Equal("acct-2", replaced.GetProperty("apiKey").GetString());
        Assert.Equal("Second", replaced.GetProperty("apiName").GetString());
        Assert.DoesNotContain("secret", replaced.GetRawText());
        Assert.False(fresh.GetProperty("replaced").GetBoolean());
        Assert.Equal(3, fresh.GetProperty("apiId").GetInt32());
        Assert.Equal(["emulator-key", "acct-2", "acct-3"], accounts.EnumerateArray().Select(a => a.GetProperty("apiKey").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await emulator.GetAsync("ApiBalance/GetApiBalance", "acct-2", "old-secret")).Status);
        Assert.Equal(owned, (await emulator.InventoryAsync(owned, "acct-2", "new-secret")).GetProperty("returnInventoryId").GetInt64());
    }

    [Theory]
    [InlineData("{\"apiKey\":\"acct-2\",\"apiToken\":\"t\",\"replace\":\"yes\"}")]
    [InlineData("{\"apiKey\":\"acct-2\",\"replace\":true}")]
    public async Task Accounts_BadReplaceRequests_Are400(string body)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var answer = await emulator.ControlAsync(HttpMethod.Post, "accounts", body, HttpStatusCode.BadRequest);

        Assert.False(string.IsNullOrEmpty(answer.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Reset_ReturnsToTheSeed_WithTheRequestedSize()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        await emulator.CreateRecallsAsync(123);
        await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "gone", apiToken = "gone" });
        await emulator.ControlAsync(HttpMethod.Post, "faults", new { path = "GetApiBalance", kind = "status", status = 500 });

        var answer = await emulator.ControlAsync(HttpMethod.Post, "reset", new { seedInventory = 10 });

        Assert.Equal(11, answer.GetProperty("inventoryCount").GetInt32());
        Assert.Equal(0, (await emulator.ControlAsync(HttpMethod.Get, "requests")).GetArrayLength());
        Assert.Equal(0, (await emulator.ControlAsync(HttpMethod.Get, "faults")).GetArrayLength());
        Assert.Equal("tbc", (await emulator.InventoryAsync(123)).GetProperty("handlingCode").GetString());
        Assert.Contains("was not found", (await emulator.GetAsync($"ReturnInventory/GetReturnInventory?returnInventoryId={id}")).AssertSoftError()["returnInventoryId"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await emulator.GetAsync("ApiBalance/GetApiBalance", "gone", "gone")).Status);
        (await emulator.GetAsync("ApiBalance/GetApiBalance")).AssertSuccess();
    }

    [Fact]
    public async Task AdvanceRecall_WalksTheDocumentedLifecycle()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { weight = 640, quantity = 1 });
        long recallId = (await emulator.CreateRecallsAsync(id))[0].GetProperty("recallId").GetInt64();

        var shipped = await emulator.ControlAsync(HttpMethod.Post, $"recalls/{recallId}/advance");
        var inventoryInTransit = await emulator.InventoryAsync(id);
        var arrived = await emulator.ControlAsync(HttpMethod.Post, $"recalls/{recallId}/advance");
        var inventoryArrived = await emulator.InventoryAsync(id);
        var pickedUp = await emulator.ControlAsync(HttpMethod.Post, $"recalls/{recallId}/advance", new { pickUpCode = "courier-pick-up" });
        await emulator.ControlAsync(HttpMethod.Post, $"recalls/{recallId}/advance", expected: HttpStatusCode.Conflict);
        await emulator.ControlAsync(HttpMethod.Post, "recalls/424242/advance", expected: HttpStatusCode.NotFound);

        Assert.Equal("in-progress", shipped.GetProperty("recallStatusCode").GetString());
        var item = Item(shipped);
        Assert.Equal("in-transit", item.GetProperty("recallInventoryStatusCode").GetString());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("trackingNumber").GetString()));
        Assert.Equal("inProgress", inventoryInTransit.GetProperty("handlingStatusCode").GetString());

        Assert.Equal("completed", arrived.GetProperty("recallStatusCode").GetString());
        item = Item(arrived);
        Assert.Equal("ready-to-pick-up", item.GetProperty("recallInventoryStatusCode").GetString());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("listName").GetString()));
        Assert.Equal(640m, item.GetProperty("weight").GetDecimal());
        Assert.Equal(1m, item.GetProperty("amount").GetDecimal());
        Assert.Equal("completed", inventoryArrived.GetProperty("handlingStatusCode").GetString());

        item = Item(pickedUp);
        Assert.Equal("picked-up", item.GetProperty("recallInventoryStatusCode").GetString());
        Assert.Equal("courier-pick-up", item.GetProperty("pickUpCode").GetString());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("courierTrackingNumber").GetString()));
    }

    [Fact]
    public async Task UnknownControlEndpoint_Is404()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var answer = await emulator.ControlAsync(HttpMethod.Get, "nothing-here", expected: HttpStatusCode.NotFound);

        Assert.Contains("control endpoint", answer.GetProperty("error").GetString());
    }

    private static JsonElement Item(JsonElement recall) => Assert.Single(recall.GetProperty("recallInventoryList").EnumerateArray());
}
