using System.Text.Json;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class RecallCancelTests
{
    [Fact]
    public async Task CancelRecall_CancelsTheRecallAndRestoresEachInventorysHandling()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { }, new { handlingCode = "ohd" });
        long recallId = (await emulator.CreateRecallsAsync(ids))[0].GetProperty("recallId").GetInt64();

        var response = await emulator.PostAsync("Recall/cancelRecall", new { recallIdList = new[] { recallId } });

        response.AssertSuccess();
        var recall = Assert.Single(response.Body.GetProperty("recallList").EnumerateArray());
        Assert.Equal("canceled", recall.GetProperty("recallStatusCode").GetString());
        Assert.All(recall.GetProperty("recallInventoryList").EnumerateArray(),
            item => Assert.Equal("canceled", item.GetProperty("recallInventoryStatusCode").GetString()));
        Assert.Equal("tbc", (await emulator.InventoryAsync(ids[0])).GetProperty("handlingCode").GetString());
        Assert.Equal("ohd", (await emulator.InventoryAsync(ids[1])).GetProperty("handlingCode").GetString());
        // Released inventories can be recalled again.
        await emulator.CreateRecallsAsync(ids);
    }

    [Fact]
    public async Task CancelRecall_IsAllOrNothing_AndRefusesRecallsThatAreNoLongerPending()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { }, new { });
        long pending = (await emulator.CreateRecallsAsync(ids[0]))[0].GetProperty("recallId").GetInt64();
        long shipped = (await emulator.CreateRecallsAsync(ids[1]))[0].GetProperty("recallId").GetInt64();
        await emulator.ControlAsync(HttpMethod.Post, $"recalls/{shipped}/advance");

        var response = await emulator.PostAsync("Recall/cancelRecall", new { recallIdList = new[] { pending, shipped, 987654L } });

        var errors = response.AssertSoftError();
        Assert.Equal($"Recall {shipped} cannot be cancelled: its status is 'in-progress'.", errors["recallIdList[1]"]);
        Assert.Equal("Recall 987654 was not found.", errors["recallIdList[2]"]);
        Assert.False(errors.ContainsKey("recallIdList[0]"));
        var stillPending = (await emulator.RecallsAsync()).Single(r => r.GetProperty("recallId").GetInt64() == pending);
        Assert.Equal("pending", stillPending.GetProperty("recallStatusCode").GetString());
    }

    [Fact]
    public async Task CancelRecall_ValidatesItsListLikeCreate()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var empty = await emulator.PostAsync("Recall/cancelRecall", new { recallIdList = Array.Empty<long>() });
        var duplicate = await emulator.PostAsync("Recall/cancelRecall", new { recallIdList = new[] { 1L, 1L } });

        Assert.Equal("'Recall Id List' must not be empty.", empty.AssertSoftError()["recallIdList"]);
        Assert.Equal("Recall 1 appears more than once in the list.", duplicate.AssertSoftError()["recallIdList[1]"]);
    }

    [Fact]
    public async Task CancelByInventory_RemovesOnlyTheGivenInventories_AndCancelsTheRecallWhenNoneIsLeft()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { }, new { }, new { });
        long recallId = (await emulator.CreateRecallsAsync(ids))[0].GetProperty("recallId").GetInt64();

        var first = await emulator.PostAsync("Recall/cancelRecallByReturnInventoryId", new { returnInventoryIdList = new[] { ids[1] } });

        first.AssertSuccess();
        var recall = Assert.Single(first.Body.GetProperty("recallList").EnumerateArray());
        Assert.Equal(recallId, recall.GetProperty("recallId").GetInt64());
        Assert.Equal("pending", recall.GetProperty("recallStatusCode").GetString());
        Assert.Equal(["in-progress", "canceled", "in-progress"], Statuses(recall));
        Assert.Equal("tbc", (await emulator.InventoryAsync(ids[1])).GetProperty("handlingCode").GetString());
        Assert.Equal("rtn", (await emulator.InventoryAsync(ids[0])).GetProperty("handlingCode").GetString());

        var rest = await emulator.PostAsync("Recall/cancelRecallByReturnInventoryId", new { returnInventoryIdList = new[] { ids[0], ids[2] } });

        rest.AssertSuccess();
        recall = Assert.Single(rest.Body.GetProperty("recallList").EnumerateArray());
        Assert.Equal("canceled", recall.GetProperty("recallStatusCode").GetString());
        Assert.Equal(["canceled", "canceled", "canceled"], Statuses(recall));
    }

    [Fact]
    public async Task CancelByInventory_RefusesInventoriesNotInAPendingRecall()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { }, new { }, new { });
        await emulator.CreateRecallsAsync(ids[0]);
        var shipped = (await emulator.CreateRecallsAsync(ids[1]))[0];
        await emulator.ControlAsync(HttpMethod.Post, $"recalls/{shipped.GetProperty("recallId").GetInt64()}/advance");

        var response = await emulator.PostAsync("Recall/cancelRecallByReturnInventoryId", new { returnInventoryIdList = new[] { ids[0], ids[1], ids[2] } });

        var errors = response.AssertSoftError();
        Assert.Equal(
            $"Return inventory {ids[1]} cannot be removed from recall {shipped.GetProperty("recallNumber").GetString()}: its status is 'in-progress'.",
            errors["returnInventoryIdList[1]"]);
        Assert.Equal($"Return inventory {ids[2]} is not in an active recall.", errors["returnInventoryIdList[2]"]);
        Assert.Equal("rtn", (await emulator.InventoryAsync(ids[0])).GetProperty("handlingCode").GetString());
    }

    [Fact]
    public async Task AnotherAccountsRecall_IsNotFound()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "b-key", apiToken = "b-token" });
        long othersId = await emulator.AddInventoryAsync(new { apiKey = "b-key" });
        var created = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = new[] { othersId } }, apiKey: "b-key", apiToken: "b-token");
        long recallId = created.Body.GetProperty("recallList")[0].GetProperty("recallId").GetInt64();

        var cancel = await emulator.PostAsync("Recall/cancelRecall", new { recallIdList = new[] { recallId } });
        var cancelByInventory = await emulator.PostAsync("Recall/cancelRecallByReturnInventoryId", new { returnInventoryIdList = new[] { othersId } });

        Assert.Equal($"Recall {recallId} was not found.", cancel.AssertSoftError()["recallIdList[0]"]);
        Assert.Equal($"Return inventory {othersId} was not found.", cancelByInventory.AssertSoftError()["returnInventoryIdList[0]"]);
    }

    private static string[] Statuses(JsonElement recall) =>
        [.. recall.GetProperty("recallInventoryList").EnumerateArray().Select(i => i.GetProperty("recallInventoryStatusCode").GetString())];
}
