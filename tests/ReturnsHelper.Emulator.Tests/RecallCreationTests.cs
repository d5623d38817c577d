using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class RecallCreationTests
{
    private const string CreateByIds = "Recall/createRecallByReturnInventoryId";

    [Theory]
    [InlineData("{\"returnInventoryIdList\":[123]}")]
    [InlineData("\n{\n  \"returnInventoryIdList\": [\n    123\n  ]\n}\n")] // the curl's --data, byte for byte
    public async Task DocsCurlSample_AgainstAFreshEmulator_ReturnsAValidRecallList(string body)
    {
        await using var emulator = await TestEmulator.StartAsync();
        // The seed page's curl request with the emulator's URL and credentials.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uat/user/api/Recall/createRecallByReturnInventoryId")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.Add("x-rr-apikey", TestEmulator.ApiKey);
        request.Headers.Add("x-rr-apitoken", TestEmulator.ApiToken);

        using var response = await emulator.Http.SendAsync(request);
        var answer = await ApiResponse.ReadAsync(response);

        answer.AssertSuccess();
        var recall = Assert.Single(answer.Body.GetProperty("recallList").EnumerateArray());
        Assert.Matches(new Regex(@"^RCL\d{6}-\d{7}$"), recall.GetProperty("recallNumber").GetString());
        Assert.Equal("pending", recall.GetProperty("recallStatusCode").GetString());
        Assert.Equal(2, recall.GetProperty("warehouseId").GetInt32());
        Assert.Equal(1, recall.GetProperty("apiId").GetInt32());
        Assert.True(recall.GetProperty("recallId").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, recall.GetProperty("warehouseRemarks").ValueKind);
        var item = Assert.Single(recall.GetProperty("recallInventoryList").EnumerateArray());
        Assert.Equal(123, item.GetProperty("returnInventoryId").GetInt64());
        Assert.Equal("in-progress", item.GetProperty("recallInventoryStatusCode").GetString());
        Assert.Equal("pending", item.GetProperty("pickUpCode").GetString());
        Assert.StartsWith("USE-2-", item.GetProperty("rma").GetString());
    }

    [Fact]
    public async Task Create_SetsHandlingToRtnLocksTheRmaAndCreatesOneRecallPerWarehouse()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(
            new { warehouseId = 1034 }, new { warehouseId = 2 }, new { warehouseId = 1034, handlingCode = "ohd" }, new { warehouseId = 20 });
        int recallsBefore = (await emulator.RecallsAsync()).Length;

        var recalls = (await emulator.CreateRecallsAsync(ids)).EnumerateArray().ToArray();

        // One recall per warehouse, in the order the warehouses first appear in the request.
        Assert.Equal([1034, 2, 20], recalls.Select(r => r.GetProperty("warehouseId").GetInt32()));
        Assert.Equal([ids[0], ids[2]], Items(recalls[0]));
        Assert.Equal([ids[1]], Items(recalls[1]));
        Assert.Equal([ids[3]], Items(recalls[2]));
        var numbers = recalls.Select(r => r.GetProperty("recallNumber").GetString()).ToArray();
        Assert.Equal(numbers.Length, numbers.Distinct().Count());
        Assert.Equal(recallsBefore + 3, (await emulator.RecallsAsync()).Length);
        foreach (long id in ids)
        {
            var inventory = await emulator.InventoryAsync(id);
            Assert.Equal("rtn", inventory.GetProperty("handlingCode").GetString());
            Assert.Equal("pending", inventory.GetProperty("handlingStatusCode").GetString());
        }
    }

    [Fact]
    public async Task Create_WithAnyFailingId_ChangesNothingAndNamesEachFailingIndex()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { }, new { handlingCode = "dis" }, new { });
        int recallsBefore = (await emulator.RecallsAsync()).Length;

        var response = await emulator.PostAsync(CreateByIds, new { returnInventoryIdList = new[] { ids[0], 999_999_999L, ids[1], ids[2] } });

        var errors = response.AssertSoftError();
        Assert.Equal(["returnInventoryIdList[1]", "returnInventoryIdList[2]"], errors.Keys.Order());
        Assert.Equal("Return inventory 999999999 was not found.", errors["returnInventoryIdList[1]"]);
        Assert.Equal(
            $"Return inventory {ids[1]} cannot be recalled: handling is 'dis' with status 'pending'; only 'tbc' or 'ohd' with status 'pending' can be recalled.",
            errors["returnInventoryIdList[2]"]);
        Assert.Equal(recallsBefore, (await emulator.RecallsAsync()).Length);
        Assert.Equal("tbc", (await emulator.InventoryAsync(ids[0])).GetProperty("handlingCode").GetString());
        Assert.Equal("tbc", (await emulator.InventoryAsync(ids[2])).GetProperty("handlingCode").GetString());
    }

    [Fact]
    public async Task Create_ReportsParseAndStateProblemsTogether()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = "dis" });

        var response = await emulator.PostAsync(CreateByIds, $"{{\"returnInventoryIdList\":[0,-5,\"abc\",1.5,{id}]}}");

        var errors = response.AssertSoftError();
        Assert.Equal("'Return Inventory Id List[0]' must be greater than '0'.", errors["returnInventoryIdList[0]"]);
        Assert.Equal("'Return Inventory Id List[1]' must be greater than '0'.", errors["returnInventoryIdList[1]"]);
        Assert.Equal("The value 'abc' is not valid.", errors["returnInventoryIdList[2]"]);
        Assert.Equal("The value '1.5' is not valid.", errors["returnInventoryIdList[3]"]);
        Assert.Contains($"Return inventory {id} cannot be recalled", errors["returnInventoryIdList[4]"]);
    }

    [Theory]
    [InlineData("{\"returnInventoryIdList\":[]}")]
    [InlineData("{}")]
    [InlineData("{\"returnInventoryIdList\":null}")]
    [InlineData("")]
    public async Task Create_WithAnEmptyOrMissingList_IsRefused(string body)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.PostAsync(CreateByIds, body);

        var errors = response.AssertSoftError();
        Assert.Equal("'Return Inventory Id List' must not be empty.", Assert.Single(errors).Value);
        Assert.Equal("returnInventoryIdList", errors.Keys.Single());
    }

    [Fact]
    public async Task Create_TakesAtMost100Ids()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync([.. Enumerable.Range(0, 101).Select(_ => new { })]);

        var tooMany = await emulator.PostAsync(CreateByIds, new { returnInventoryIdList = ids });
        var exactly100 = await emulator.PostAsync(CreateByIds, new { returnInventoryIdList = ids[..100] });

        Assert.Equal("'Return Inventory Id List' must not contain more than 100 items.", tooMany.AssertSoftError()["returnInventoryIdList"]);
        exactly100.AssertSuccess();
        Assert.Equal(100, exactly100.Body.GetProperty("recallList")[0].GetProperty("recallInventoryList").GetArrayLength());
    }

    [Fact]
    public async Task Create_WithDuplicateIds_NamesEachRepeatAndCreatesNothing()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { }, new { });
        int recallsBefore = (await emulator.RecallsAsync()).Length;

        var response = await emulator.PostAsync(CreateByIds, new { returnInventoryIdList = new[] { ids[0], ids[1], ids[0], ids[0] } });

        var errors = response.AssertSoftError();
        Assert.Equal(["returnInventoryIdList[2]", "returnInventoryIdList[3]"], errors.Keys.Order());
        Assert.Equal($"Return inventory {ids[0]} appears more than once in the list.", errors["returnInventoryIdList[2]"]);
        Assert.Equal(recallsBefore, (await emulator.RecallsAsync()).Length);
    }

    [Theory]
    [InlineData("tbc", "pending", false, null)]
    [InlineData("ohd", "pending", false, null)]
    [InlineData("dis", "pending", false, "handling is 'dis' with status 'pending'")]
    [InlineData("oth", "pending", false, "handling is 'oth' with status 'pending'")]
    [InlineData("tbc", "inProgress", false, "handling is 'tbc' with status 'inProgress'")]
    [InlineData("ohd", "completed", false, "handling is 'ohd' with status 'completed'")]
    [InlineData("ohd", "pending", true, "has pending VAS requests; resolve them first.")]
    public async Task Create_AppliesTheEligibilityRules(string handlingCode, string handlingStatusCode, bool pendingVas, string expectedProblem)
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode, handlingStatusCode, pendingVas });

        var response = await emulator.PostAsync(CreateByIds, new { returnInventoryIdList = new[] { id } });

        if (expectedProblem is null)
        {
            response.AssertSuccess();
        }
        else
        {
            string message = response.AssertSoftError()["returnInventoryIdList[0]"];
            Assert.Contains($"Return inventory {id} ", message);
            Assert.Contains(expectedProblem, message);
        }
    }

    [Fact]
    public async Task Create_RefusesAnInventoryAlreadyInAnActiveRecall()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        string recallNumber = (await emulator.CreateRecallsAsync(id))[0].GetProperty("recallNumber").GetString();

        var response = await emulator.PostAsync(CreateByIds, new { returnInventoryIdList = new[] { id } });

        Assert.Equal($"Return inventory {id} is already in active recall {recallNumber}.", response.AssertSoftError()["returnInventoryIdList[0]"]);
    }

    [Fact]
    public async Task AnotherAccountsInventory_BehavesExactlyLikeOneThatDoesNotExist()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "other-key", apiToken = "other-token" });
        long othersId = await emulator.AddInventoryAsync(new { apiKey = "other-key" });

        var recall = await emulator.PostAsync(CreateByIds, new { returnInventoryIdList = new[] { othersId } });
        var get = await emulator.GetAsync($"ReturnInventory/GetReturnInventory?returnInventoryId={othersId}");
        var update = await emulator.PostAsync("ReturnInventory/UpdateReturnInventoryHandling", new { returnInventoryId = othersId, handlingCode = "ohd" });
        var asOwner = await emulator.PostAsync(CreateByIds, new { returnInventoryIdList = new[] { othersId } }, apiKey: "other-key", apiToken: "other-token");

        string notFound = $"Return inventory {othersId} was not found.";
        Assert.Equal(notFound, recall.AssertSoftError()["returnInventoryIdList[0]"]);
        Assert.Equal(notFound, get.AssertSoftError()["returnInventoryId"]);
        Assert.Equal(notFound, update.AssertSoftError()["returnInventoryId"]);
        asOwner.AssertSuccess();
        Assert.Equal(2, asOwner.Body.GetProperty("recallList")[0].GetProperty("apiId").GetInt32());
    }

    [Fact]
    public async Task LegacyCreateRecall_AppliesTheSameRulesAndAnswersWithTheFirstRecall()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { warehouseId = 20 }, new { warehouseId = 2 });

        var response = await emulator.PostAsync("Recall/createRecall", new { returnInventoryIdList = ids });
        var again = await emulator.PostAsync("Recall/createRecall", new { returnInventoryIdList = ids });

        response.AssertSuccess();
        long recallId = response.Body.GetProperty("recallId").GetInt64();
        Assert.False(response.Body.TryGetProperty("recallList", out _));
        var created = (await emulator.RecallsAsync()).Single(r => r.GetProperty("recallId").GetInt64() == recallId);
        Assert.Equal(response.Body.GetProperty("recallNumber").GetString(), created.GetProperty("recallNumber").GetString());
        Assert.Equal(20, created.GetProperty("warehouseId").GetInt32());
        Assert.Contains("is already in active recall", again.AssertSoftError()["returnInventoryIdList[0]"]);
    }

    [Fact]
    public async Task Create_AcceptsIdsSentAsJsonStrings()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();

        var response = await emulator.PostAsync(CreateByIds, $"{{\"returnInventoryIdList\":[\"{id}\"]}}");

        response.AssertSuccess();
    }

    private static long[] Items(JsonElement recall) =>
        [.. recall.GetProperty("recallInventoryList").EnumerateArray().Select(i => i.GetProperty("returnInventoryId").GetInt64())];
}
