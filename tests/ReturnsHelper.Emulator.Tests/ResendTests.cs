using System.Net;
using System.Text.Json;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class ResendTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rh-emulator-resend-").FullName;

    private static object Shipment(string serviceType = "SHIPMENT_USPS_PM_NJ", string name = "Ada Buyer", string city = "New York", string country = "usa") => new
    {
        shipmentServiceType = serviceType,
        shipmentCountryCode = country,
        shipmentName = name,
        shipmentStreet1 = "1 Main St",
        shipmentCity = city,
        shipmentState = "NY",
        shipmentPostalCode = "10001",
    };

    private static Task<ApiResponse> CreateAsync(TestEmulator emulator, long[] ids, object shipment = null) =>
        emulator.PostAsync("Resend/createResend", new { returnInventoryIdList = ids, description = "to a new buyer", resendShipment = shipment ?? Shipment() });

    private static async Task<decimal> BalanceAsync(TestEmulator emulator)
    {
        var response = await emulator.GetAsync("ApiBalance/GetApiBalance?pageSize=1&offset=0");
        return response.Body.GetProperty("apiBalances")[0].GetProperty("balance").GetDecimal();
    }

    [Fact]
    public async Task Create_SetsRsd_ChargesTheQuotedFee_AndGetResendDescribesIt()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { handlingCode = "ohd", weight = 300, quantity = 1 }, new { weight = 400, quantity = 1 });
        decimal before = await BalanceAsync(emulator);
        var quote = await emulator.GetAsync($"Resend/getShippingFeeListByToShippingOption?returnInventoryIdList={ids[0]}&returnInventoryIdList={ids[1]}&toCountryCode=usa&toPostalCode=10001");
        quote.AssertSuccess();
        var fees = quote.Body.GetProperty("data").GetProperty("shippingFeeDetailList").EnumerateArray().ToArray();
        Assert.Equal(["SHIPMENT_USPS_GA_SIG_NJ", "SHIPMENT_USPS_PM_NJ"], fees.Select(f => f.GetProperty("serviceTypeCode").GetString()));
        decimal fee = fees[1].GetProperty("fee").GetDecimal();
        Assert.Equal(7.75m + 1.10m, fee); // 700 g: the base for 500 g and one more started 500 g
        Assert.Equal(700m, fees[1].GetProperty("chargeableWeight").GetDecimal());

        var created = await CreateAsync(emulator, ids);

        created.AssertSuccess();
        long resendId = created.Body.GetProperty("resendId").GetInt64();
        Assert.Matches(@"^RSD\d{6}-\d{7}$", created.Body.GetProperty("resendNumber").GetString());
        Assert.True(created.Body.GetProperty("resendShipmentId").GetInt64() > 0);
        Assert.Equal(before - fee, await BalanceAsync(emulator));
        foreach (long id in ids)
        {
            Assert.Equal("rsd", (await emulator.InventoryAsync(id)).GetProperty("handlingCode").GetString());
        }

        var resend = await emulator.GetAsync($"resend/getResend?resendId={resendId}");
        resend.AssertSuccess();
        Assert.Equal(0, resend.Body.GetProperty("resendStatusCode").GetInt32());
        Assert.Equal(2, resend.Body.GetProperty("warehouseId").GetInt32());
        Assert.Equal(ids, resend.Body.GetProperty("returnInventoryIdList").EnumerateArray().Select(e => e.GetInt64()));
        var shipment = Assert.Single(resend.Body.GetProperty("resendShipmentList").EnumerateArray());
        Assert.Equal("Ada Buyer", shipment.GetProperty("shipmentName").GetString());
        Assert.Equal(fee, shipment.GetProperty("cost").GetDecimal());
        Assert.Equal(JsonValueKind.Null, shipment.GetProperty("trackingNumber").ValueKind);
    }

    [Fact]
    public async Task Create_IsAllOrNothing_AndNamesEveryIneligibleInventory()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(
            new { },
            new { handlingCode = "dis" },
            new { handlingCode = "ohd", pendingVas = true },
            new { warehouseId = 1034 },
            new { handlingCode = "ohd", handlingStatusCode = "completed" });
        long recalled = await emulator.AddInventoryAsync();
        await emulator.CreateRecallsAsync(recalled);

        var response = await CreateAsync(emulator, [ids[0], ids[1], ids[2], ids[3], recalled]);

        var errors = response.AssertSoftError();
        Assert.False(errors.ContainsKey("returnInventoryIdList[0]"));
        Assert.Contains("cannot be resent: handling is 'dis'", errors["returnInventoryIdList[1]"]);
        Assert.Equal($"Return inventory {ids[2]} has pending VAS requests; resolve them first.", errors["returnInventoryIdList[2]"]);
        Assert.Contains("all inventories of one resend must be in one warehouse", errors["returnInventoryIdList[3]"]);
        Assert.StartsWith($"Return inventory {recalled} is already in active recall", errors["returnInventoryIdList[4]"]);
        Assert.Equal("tbc", (await emulator.InventoryAsync(ids[0])).GetProperty("handlingCode").GetString());
        Assert.Empty((await emulator.ControlAsync(HttpMethod.Get, "resends")).EnumerateArray());

        var completed = await CreateAsync(emulator, [ids[4]]);
        Assert.Contains("with status 'completed'", completed.AssertSoftError()["returnInventoryIdList[0]"]);

        (await CreateAsync(emulator, [ids[0]])).AssertSuccess();
        var again = await CreateAsync(emulator, [ids[0]]);
        Assert.StartsWith($"Return inventory {ids[0]} cannot be resent: it is already in active resend RSD", again.AssertSoftError()["returnInventoryIdList[0]"]);
    }

    [Fact]
    public async Task Create_CapsTheGroup_AndChecksTheAddressAndServiceType()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { }, new { }, new { }, new { }, new { }, new { });

        var tooMany = await CreateAsync(emulator, ids);
        var badAddress = await CreateAsync(emulator, [ids[0]], Shipment(name: new string('n', 256), city: "", country: "us"));
        var unknownType = await CreateAsync(emulator, [ids[0]], Shipment(serviceType: "RETURN_USPS_NJ"));
        var others = await CreateAsync(emulator, [ids[0]], Shipment(serviceType: "others"));
        var abroad = await CreateAsync(emulator, [ids[0]], Shipment(country: "gbr"));
        var noShipment = await emulator.PostAsync("Resend/createResend", new { returnInventoryIdList = new[] { ids[0] } });

        Assert.Equal("'Return Inventory Id List' must not contain more than 5 items.", tooMany.AssertSoftError()["returnInventoryIdList"]);
        var addressErrors = badAddress.AssertSoftError();
        Assert.Equal("'Shipment Name' must be 255 characters or fewer. You entered 256 characters.", addressErrors["resendShipment.shipmentName"]);
        Assert.Equal("'Shipment City' must not be empty.", addressErrors["resendShipment.shipmentCity"]);
        Assert.Contains("ISO 3166 alpha-3", addressErrors["resendShipment.shipmentCountryCode"]);
        Assert.Contains("is not a resend service type of warehouse 2", unknownType.AssertSoftError()["resendShipment.shipmentServiceType"]);
        Assert.Contains("customer service", others.AssertSoftError()["resendShipment.shipmentServiceType"]);
        Assert.Equal("Service type 'SHIPMENT_USPS_PM_NJ' only ships to 'usa'.", abroad.AssertSoftError()["resendShipment.shipmentCountryCode"]);
        Assert.Equal("'Resend Shipment' must not be empty.", noShipment.AssertSoftError()["resendShipment"]);
        Assert.Empty((await emulator.ControlAsync(HttpMethod.Get, "resends")).EnumerateArray());
    }

    [Fact]
    public async Task Balance_RefusesAResendItCannotPay_AndARecallWhenNotPositive_AndRecallsArePaidWhenShipped()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { weight = 100 }, new { weight = 100 }, new { weight = 100 });
        await emulator.ControlAsync(HttpMethod.Post, "accounts/1/balance", new { balance = 6 });

        var expensive = await CreateAsync(emulator, [ids[0]]);
        Assert.Equal("The balance (6.00 usd) is less than the resend fee (7.75 usd); top up the account first.", expensive.AssertSoftError()["apiBalance"]);
        (await CreateAsync(emulator, [ids[0]], Shipment(serviceType: "SHIPMENT_USPS_GA_SIG_NJ"))).AssertSuccess();
        Assert.Equal(6m - 5.25m, await BalanceAsync(emulator));

        await emulator.ControlAsync(HttpMethod.Post, "accounts/1/balance", new { balance = 3 });
        long recallId = (await emulator.CreateRecallsAsync(ids[1], ids[2]))[0].GetProperty("recallId").GetInt64();
        await emulator.ControlAsync(HttpMethod.Post, $"recalls/{recallId}/advance");
        Assert.Equal(0m, await BalanceAsync(emulator));

        var refused = await emulator.PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = new[] { await emulator.AddInventoryAsync() } });
        Assert.Equal("The balance (0.00 usd) is not positive; top up the account first.", refused.AssertSoftError()["apiBalance"]);
    }

    [Fact]
    public async Task Cancel_OnlyWhilePending_RefundsTheFee_AndRestoresEachHandling()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { handlingCode = "ohd" }, new { });
        decimal before = await BalanceAsync(emulator);
        long resendId = (await CreateAsync(emulator, ids)).Body.GetProperty("resendId").GetInt64();

        var cancelled = await emulator.PostAsync("Resend/cancelResend", new { resendId });

        cancelled.AssertSuccess();
        Assert.Equal(resendId, cancelled.Body.GetProperty("resendId").GetInt64());
        Assert.Single(cancelled.Body.GetProperty("resendShipmentList").EnumerateArray());
        Assert.Equal(before, await BalanceAsync(emulator));
        Assert.Equal("ohd", (await emulator.InventoryAsync(ids[0])).GetProperty("handlingCode").GetString());
        Assert.Equal("tbc", (await emulator.InventoryAsync(ids[1])).GetProperty("handlingCode").GetString());
        Assert.Equal(1, (await emulator.GetAsync($"resend/getResend?resendId={resendId}")).Body.GetProperty("resendStatusCode").GetInt32());
        Assert.Equal($"Resend {resendId} cannot be cancelled: its status is 'canceled'.",
            (await emulator.PostAsync("Resend/cancelResend", new { resendId })).AssertSoftError()["resendId"]);

        long shipped = (await CreateAsync(emulator, ids)).Body.GetProperty("resendId").GetInt64();
        await emulator.ControlAsync(HttpMethod.Post, $"resends/{shipped}/advance");
        Assert.Equal($"Resend {shipped} cannot be cancelled: its status is 'inProgress'.",
            (await emulator.PostAsync("Resend/cancelResend", new { resendId = shipped })).AssertSoftError()["resendId"]);
        Assert.Equal("Resend 999 was not found.", (await emulator.PostAsync("Resend/cancelResend", new { resendId = 999 })).AssertSoftError()["resendId"]);
    }

    [Fact]
    public async Task Advance_LabelsCompletesOrFails_WithSignedUpdateResendStatusEvents()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var emulator = await TestEmulator.StartAsync(o => { o.WebhookUrl = listener.Url; o.SigningKey = WebhookDeliveryTests.SigningKey; o.SeedInventory = 0; });
        long[] ids = await emulator.AddInventoriesAsync(new { weight = 100 }, new { weight = 100 });
        decimal before = await BalanceAsync(emulator);
        long completed = (await CreateAsync(emulator, [ids[0]])).Body.GetProperty("resendId").GetInt64();
        long failed = (await CreateAsync(emulator, [ids[1]])).Body.GetProperty("resendId").GetInt64();

        var labelled = await emulator.ControlAsync(HttpMethod.Post, $"resends/{completed}/advance");
        await emulator.ControlAsync(HttpMethod.Post, $"resends/{completed}/advance");
        await emulator.ControlAsync(HttpMethod.Post, $"resends/{failed}/advance", new { failure = "Address not deliverable" });
        await emulator.ControlAsync(HttpMethod.Post, $"resends/{completed}/advance", expected: HttpStatusCode.Conflict);

        Assert.Equal(2, labelled.GetProperty("resendStatusCode").GetInt32());
        Assert.False(string.IsNullOrEmpty(labelled.GetProperty("resendShipmentList")[0].GetProperty("trackingNumber").GetString()));
        var inventory = await emulator.InventoryAsync(ids[0]);
        Assert.Equal("rsd", inventory.GetProperty("handlingCode").GetString());
        Assert.Equal("completed", inventory.GetProperty("handlingStatusCode").GetString());
        Assert.Equal("tbc", (await emulator.InventoryAsync(ids[1])).GetProperty("handlingCode").GetString());
        Assert.Equal(before - 7.75m, await BalanceAsync(emulator)); // the failed one was refunded

        var received = (await listener.WaitForAsync(5)).Where(r => r.BodyText.Contains("\"updateResendStatus\"")).ToArray();
        Assert.Equal(3, received.Length);
        foreach (var delivery in received)
        {
            WebhookDeliveryTests.AssertSigned(delivery, listener.Url);
        }

        using var last = JsonDocument.Parse(received[2].Body);
        Assert.Equal("resend", last.RootElement.GetProperty("category").GetString());
        Assert.Equal(4, last.RootElement.GetProperty("resend").GetProperty("resendStatusCode").GetInt32());
        Assert.Equal("Address not deliverable", last.RootElement.GetProperty("resendShipmentList")[0].GetProperty("error").GetString());
        Assert.Equal(ids[1], last.RootElement.GetProperty("returnInventoryList")[0].GetProperty("returnInventoryId").GetInt64());
    }

    [Fact]
    public async Task ServiceTypes_AreTheWarehousesOwn_WithOthers()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var wa = await emulator.GetAsync("Shipment/getAvailableShipmentServiceType?warehouseId=1034");
        var unknown = await emulator.GetAsync("Shipment/getAvailableShipmentServiceType?warehouseId=77");

        wa.AssertSuccess();
        var types = wa.Body.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(["SHIPMENT_USPS_GA_SIG_WA", "SHIPMENT_USPS_PM_WA", "others"], types.Select(t => t.GetProperty("serviceTypeCode").GetString()));
        Assert.Equal("usa", types[0].GetProperty("countryCodePairList")[0].GetProperty("toCountryCode").GetString());
        Assert.Equal("Warehouse 77 was not found.", unknown.AssertSoftError()["warehouseId"]);
    }

    [Fact]
    public async Task Quote_NeedsOneWarehouse_KnownInventories_AndADestination_ButNotAnEligibleHandling()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long[] ids = await emulator.AddInventoriesAsync(new { handlingCode = "dis", weight = 100 }, new { warehouseId = 1034 });

        var disposed = await emulator.GetAsync($"Resend/getShippingFeeListByToShippingOption?returnInventoryIdList={ids[0]}&toCountryCode=usa&toPostalCode=10001");
        var mixed = await emulator.GetAsync($"Resend/getShippingFeeListByToShippingOption?returnInventoryIdList={ids[0]},{ids[1]},999&toCountryCode=usa&toPostalCode=10001");
        var abroad = await emulator.GetAsync($"Resend/getShippingFeeListByToShippingOption?returnInventoryIdList={ids[0]}&toCountryCode=gbr&toPostalCode=SW1A");
        var missing = await emulator.GetAsync("Resend/getShippingFeeListByToShippingOption?toCountryCode=usa");

        Assert.Equal(2, disposed.Body.GetProperty("data").GetProperty("shippingFeeDetailList").GetArrayLength());
        var errors = mixed.AssertSoftError();
        Assert.Contains("all inventories of one resend must be in one warehouse", errors["returnInventoryIdList[1]"]);
        Assert.Equal("Return inventory 999 was not found.", errors["returnInventoryIdList[2]"]);
        Assert.Equal(0, abroad.Body.GetProperty("data").GetProperty("shippingFeeDetailList").GetArrayLength());
        var missingErrors = missing.AssertSoftError();
        Assert.Equal("'Return Inventory Id List' must not be empty.", missingErrors["returnInventoryIdList"]);
        Assert.Equal("'To Postal Code' must not be empty.", missingErrors["toPostalCode"]);
    }

    [Fact]
    public async Task Resends_SurviveARestart_AndCountersContinue()
    {
        string statePath = Path.Combine(_directory, "state.json");
        long id, resendId;
        string number;
        await using (var first = await TestEmulator.StartAsync(o => o.StateFile = statePath))
        {
            id = await first.AddInventoryAsync();
            var created = await CreateAsync(first, [id]);
            resendId = created.Body.GetProperty("resendId").GetInt64();
            number = created.Body.GetProperty("resendNumber").GetString();
        }

        await using var second = await TestEmulator.StartAsync(o => o.StateFile = statePath);
        Assert.Equal(number, (await second.GetAsync($"resend/getResend?resendId={resendId}")).Body.GetProperty("resendNumber").GetString());
        Assert.Equal("rsd", (await second.InventoryAsync(id)).GetProperty("handlingCode").GetString());
        var next = await CreateAsync(second, [await second.AddInventoryAsync()]);
        Assert.True(next.Body.GetProperty("resendId").GetInt64() > resendId);
        Assert.NotEqual(number, next.Body.GetProperty("resendNumber").GetString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
