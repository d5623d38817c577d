using System.Globalization;
using System.Text.Json;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class InventoryQueryTests
{
    private static readonly DateTime Base = new(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task GetReturnInventory_ReturnsTheFullRecordAtTopLevel()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { warehouseId = 20, sku = "SKU-1", weight = 250.5, pendingVas = true, handlingCode = "ohd" });

        var inventory = await emulator.InventoryAsync(id);

        Assert.Equal(id, inventory.GetProperty("returnInventoryId").GetInt64());
        Assert.Equal(20, inventory.GetProperty("warehouseId").GetInt32());
        Assert.Equal("SKU-1", inventory.GetProperty("sku").GetString());
        Assert.Equal(250.5m, inventory.GetProperty("weight").GetDecimal());
        Assert.Equal("g", inventory.GetProperty("weightUom").GetString());
        Assert.Equal("cm", inventory.GetProperty("dimensionUom").GetString());
        Assert.Equal("usd", inventory.GetProperty("valueCurrencyCode").GetString());
        Assert.Equal("ohd", inventory.GetProperty("handlingCode").GetString());
        Assert.Matches(@"^TWN-20-\d{6}-D\d{5}-\d{2}$", inventory.GetProperty("rma").GetString());
        Assert.EndsWith("Z", inventory.GetProperty("createOn").GetString());
        var vas = Assert.Single(inventory.GetProperty("returnRequestLineItemVasList").EnumerateArray());
        Assert.False(vas.GetProperty("isFinished").GetBoolean());
        Assert.Equal(JsonValueKind.Array, inventory.GetProperty("returnRequestLineItemImages").ValueKind);
        Assert.Equal(JsonValueKind.Array, inventory.GetProperty("returnInventoryMetaList").ValueKind);
    }

    [Theory]
    [InlineData("returnInventoryId=abc", "The value 'abc' is not valid.")]
    [InlineData("", "'Return Inventory Id' must not be empty.")]
    [InlineData("returnInventoryId=0", "'Return Inventory Id' must not be empty.")]
    [InlineData("returnInventoryId=999999999", "Return inventory 999999999 was not found.")]
    public async Task GetReturnInventory_ReportsBadIdsAsSoftErrors(string query, string expected)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.GetAsync("ReturnInventory/GetReturnInventory?" + query);

        Assert.Equal(expected, response.AssertSoftError()["returnInventoryId"]);
    }

    [Theory]
    [InlineData("createTo=2025-06-02", "createFrom", "'Create From' must not be empty.")]
    [InlineData("createFrom=2025-06-01", "createTo", "'Create To' must not be empty.")]
    [InlineData("createFrom=soon&createTo=2025-06-02", "createFrom", "The value 'soon' is not valid.")]
    [InlineData("createFrom=2025-06-01&createTo=2025-08-02T00:00:01Z", "createTo", "The period between 'Create From' and 'Create To' must not exceed 62 days.")]
    [InlineData("createFrom=2025-06-02&createTo=2025-06-02", "createTo", "'Create To' must be greater than 'Create From'.")]
    [InlineData("createFrom=2025-06-01&createTo=2025-06-02&pageSize=0", "pageSize", "'Page Size' must be between 1 and 50. You entered 0.")]
    [InlineData("createFrom=2025-06-01&createTo=2025-06-02&pageSize=51", "pageSize", "'Page Size' must be between 1 and 50. You entered 51.")]
    [InlineData("createFrom=2025-06-01&createTo=2025-06-02&offset=-1", "offset", "'Offset' must be greater than or equal to '0'.")]
    public async Task List_ValidatesTheWindowAndPaging(string query, string property, string expected)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.GetAsync("ReturnInventory/list?" + query);

        Assert.Equal(expected, response.AssertSoftError()[property]);
    }

    [Fact]
    public async Task List_AcceptsAWindowOfExactly62Days()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var response = await emulator.GetAsync("ReturnInventory/list?createFrom=2025-06-01T00:00:00Z&createTo=2025-08-02T00:00:00Z&pageSize=50&offset=0");

        response.AssertSuccess();
    }

    [Fact]
    public async Task List_PagesByRecordOffsetInCreateOnThenIdOrder_WithAnInclusiveStartAndExclusiveEnd()
    {
        await using var emulator = await TestEmulator.StartAsync();
        await emulator.ControlAsync(HttpMethod.Post, "accounts", new { apiKey = "paging-key", apiToken = "paging-token" });
        long[] ids = await emulator.AddInventoriesAsync([.. new[] { 0, 60, 180, 180, 120, 300, 419, 420, -1.0 / 60 }
            .Select(minutes => new { apiKey = "paging-key", createOn = Iso(Base.AddMinutes(minutes)) })]);
        long[] expected = [ids[0], ids[1], ids[4], ids[2], ids[3], ids[5], ids[6]];

        var pages = new List<long[]>();
        for (int offset = 0; offset <= 9; offset += 3)
        {
            var response = await emulator.GetAsync(
                $"ReturnInventory/list?createFrom={Iso(Base)}&createTo={Iso(Base.AddHours(7))}&pageSize=3&offset={offset}", "paging-key", "paging-token");
            response.AssertSuccess();
            Assert.Equal(7, response.Body.GetProperty("totalNumberOfRecords").GetInt32());
            pages.Add([.. response.Body.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("returnInventoryId").GetInt64())]);
        }

        Assert.Equal([3, 3, 1, 0], pages.Select(p => p.Length));
        Assert.Equal(expected, pages.SelectMany(p => p));
    }

    [Fact]
    public async Task List_RowsHaveTheDocumentedShape()
    {
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync(new { createOn = Iso(Base), sku = "ROW-1" });

        var response = await emulator.GetAsync($"ReturnInventory/list?createFrom={Iso(Base)}&createTo={Iso(Base.AddDays(1))}&pageSize=50&offset=0");

        response.AssertSuccess();
        var row = Assert.Single(response.Body.GetProperty("data").EnumerateArray());
        Assert.Equal(
            ["returnInventoryId", "returnRequestId", "returnRequestLineItemId", "rma", "itemRma", "sku", "handlingCode", "handlingStatusCode", "warehouseId", "createOn"],
            row.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id, row.GetProperty("returnInventoryId").GetInt64());
        Assert.Equal(JsonValueKind.String, row.GetProperty("returnRequestLineItemId").ValueKind);
        Assert.Equal(row.GetProperty("rma").GetString(), row.GetProperty("itemRma").GetString());
        Assert.Equal("2025-06-01T00:00:00Z", row.GetProperty("createOn").GetString());
    }

    [Fact]
    public async Task List_WalkingTheSeedIn60DayWindows_ReturnsEverySeededInventoryOnce()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var seen = new List<long>();
        for (int window = 0; window < 3; window++)
        {
            var from = TestEmulator.SeedAnchor.AddDays(-180 + 60 * window);
            for (int offset = 0; ; offset += 50)
            {
                var response = await emulator.GetAsync($"ReturnInventory/list?createFrom={Iso(from)}&createTo={Iso(from.AddDays(60))}&pageSize=50&offset={offset}");
                response.AssertSuccess();
                var rows = response.Body.GetProperty("data").EnumerateArray().ToArray();
                seen.AddRange(rows.Select(r => r.GetProperty("returnInventoryId").GetInt64()));
                if (offset + 50 >= response.Body.GetProperty("totalNumberOfRecords").GetInt32())
                {
                    break;
                }
            }
        }

        Assert.Equal(Enumerable.Range(100001, TestEmulator.DefaultSeedInventory).Select(i => (long)i), seen.Order());
    }

    private static string Iso(DateTime value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
