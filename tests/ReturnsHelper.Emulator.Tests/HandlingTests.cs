using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class HandlingTests
{
    private const string Update = "ReturnInventory/UpdateReturnInventoryHandling";
    private const string Cancel = "ReturnInventory/CancelReturnInventoryHandling";

    [Theory]
    [InlineData("tbc", "dis")]
    [InlineData("tbc", "ohd")]
    [InlineData("dis", "ohd")]
    [InlineData("ohd", "oth")]
    public async Task Update_WhilePending_SetsTheCodeAndAnswersWithABareEnvelope(string from, string to)
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = from });

        var response = await emulator.PostAsync(Update, new { returnInventoryId = id, handlingCode = to });

        response.AssertSuccess();
        Assert.Equal(["correlationId", "meta"], response.Body.EnumerateObject().Select(p => p.Name));
        var inventory = await emulator.InventoryAsync(id);
        Assert.Equal(to, inventory.GetProperty("handlingCode").GetString());
        Assert.Equal("pending", inventory.GetProperty("handlingStatusCode").GetString());
    }

    [Theory]
    [InlineData("tbc", "Handling code 'tbc' cannot be set")]
    [InlineData("rsd", "Handling code 'rsd' cannot be set here; use Resend/createResend.")]
    [InlineData("rtn", "use Recall/createRecallByReturnInventoryId")]
    [InlineData("xyz", "'xyz' is not a valid handling code")]
    [InlineData("", "'Handling Code' must not be empty.")]
    public async Task Update_RefusesCodesThatCannotBeSetHere(string code, string expected)
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();

        var response = await emulator.PostAsync(Update, new { returnInventoryId = id, handlingCode = code });

        Assert.Contains(expected, response.AssertSoftError()["handlingCode"]);
        Assert.Equal("tbc", (await emulator.InventoryAsync(id)).GetProperty("handlingCode").GetString());
    }

    [Theory]
    [InlineData("dis", "inProgress", false, "its handling status is 'inProgress'")]
    [InlineData("dis", "completed", false, "its handling status is 'completed'")]
    [InlineData("ohd", "pending", true, "has pending VAS requests; resolve them first.")]
    public async Task Update_IsBlockedOnceTheWarehouseActedOrWhileVasIsPending(string code, string status, bool pendingVas, string expected)
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = code, handlingStatusCode = status, pendingVas });

        var response = await emulator.PostAsync(Update, new { returnInventoryId = id, handlingCode = "ohd" });

        string message = response.AssertSoftError()["returnInventoryId"];
        Assert.Contains($"Return inventory {id} ", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public async Task Update_RefusesAnInventoryInAnActiveRecall()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        string recallNumber = (await emulator.CreateRecallsAsync(id))[0].GetProperty("recallNumber").GetString();

        var response = await emulator.PostAsync(Update, new { returnInventoryId = id, handlingCode = "ohd" });

        Assert.Equal($"Return inventory {id} is in active recall {recallNumber}; cancel the recall instead.", response.AssertSoftError()["returnInventoryId"]);
    }

    [Fact]
    public async Task Update_OfAnInventoryInAShippedRecall_ReportsItsStatus()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        long recallId = (await emulator.CreateRecallsAsync(id))[0].GetProperty("recallId").GetInt64();
        await emulator.ControlAsync(HttpMethod.Post, $"recalls/{recallId}/advance");

        var update = await emulator.PostAsync(Update, new { returnInventoryId = id, handlingCode = "ohd" });
        var cancel = await emulator.PostAsync(Cancel, new { returnInventoryId = id });

        Assert.Equal($"Return inventory {id} cannot be changed: its handling status is 'inProgress'.", update.AssertSoftError()["returnInventoryId"]);
        Assert.Equal($"Return inventory {id} cannot be changed: its handling status is 'inProgress'.", cancel.AssertSoftError()["returnInventoryId"]);
    }

    [Theory]
    [InlineData("{\"handlingCode\":\"ohd\"}", "'Return Inventory Id' must not be empty.")]
    [InlineData("{\"returnInventoryId\":\"abc\",\"handlingCode\":\"ohd\"}", "The value 'abc' is not valid.")]
    [InlineData("{\"returnInventoryId\":999999999,\"handlingCode\":\"ohd\"}", "Return inventory 999999999 was not found.")]
    public async Task Update_ValidatesTheInventoryId(string body, string expected)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.PostAsync(Update, body);

        Assert.Equal(expected, response.AssertSoftError()["returnInventoryId"]);
    }

    [Fact]
    public async Task Cancel_PutsAPendingDecisionBackToTbc()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = "dis" });

        var response = await emulator.PostAsync(Cancel, new { returnInventoryId = id });

        response.AssertSuccess();
        var inventory = await emulator.InventoryAsync(id);
        Assert.Equal("tbc", inventory.GetProperty("handlingCode").GetString());
        Assert.Equal("pending", inventory.GetProperty("handlingStatusCode").GetString());
    }

    [Theory]
    [InlineData("tbc", "pending", "has no handling to cancel: its handling is 'tbc'.")]
    [InlineData("dis", "inProgress", "its handling status is 'inProgress'")]
    [InlineData("dis", "completed", "its handling status is 'completed'")]
    public async Task Cancel_IsRefusedWithNothingToCancelOrOnceTheWarehouseActed(string code, string status, string expected)
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = code, handlingStatusCode = status });

        var response = await emulator.PostAsync(Cancel, new { returnInventoryId = id });

        Assert.Contains(expected, response.AssertSoftError()["returnInventoryId"]);
    }

    [Fact]
    public async Task Cancel_OfARecalledInventory_PointsToTheRecall()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        await emulator.CreateRecallsAsync(id);

        var response = await emulator.PostAsync(Cancel, new { returnInventoryId = id });

        Assert.EndsWith("cancel the recall instead.", response.AssertSoftError()["returnInventoryId"]);
    }

    [Fact]
    public async Task WarehouseProgress_ThroughTheControlSurface_BlocksFurtherChanges()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = "dis" });

        var started = await emulator.ControlAsync(HttpMethod.Post, $"inventories/{id}/start");
        var refused = await emulator.PostAsync(Update, new { returnInventoryId = id, handlingCode = "ohd" });
        var completed = await emulator.ControlAsync(HttpMethod.Post, $"inventories/{id}/complete");
        await emulator.ControlAsync(HttpMethod.Post, $"inventories/{id}/complete", expected: System.Net.HttpStatusCode.Conflict);
        long undecided = await emulator.AddInventoryAsync();
        await emulator.ControlAsync(HttpMethod.Post, $"inventories/{undecided}/start", expected: System.Net.HttpStatusCode.Conflict);
        await emulator.ControlAsync(HttpMethod.Post, "inventories/999999999/start", expected: System.Net.HttpStatusCode.NotFound);

        Assert.Equal("inProgress", started.GetProperty("handlingStatusCode").GetString());
        Assert.Contains("its handling status is 'inProgress'", refused.AssertSoftError()["returnInventoryId"]);
        Assert.Equal("completed", completed.GetProperty("handlingStatusCode").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, completed.GetProperty("completeOn").ValueKind);
    }
}
