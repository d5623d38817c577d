using System.Net;
using System.Text.Json;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class VariantTests
{
    [Fact]
    public async Task DataPlacement_PutsEveryPayloadUnderData()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        var config = await emulator.ControlAsync(HttpMethod.Post, "config", new { payloadPlacement = "data" });

        var recall = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = new[] { id } });
        var inventory = await emulator.GetAsync($"ReturnInventory/GetReturnInventory?returnInventoryId={id}");
        var legacy = await emulator.PostAsync("Recall/createRecall", new { returnInventoryIdList = new[] { await emulator.AddInventoryAsync() } });
        var list = await emulator.GetAsync("ReturnInventory/list?createFrom=2026-01-01&createTo=2026-02-01&pageSize=5");

        Assert.Equal("data", config.GetProperty("payloadPlacement").GetString());
        recall.AssertSuccess();
        Assert.False(recall.Body.TryGetProperty("recallList", out _));
        Assert.Equal(id, recall.Body.GetProperty("data").GetProperty("recallList")[0].GetProperty("recallInventoryList")[0].GetProperty("returnInventoryId").GetInt64());
        Assert.Equal(id, inventory.Body.GetProperty("data").GetProperty("returnInventoryId").GetInt64());
        Assert.False(inventory.Body.TryGetProperty("returnInventoryId", out _));
        Assert.True(legacy.Body.GetProperty("data").GetProperty("recallId").GetInt64() > 0);
        // ReturnInventory/list already documents its rows under data: unchanged.
        Assert.Equal(JsonValueKind.Array, list.Body.GetProperty("data").ValueKind);
        Assert.True(list.Body.GetProperty("totalNumberOfRecords").GetInt32() > 0);
    }

    [Fact]
    public async Task NestedRecallShape_UsesThe2022FormAndItsSpelling()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        await emulator.ControlAsync(HttpMethod.Post, "config", new { recallShape = "nested" });

        var response = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = new[] { id } });

        response.AssertSuccess();
        var item = response.Body.GetProperty("recallList")[0];
        Assert.Equal(["recall", "recallInventoryList"], item.EnumerateObject().Select(p => p.Name));
        var recall = item.GetProperty("recall");
        Assert.StartsWith("RCL", recall.GetProperty("recallNumber").GetString());
        Assert.True(recall.TryGetProperty("warehosueRemarks", out _));
        Assert.False(recall.TryGetProperty("warehouseRemarks", out _));
        Assert.False(recall.TryGetProperty("recallInventoryList", out _));
        Assert.Equal(id, item.GetProperty("recallInventoryList")[0].GetProperty("returnInventoryId").GetInt64());
    }

    [Fact]
    public async Task Reset_RestoresTheDocumentedVariants()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "config", new { payloadPlacement = "data", recallShape = "nested" });

        await emulator.ControlAsync(HttpMethod.Post, "reset");
        var config = await emulator.ControlAsync(HttpMethod.Get, "config");
        var response = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = new[] { 123 } });

        Assert.Equal("documented", config.GetProperty("payloadPlacement").GetString());
        Assert.Equal("flat", config.GetProperty("recallShape").GetString());
        Assert.True(response.Body.GetProperty("recallList")[0].TryGetProperty("warehouseRemarks", out _));
    }

    [Theory]
    [InlineData("{\"payloadPlacement\":\"sideways\"}")]
    [InlineData("{\"recallShape\":\"round\"}")]
    public async Task UnknownVariants_AreRefused(string body)
    {
        await using var emulator = await TestEmulator.StartAsync();

        await emulator.ControlAsync(HttpMethod.Post, "config", body, HttpStatusCode.BadRequest);
    }
}
