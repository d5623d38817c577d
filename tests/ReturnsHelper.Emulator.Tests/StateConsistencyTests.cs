using System.Text.Json.Nodes;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

/// <summary>
/// A state file whose recalls and inventories disagree, or whose counters were rolled back, is refused at start:
/// served, it would answer for state that cannot exist or hand out ids a client already holds.
/// </summary>
public sealed class StateConsistencyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rh-emulator-consistency-").FullName;

    private string StatePath => Path.Combine(_directory, "state.json");

    [Fact]
    public async Task ASavedState_PassesItsOwnChecks()
    {
        await SaveTwoRecallsAsync();

        await using var restarted = await TestEmulator.StartAsync(o => o.StateFile = StatePath);

        Assert.Equal(2, (await restarted.RecallsAsync()).Length);
    }

    [Fact]
    public async Task ARecallOfAMissingInventory_IsRefused()
    {
        var (first, _) = await SaveTwoRecallsAsync();

        await AssertRefusedAsync(state => Inventories(state).Remove(Inventory(state, first)),
            $"lists inventory {first}, which does not exist");
    }

    [Fact]
    public async Task AnInventoryInTwoActiveRecalls_IsRefused()
    {
        var (first, second) = await SaveTwoRecallsAsync();

        // The second recall's line now names the first inventory too.
        await AssertRefusedAsync(state => Line(state, second)["returnInventoryId"] = first,
            $"inventory {first} is in two active recalls");
    }

    [Theory]
    [InlineData("nextRecallId", "recall 2")]
    [InlineData("nextRecallInventoryId", "recall inventory 2")]
    [InlineData("nextInventoryId", "inventory")]
    public async Task ARolledBackCounter_IsRefused(string counter, string inUse)
    {
        await SaveTwoRecallsAsync();

        await AssertRefusedAsync(state => state[counter] = 1, $"its counter {counter} (1) is not past {inUse}");
    }

    [Fact]
    public async Task ARolledBackDailyRecallSequence_IsRefused()
    {
        await SaveTwoRecallsAsync();

        await AssertRefusedAsync(state =>
        {
            var sequences = state["sequences"]!.AsObject();
            string day = sequences.Select(s => s.Key).Single(key => key.StartsWith("RCL", StringComparison.Ordinal));
            sequences[day] = 1;
        }, "is behind recall number");
    }

    [Fact]
    public async Task AnInventoryWhoseActiveRecallDisagreesWithTheRecalls_IsRefused()
    {
        var (first, _) = await SaveTwoRecallsAsync();

        await AssertRefusedAsync(state => Inventory(state, first)["activeRecallId"] = null,
            $"inventory {first} has activeRecallId null, but recall 1 lists it as active");
    }

    [Fact]
    public async Task ACancelledLineWhoseInventoryStillNamesTheRecall_IsRefused()
    {
        var (first, _) = await SaveTwoRecallsAsync();

        await AssertRefusedAsync(state => Line(state, first)["recallInventoryStatusCode"] = "canceled",
            $"inventory {first} has activeRecallId 1, but no recall lists it as active");
    }

    /// <summary>Saves a state with no seed and two recalls (ids 1 and 2) of one inventory each; returns the inventories.</summary>
    private async Task<(long First, long Second)> SaveTwoRecallsAsync()
    {
        await using var emulator = await TestEmulator.StartAsync(o => { o.StateFile = StatePath; o.SeedInventory = 0; });
        long first = await emulator.AddInventoryAsync();
        long second = await emulator.AddInventoryAsync();
        await emulator.CreateRecallsAsync(first);
        await emulator.CreateRecallsAsync(second);
        return (first, second);
    }

    private async Task AssertRefusedAsync(Action<JsonObject> corrupt, string expected)
    {
        var state = JsonNode.Parse(await File.ReadAllTextAsync(StatePath))!.AsObject();
        corrupt(state);
        string content = state.ToJsonString();
        await File.WriteAllTextAsync(StatePath, content);

        var error = await Assert.ThrowsAsync<EmulatorStartupException>(() => TestEmulator.StartAsync(o => o.StateFile = StatePath));

        Assert.Contains($"The state file '{StatePath}' is corrupt: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Equal(content, await File.ReadAllTextAsync(StatePath));
    }

    private static JsonArray Inventories(JsonObject state) => state["inventories"]!.AsArray();

    private static JsonObject Inventory(JsonObject state, long id) =>
        Inventories(state).Single(i => (long)i!["returnInventoryId"]! == id)!.AsObject();

    /// <summary>The recall line of an inventory (each test recall has one).</summary>
    private static JsonObject Line(JsonObject state, long inventoryId) =>
        state["recalls"]!.AsArray().SelectMany(r => r!["recallInventoryList"]!.AsArray())
            .Single(line => (long)line!["returnInventoryId"]! == inventoryId)!.AsObject();

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
