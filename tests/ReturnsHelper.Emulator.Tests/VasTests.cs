using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class VasTests : IDisposable
{
    private const string Create = "Vas/CreateByReturnInventoryId";
    private static readonly string SigningKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("a-vas-test-signing-key-0123456789"));
    private readonly string _directory = Directory.CreateTempSubdirectory("rh-emulator-vas-").FullName;

    private static object Request(long id, params object[] details) =>
        new { createVasList = new[] { new { returnInventoryId = id.ToString(), createVasDetailList = details } } };

    private static object Pictures(int quantity = 2) => new { vasCode = "req-pic", metaQuantity = quantity, notes = "front and back" };

    private static async Task<JsonElement> RequestAsync(TestEmulator emulator, long id, params object[] details)
    {
        var response = await emulator.PostAsync(Create, Request(id, details));
        response.AssertSuccess();
        return response.Body.GetProperty("data");
    }

    private static JsonElement[] VasOf(JsonElement inventory) => [.. inventory.GetProperty("returnRequestLineItemVasList").EnumerateArray()];

    [Fact]
    public async Task GetAllVas_ListsTheDocumentedServices_AndGetAllVasStatus_TheStatuses()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var services = await emulator.SendAsync(HttpMethod.Get, "/uat/public/api/vas/getAllVas", null);
        var statuses = await emulator.SendAsync(HttpMethod.Get, "/uat/public/api/vasStatus/getAllVasStatus", null);

        services.AssertSuccess();
        Assert.Equal(["mobi-fmt", "mobi-imei", "mobi-lock", "prd-inspec", "repack", "req-pic", "split-parcel"],
            services.Body.GetProperty("vasList").EnumerateArray().Select(v => v.GetProperty("vasCode").GetString()));
        Assert.All(services.Body.GetProperty("vasList").EnumerateArray(), v => Assert.False(string.IsNullOrEmpty(v.GetProperty("vasDescription").GetString())));
        Assert.Equal(["pending", "successful", "failed"],
            statuses.Body.GetProperty("vasStatusList").EnumerateArray().Select(v => v.GetProperty("vasStatusCode").GetString()));
    }

    [Fact]
    public async Task Create_ForAnInventoryOnHold_AddsPendingRequests_AndAnswersWithThem()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = "ohd" });

        var data = await RequestAsync(emulator, id, Pictures(3), new { vasCode = "PRD-INSPEC", metaQuantity = 9 });

        var entry = Assert.Single(data.EnumerateArray());
        Assert.Equal(id, entry.GetProperty("returnInventoryId").GetInt64());
        var created = entry.GetProperty("createVasDetailList").EnumerateArray().ToArray();
        Assert.Equal(["req-pic", "prd-inspec"], created.Select(v => v.GetProperty("vasCode").GetString()));
        Assert.Equal(3, created[0].GetProperty("metaQuantity").GetInt32());
        Assert.Equal(JsonValueKind.Null, created[1].GetProperty("metaQuantity").ValueKind);
        Assert.Equal("front and back", created[0].GetProperty("notes").GetString());
        Assert.All(created, v => Assert.Equal("pending", v.GetProperty("vasStatusCode").GetString()));
        var inventory = await emulator.InventoryAsync(id);
        Assert.Equal("ohd", inventory.GetProperty("handlingCode").GetString());
        Assert.Equal(created.Select(v => v.GetProperty("returnRequestLineItemVasId").GetInt64()),
            VasOf(inventory).Select(v => v.GetProperty("returnRequestLineItemVasId").GetInt64()));
        Assert.All(VasOf(inventory), v => Assert.False(v.GetProperty("isFinished").GetBoolean()));
    }

    [Theory]
    [InlineData("tbc", "pending")]
    [InlineData("dis", "pending")]
    [InlineData("ohd", "inProgress")]
    public async Task Create_NeedsAnInventoryOnHoldAndPending(string code, string status)
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = code, handlingStatusCode = status });

        var response = await emulator.PostAsync(Create, Request(id, Pictures()));

        Assert.Equal($"Return inventory {id} cannot take value-added services: handling is '{code}' with status '{status}'; only 'ohd' with status 'pending' can.",
            response.AssertSoftError()["createVasList[0].returnInventoryId"]);
        Assert.Empty(VasOf(await emulator.InventoryAsync(id)));
    }

    [Fact]
    public async Task Create_IsRefusedWhileARequestIsPending_AndForUnknownOrOtherAccountsInventories()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "other", apiToken = "other-token" });
        long pending = await emulator.AddInventoryAsync(new { handlingCode = "ohd", pendingVas = true });
        long others = await emulator.AddInventoryAsync(new { handlingCode = "ohd", apiKey = "other" });

        var response = await emulator.PostAsync(Create, new
        {
            createVasList = new[]
            {
                new { returnInventoryId = pending.ToString(), createVasDetailList = new[] { Pictures() } },
                new { returnInventoryId = others.ToString(), createVasDetailList = new[] { Pictures() } },
                new { returnInventoryId = "999", createVasDetailList = new[] { Pictures() } },
            },
        });

        var errors = response.AssertSoftError();
        Assert.Equal($"Return inventory {pending} has pending VAS requests; resolve them first.", errors["createVasList[0].returnInventoryId"]);
        Assert.Equal($"Return inventory {others} was not found.", errors["createVasList[1].returnInventoryId"]);
        Assert.Equal("Return inventory 999 was not found.", errors["createVasList[2].returnInventoryId"]);
    }

    [Fact]
    public async Task Create_IsAllOrNothing_AndReportsEveryFailingEntry()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long good = await emulator.AddInventoryAsync(new { handlingCode = "ohd" });
        long notOnHold = await emulator.AddInventoryAsync();

        var response = await emulator.PostAsync(Create, new
        {
            createVasList = new object[]
            {
                new { returnInventoryId = good.ToString(), createVasDetailList = new[] { Pictures() } },
                new { returnInventoryId = notOnHold.ToString(), createVasDetailList = new[] { Pictures() } },
                new { returnInventoryId = good, createVasDetailList = new[] { Pictures() } },
                new { returnInventoryId = "abc", createVasDetailList = new[] { Pictures() } },
                new { returnInventoryId = "", createVasDetailList = new[] { Pictures() } },
            },
        });

        var errors = response.AssertSoftError();
        Assert.Equal(
            ["createVasList[1].returnInventoryId", "createVasList[2].returnInventoryId", "createVasList[3].returnInventoryId", "createVasList[4].returnInventoryId"],
            errors.Keys.Order());
        Assert.Equal($"Return inventory {good} appears more than once in the list.", errors["createVasList[2].returnInventoryId"]);
        Assert.Equal("The value 'abc' is not valid.", errors["createVasList[3].returnInventoryId"]);
        Assert.Equal("'Return Inventory Id' must not be empty.", errors["createVasList[4].returnInventoryId"]);
        Assert.Empty(VasOf(await emulator.InventoryAsync(good)));
    }

    [Theory]
    [InlineData("req-pic", null, "'Meta Quantity' must not be empty.")]
    [InlineData("req-pic", 0, "'Meta Quantity' must be greater than '0'.")]
    [InlineData("split-parcel", null, "'Meta Quantity' must not be empty.")]
    [InlineData("split-parcel", 0, "'Meta Quantity' must be between 1 and 50. You entered 0.")]
    [InlineData("split-parcel", 51, "'Meta Quantity' must be between 1 and 50. You entered 51.")]
    public async Task Create_NeedsAQuantity_ForPicturesAndSplits(string code, int? quantity, string expected)
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = "ohd" });

        var response = await emulator.PostAsync(Create, Request(id, new { vasCode = code, metaQuantity = quantity }));

        Assert.Equal(expected, response.AssertSoftError()["createVasList[0].createVasDetailList[0].metaQuantity"]);
    }

    [Fact]
    public async Task Create_RefusesUnknownCodes_RepeatedCodes_AndFilesOutsideASplit()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = "ohd" });

        var response = await emulator.PostAsync(Create, Request(id,
            new { vasCode = "SPLIT_PARCEL" },
            new { vasCode = "repack", vasFileList = new[] { new { filename = "a.png", fileKey = "k" } } },
            new { vasCode = "mobi-imei" },
            new { vasCode = "mobi-imei" }));

        var errors = response.AssertSoftError();
        Assert.Equal("'SPLIT_PARCEL' is not a value-added service code; see getAllVas.", errors["createVasList[0].createVasDetailList[0].vasCode"]);
        Assert.Equal("Files can only be attached to a 'split-parcel' request.", errors["createVasList[0].createVasDetailList[1].vasFileList"]);
        Assert.Equal("'mobi-imei' appears more than once for this inventory.", errors["createVasList[0].createVasDetailList[3].vasCode"]);
    }

    [Fact]
    public async Task Create_SplitParcel_MustBeTheOnlyServiceOfItsRequest()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { handlingCode = "ohd" }, new { handlingCode = "ohd" });
        var split = new { vasCode = "split-parcel", metaQuantity = 2 };
        const string Alone = "'split-parcel' must be the only service of its request: send it alone, for one inventory.";

        var withAnother = await emulator.PostAsync(Create, Request(ids[0], split, Pictures()));
        var withAnotherInventory = await emulator.PostAsync(Create, new
        {
            createVasList = new[]
            {
                new { returnInventoryId = ids[0].ToString(), createVasDetailList = new object[] { split } },
                new { returnInventoryId = ids[1].ToString(), createVasDetailList = new object[] { Pictures() } },
            },
        });
        var aloneResponse = await emulator.PostAsync(Create, Request(ids[0], split));

        Assert.Equal(Alone, withAnother.AssertSoftError()["createVasList[0].createVasDetailList[0].vasCode"]);
        Assert.Equal(Alone, withAnotherInventory.AssertSoftError()["createVasList[0].createVasDetailList[0].vasCode"]);
        aloneResponse.AssertSuccess();
    }

    [Fact]
    public async Task APendingRequest_BlocksHandlingAndRecall_UntilTheWarehouseFinishesIt()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = "ohd" });
        long vasId = (await RequestAsync(emulator, id, Pictures()))[0].GetProperty("createVasDetailList")[0].GetProperty("returnRequestLineItemVasId").GetInt64();

        var handling = await emulator.PostAsync("ReturnInventory/UpdateReturnInventoryHandling", new { returnInventoryId = id, handlingCode = "dis" });
        var recall = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = new[] { id } });
        await emulator.ControlAsync(HttpMethod.Post, $"vas/{vasId}/complete", new { vasResult = "Two photos taken." });
        var afterwards = await emulator.PostAsync("ReturnInventory/UpdateReturnInventoryHandling", new { returnInventoryId = id, handlingCode = "dis" });

        Assert.Contains("pending VAS", handling.AssertSoftError()["returnInventoryId"]);
        Assert.Contains("pending VAS", recall.AssertSoftError()["returnInventoryIdList[0]"]);
        afterwards.AssertSuccess();
    }

    [Fact]
    public async Task Complete_RecordsTheResultAndPhotos_AndSendsASignedVasUpdated()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var emulator = await TestEmulator.StartAsync(o => { o.WebhookUrl = listener.Url; o.SigningKey = SigningKey; });
        long id = await emulator.AddInventoryAsync(new { handlingCode = "ohd", rma = "USE-2-260301-D00042-17" });
        await listener.WaitForAsync(1); // newInventoryCreated
        long vasId = (await RequestAsync(emulator, id, Pictures(2)))[0].GetProperty("createVasDetailList")[0].GetProperty("returnRequestLineItemVasId").GetInt64();

        await emulator.ControlAsync(HttpMethod.Post, $"vas/{vasId}/complete", new { vasResult = "Scratches on the lid." });

        var vas = Assert.Single(VasOf(await emulator.InventoryAsync(id)));
        Assert.Equal("successful", vas.GetProperty("vasStatusCode").GetString());
        Assert.True(vas.GetProperty("isFinished").GetBoolean());
        Assert.Equal("Scratches on the lid.", vas.GetProperty("vasResult").GetString());
        string[] photos = [.. vas.GetProperty("imageUrlList").EnumerateArray().Select(p => p.GetString())];
        Assert.Equal(2, photos.Length);
        Assert.All(photos, p => Assert.StartsWith("https://rr-dev-files.returnshelper.com/images/vas/", p));
        Assert.All(photos, p => Assert.Contains("USE-2-260301-D00042-17", p));

        var received = (await listener.WaitForAsync(2))[1];
        AssertSigned(received, listener.Url);
        using var document = JsonDocument.Parse(received.Body);
        var root = document.RootElement;
        Assert.Equal("rrliv", root.GetProperty("category").GetString());
        Assert.Equal("vasUpdated", root.GetProperty("action").GetString());
        var update = Assert.Single(root.GetProperty("updateVasList").EnumerateArray());
        Assert.Equal(vasId, update.GetProperty("returnRequestLineItemVasId").GetInt64());
        Assert.Equal(id, update.GetProperty("returnInventoryId").GetInt64());
        Assert.Equal(1, update.GetProperty("vasStatusCode").GetInt32());
        Assert.Equal("Scratches on the lid.", update.GetProperty("vasResult").GetString());
        Assert.Equal(photos, update.GetProperty("imageUrlList").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Fail_FinishesWithoutPhotos_AndAFinishedRequestCannotBeFinishedAgain()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { handlingCode = "ohd" });
        long vasId = (await RequestAsync(emulator, id, new { vasCode = "mobi-imei" }))[0].GetProperty("createVasDetailList")[0].GetProperty("returnRequestLineItemVasId").GetInt64();

        await emulator.ControlAsync(HttpMethod.Post, $"vas/{vasId}/fail", new { vasResult = "No IMEI label." });
        var again = await emulator.ControlAsync(HttpMethod.Post, $"vas/{vasId}/complete", expected: HttpStatusCode.Conflict);
        var unknown = await emulator.ControlAsync(HttpMethod.Post, "vas/987654/complete", expected: HttpStatusCode.NotFound);

        var vas = Assert.Single(VasOf(await emulator.InventoryAsync(id)));
        Assert.Equal("failed", vas.GetProperty("vasStatusCode").GetString());
        Assert.Equal("No IMEI label.", vas.GetProperty("vasResult").GetString());
        Assert.Empty(vas.GetProperty("imageUrlList").EnumerateArray());
        Assert.Equal($"VAS request {vasId} is already 'failed'.", again.GetProperty("error").GetString());
        Assert.Equal("VAS request 987654 was not found.", unknown.GetProperty("error").GetString());
    }

    [Fact]
    public async Task CompletingASplit_CreatesOneInventoryPerParcel_AndSendsSplitLineItemAndNewInventoryCreated()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var emulator = await TestEmulator.StartAsync(o => { o.WebhookUrl = listener.Url; o.SigningKey = SigningKey; });
        long id = await emulator.AddInventoryAsync(new { handlingCode = "ohd", rma = "USE-2-260301-D00042-17", weight = 900, value = 90 });
        long vasId = (await RequestAsync(emulator, id, new { vasCode = "split-parcel", metaQuantity = 3 }))[0]
            .GetProperty("createVasDetailList")[0].GetProperty("returnRequestLineItemVasId").GetInt64();

        var answer = await emulator.ControlAsync(HttpMethod.Post, $"vas/{vasId}/complete");

        var parcels = answer.GetProperty("newInventoryList").EnumerateArray().ToArray();
        Assert.Equal(3, parcels.Length);
        Assert.Equal(["USE-2-260301-D00042-01", "USE-2-260301-D00042-02", "USE-2-260301-D00042-03"],
            parcels.Select(p => p.GetProperty("rma").GetString()![..^3]));
        Assert.All(parcels, p => Assert.Equal("tbc", p.GetProperty("handlingCode").GetString()));
        Assert.All(parcels, p => Assert.Equal(300, p.GetProperty("weight").GetDecimal()));
        long[] parcelIds = [.. parcels.Select(p => p.GetProperty("returnInventoryId").GetInt64())];
        var original = await emulator.InventoryAsync(id);
        Assert.Equal("oth", original.GetProperty("handlingCode").GetString());
        Assert.Equal("completed", original.GetProperty("handlingStatusCode").GetString());
        Assert.Equal(parcelIds, VasOf(original)[0].GetProperty("splitReturnInventoryIdList").EnumerateArray().Select(i => i.GetInt64()));
        Assert.Equal("tbc", (await emulator.InventoryAsync(parcelIds[2])).GetProperty("handlingCode").GetString());

        // newInventoryCreated of the original, vasUpdated, splitLineItem, then one newInventoryCreated per parcel.
        var events = (await listener.WaitForAsync(6)).Select(r => JsonDocument.Parse(r.Body).RootElement).ToArray();
        Assert.Equal(["newInventoryCreated", "vasUpdated", "splitLineItem", "newInventoryCreated", "newInventoryCreated", "newInventoryCreated"],
            events.Select(e => e.GetProperty("action").GetString()));
        var split = events[2];
        Assert.Equal("lineItemVasReturnInventoryLineItem", split.GetProperty("category").GetString());
        Assert.Equal("SUCCESSFUL", split.GetProperty("vasStatusCode").GetString());
        Assert.Equal(vasId, split.GetProperty("returnRequestLineItemVasId").GetInt64());
        Assert.Equal(parcelIds, split.GetProperty("splitLineItemAndReturnInventoryList").EnumerateArray()
            .Select(p => p.GetProperty("returnInventory").GetProperty("returnInventoryId").GetInt64()));
        Assert.Equal(parcelIds.Select(i => i.ToString()), events[3..].Select(e => e.GetProperty("returnInventory").GetProperty("returnInventoryId").GetString()));
    }

    [Fact]
    public async Task VasRequests_SurviveARestart_WithAStateFile()
    {
        string statePath = Path.Combine(_directory, "state.json");
        long id, vasId;
        await using (var first = await TestEmulator.StartAsync(o => o.StateFile = statePath))
        {
            id = await first.AddInventoryAsync(new { handlingCode = "ohd" });
            vasId = (await RequestAsync(first, id, Pictures(1)))[0].GetProperty("createVasDetailList")[0].GetProperty("returnRequestLineItemVasId").GetInt64();
            await first.ControlAsync(HttpMethod.Post, $"vas/{vasId}/complete", new { vasResult = "One photo." });
        }

        await using var second = await TestEmulator.StartAsync(o => o.StateFile = statePath);
        var vas = Assert.Single(VasOf(await second.InventoryAsync(id)));
        Assert.Equal(vasId, vas.GetProperty("returnRequestLineItemVasId").GetInt64());
        Assert.Equal("successful", vas.GetProperty("vasStatusCode").GetString());
        Assert.Equal("One photo.", vas.GetProperty("vasResult").GetString());
        Assert.Equal(1, vas.GetProperty("metaQuantity").GetInt32());
        Assert.Single(vas.GetProperty("imageUrlList").EnumerateArray());
    }

    private static void AssertSigned(WebhookListener.Received received, string url)
    {
        byte[] message = [.. Encoding.UTF8.GetBytes("POST" + url + received.Headers["timestamp"]), .. received.Body];
        Assert.Equal(Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(SigningKey), message)), received.Headers["returnhelper-signature"]);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
