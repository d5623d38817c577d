using System.Text.Json;
using System.Text.RegularExpressions;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class SeedTests
{
    [Fact]
    public async Task TheSameSeed_GivesTheSameData_AndAnotherSeedDoesNot()
    {
        await using var a = await TestEmulator.StartAsync(o => o.Seed = 7);
        await using var b = await TestEmulator.StartAsync(o => o.Seed = 7);
        await using var c = await TestEmulator.StartAsync(o => o.Seed = 8);

        string[] fromA = await SnapshotAsync(a), fromB = await SnapshotAsync(b), fromC = await SnapshotAsync(c);

        Assert.Equal(fromA, fromB);
        Assert.NotEqual(fromA, fromC);
        Assert.Equal(
            (await a.RecallsAsync()).Select(r => r.GetRawText()),
            (await b.RecallsAsync()).Select(r => r.GetRawText()));
    }

    [Fact]
    public async Task TheSeed_CoversEveryRuleWithRealisticData()
    {
        const int count = 400;
        await using var emulator = await TestEmulator.StartAsync(o => o.SeedInventory = count);
        var inventories = new List<JsonElement>();
        for (long id = 100001; id <= 100000 + count; id++)
        {
            inventories.Add(await emulator.InventoryAsync(id));
        }

        var unknown = await emulator.GetAsync($"ReturnInventory/GetReturnInventory?returnInventoryId={100001 + count}");
        Assert.Contains("was not found", unknown.AssertSoftError()["returnInventoryId"]);

        string State(JsonElement i) => i.GetProperty("handlingCode").GetString() + "/" + i.GetProperty("handlingStatusCode").GetString();
        var states = inventories.GroupBy(State).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(states["tbc/pending"] > count / 2, $"tbc/pending: {states["tbc/pending"]}");
        Assert.True(states.GetValueOrDefault("ohd/pending") > 0);
        Assert.True(states.GetValueOrDefault("dis/inProgress") > 0);
        Assert.True(states.GetValueOrDefault("dis/completed") > 0);
        Assert.True(states.GetValueOrDefault("rtn/pending") + states.GetValueOrDefault("rtn/inProgress") > 0);
        Assert.Contains(inventories, i => i.GetProperty("returnRequestLineItemVasList").EnumerateArray().Any(v => !v.GetProperty("isFinished").GetBoolean()));
        Assert.Contains(inventories, i => i.GetProperty("returnRequestLineItemImages").GetArrayLength() > 0);
        Assert.True(inventories.Select(i => i.GetProperty("warehouseId").GetInt32()).Distinct().Count() >= 3);

        var rma = new Regex(@"^(USE|USW|TWN)-(\d+)-(\d{6})-D\d{5}-\d{2}$");
        Assert.All(inventories, i =>
        {
            var match = rma.Match(i.GetProperty("rma").GetString());
            Assert.True(match.Success, i.GetProperty("rma").GetString());
            Assert.Equal(i.GetProperty("warehouseId").GetInt32().ToString(), match.Groups[2].Value);
            Assert.Equal(i.GetProperty("createOn").GetDateTime().ToString("yyMMdd"), match.Groups[3].Value);
            Assert.True(i.GetProperty("weight").GetDecimal() > 0);
        });
        var created = inventories.Select(i => i.GetProperty("createOn").GetDateTime().ToUniversalTime()).ToArray();
        Assert.All(created, t => Assert.InRange(t, TestEmulator.SeedAnchor.AddDays(-180), TestEmulator.SeedAnchor));
        Assert.Equal(created.Order(), created);

        var recalls = await emulator.RecallsAsync();
        Assert.Contains(recalls, r => r.GetProperty("recallStatusCode").GetString() == "pending");
        Assert.Contains(recalls, r => r.GetProperty("recallStatusCode").GetString() == "in-progress");
    }

    [Fact]
    public async Task TheDocsExampleInventory123_IsAlwaysSeeded_EvenWithNoOtherInventory()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.SeedInventory = 0);

        var inventory = await emulator.InventoryAsync(123);

        Assert.Equal("tbc", inventory.GetProperty("handlingCode").GetString());
        Assert.Equal("pending", inventory.GetProperty("handlingStatusCode").GetString());
        Assert.Equal(2, inventory.GetProperty("warehouseId").GetInt32());
        Assert.Equal(100001, await emulator.AddInventoryAsync());
    }

    /// <summary>Every seeded inventory plus the list rows of the whole seeded period.</summary>
    private static async Task<string[]> SnapshotAsync(TestEmulator emulator)
    {
        var parts = new List<string>();
        for (long id = 100001; id <= 100000 + TestEmulator.DefaultSeedInventory; id += 7)
        {
            var body = (await emulator.GetAsync($"ReturnInventory/GetReturnInventory?returnInventoryId={id}")).Body;
            parts.Add(string.Join(",", body.EnumerateObject().Where(p => p.Name != "correlationId").Select(p => p.Value.GetRawText())));
        }

        return [.. parts];
    }
}
