using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class StateFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rh-emulator-state-").FullName;

    private string StatePath => Path.Combine(_directory, "state.json");

    [Fact]
    public async Task State_SurvivesARestart()
    {
        long recalled, decided, othersId;
        string recallNumber;
        await using (var first = await TestEmulator.StartAsync(o => o.StateFile = StatePath))
        {
            recalled = await first.AddInventoryAsync();
            recallNumber = (await first.CreateRecallsAsync(recalled))[0].GetProperty("recallNumber").GetString();
            decided = await first.AddInventoryAsync();
            (await first.PostAsync("ReturnInventory/UpdateReturnInventoryHandling", new { returnInventoryId = decided, handlingCode = "dis" })).AssertSuccess();
            await first.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "saved-key", apiToken = "saved-token" });
            othersId = await first.AddInventoryAsync(new { apiKey = "saved-key" });
        }

        Assert.True(File.Exists(StatePath));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));

        // A different seed must not matter: the file wins over the seed.
        await using var second = await TestEmulator.StartAsync(o => { o.StateFile = StatePath; o.Seed = 99; });
        Assert.Equal("rtn", (await second.InventoryAsync(recalled)).GetProperty("handlingCode").GetString());
        Assert.Equal("dis", (await second.InventoryAsync(decided)).GetProperty("handlingCode").GetString());
        Assert.Equal(othersId, (await second.InventoryAsync(othersId, "saved-key", "saved-token")).GetProperty("returnInventoryId").GetInt64());
        Assert.Contains(await second.RecallsAsync(), r => r.GetProperty("recallNumber").GetString() == recallNumber);

        // Counters continue: new ids and recall numbers never repeat old ones.
        long next = await second.AddInventoryAsync();
        Assert.True(next > othersId);
        string nextNumber = (await second.CreateRecallsAsync(next))[0].GetProperty("recallNumber").GetString();
        Assert.NotEqual(recallNumber, nextNumber);
        var recallIds = (await second.RecallsAsync()).Select(r => r.GetProperty("recallId").GetInt64()).ToArray();
        Assert.Equal(recallIds.Length, recallIds.Distinct().Count());
    }

    [Fact]
    public async Task State_IsSavedWhileRunning_WhenItChanges()
    {
        await using var emulator = await TestEmulator.StartAsync(o => { o.StateFile = StatePath; o.StateSaveInterval = TimeSpan.FromMilliseconds(50); });
        await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(StatePath)), "the seeded state is saved");
        var savedAt = File.GetLastWriteTimeUtc(StatePath);

        long id = await emulator.AddInventoryAsync(new { sku = "SAVED-WHILE-RUNNING" });

        await Eventually.HoldsAsync(
            () => Task.FromResult(File.ReadAllText(StatePath).Contains("SAVED-WHILE-RUNNING")), $"inventory {id} reaches the state file");
        Assert.True(File.GetLastWriteTimeUtc(StatePath) >= savedAt);
    }

    [Fact]
    public async Task AnAnsweredWrite_IsInTheStateFile_BeforeTheAnswerArrives()
    {
        // No periodic save during the test: only the save before each answer can put the changes in the file.
        await using var emulator = await TestEmulator.StartAsync(o => { o.StateFile = StatePath; o.StateSaveInterval = TimeSpan.FromHours(1); o.SeedInventory = 0; });

        long id = await emulator.AddInventoryAsync(new { sku = "ACKNOWLEDGED" });
        Assert.Contains("ACKNOWLEDGED", await File.ReadAllTextAsync(StatePath));
        string recallNumber = (await emulator.CreateRecallsAsync(id))[0].GetProperty("recallNumber").GetString();
        string saved = await File.ReadAllTextAsync(StatePath);

        Assert.Contains(recallNumber, saved);
        Assert.Contains("\"nextRecallId\":2", saved);
    }

    [Fact]
    public async Task AWriteThatCannotBeSaved_IsNotAcknowledged()
    {
        await using var emulator = await TestEmulator.StartAsync(o => { o.StateFile = StatePath; o.StateSaveInterval = TimeSpan.FromHours(1); });
        // The save writes <file>.tmp first: a directory of that name makes every save fail.
        Directory.CreateDirectory(StatePath + ".tmp");

        using var response = await emulator.Http.PostAsync("/_emulator/inventories",
            new StringContent("[{\"sku\":\"NOT-SAVED\"}]", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
        Directory.Delete(StatePath + ".tmp");
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("{\"format\":\"something else\"}")]
    [InlineData("{\"format\":\"ReturnsHelper.Emulator.State\",\"formatVersion\":1,\"accounts\":[]}")]
    [InlineData("{\"format\":\"ReturnsHelper.Emulator.State\",\"formatVersion\":1,\"accounts\":[{\"apiId\":1,\"apiKey\":\"k\",\"apiToken\":\"t\"}],\"inventories\":[{\"returnInventoryId\":5,\"apiId\":7}]}")]
    public async Task CorruptStateFile_IsAClearStartupError_AndIsLeftAlone(string content)
    {
        await File.WriteAllTextAsync(StatePath, content);

        var error = await Assert.ThrowsAsync<EmulatorStartupException>(() => TestEmulator.StartAsync(o => o.StateFile = StatePath));

        Assert.Contains(StatePath, error.Message);
        Assert.Contains("corrupt", error.Message);
        Assert.Equal(content, await File.ReadAllTextAsync(StatePath));
    }

    [Fact]
    public async Task StateFilePathThatIsADirectory_IsAStartupError()
    {
        var error = await Assert.ThrowsAsync<EmulatorStartupException>(() => TestEmulator.StartAsync(o => o.StateFile = _directory));

        Assert.Contains("is a directory", error.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
