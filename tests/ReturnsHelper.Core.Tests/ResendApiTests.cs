using System.Text;
using ReturnsHelper.Api;
using ReturnsHelper.Core.Tests.Fakes;

namespace ReturnsHelper.Core.Tests;

/// <summary>The resend and balance endpoints' paths, bodies, query names and payload extraction.</summary>
public class ResendApiTests
{
    private const string UserBase = "https://api.returnshelper.com/uat/user/api/";
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly ResendAddress Address = new() { Name = " Ada Buyer ", Street1 = "1 Main St", City = "New York", State = "NY", PostalCode = "10001", CountryCode = "USA" };

    [Fact]
    public async Task Create_sends_the_ids_and_the_ship_to_once_and_describes_the_resend_from_what_it_sent()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"resendId\":7,\"resendNumber\":\"RSD260301-0000007\",\"resendShipmentId\":9"));
        var body = ResendApi.CreateBody(new long[] { 11, 12 }, "SHIPMENT_USPS_PM_NJ", Address, "order 1", null);

        var resend = await ResendApi.CreateAsync(h.Session, body, "key-1", h.Log, None);

        var request = h.Handler.Requests.Single();
        Assert.Equal(UserBase + "Resend/createResend", request.Uri.AbsoluteUri);
        Assert.Equal("key-1", request.Header("x-returnhelper-idempotency-key"));
        Assert.Equal("{\"returnInventoryIdList\":[11,12],\"description\":\"order 1\",\"resendShipment\":{\"shipmentServiceType\":\"SHIPMENT_USPS_PM_NJ\","
            + "\"shipmentName\":\"Ada Buyer\",\"shipmentStreet1\":\"1 Main St\",\"shipmentCity\":\"New York\",\"shipmentState\":\"NY\",\"shipmentPostalCode\":\"10001\",\"shipmentCountryCode\":\"usa\"}}",
            request.BodyText);
        Assert.Equal(7, resend.ResendId);
        Assert.Equal("RSD260301-0000007", resend.ResendNumber);
        Assert.Equal("pending", resend.ResendStatusCode);
        Assert.Equal(new long[] { 11, 12 }, resend.ReturnInventoryIds);
        Assert.Equal(9, resend.ResendShipmentList.Single().ResendShipmentId);
        Assert.Equal("SHIPMENT_USPS_PM_NJ", resend.ServiceType);
        Assert.Equal("Ada Buyer, 1 Main St, New York, NY 10001, usa", resend.ShipTo);
    }

    [Fact]
    public void WithIds_keeps_every_other_member_of_the_body()
    {
        var body = ResendApi.CreateBody(new long[] { 11, 12, 13 }, "SHIPMENT_USPS_PM_NJ", Address, null, "fragile");
        var rest = Encoding.UTF8.GetString(ResendApi.WithIds(body, new long[] { 11, 13 }));
        Assert.Equal(Encoding.UTF8.GetString(body).Replace("[11,12,13]", "[11,13]"), rest);
    }

    [Fact]
    public void The_address_is_checked_against_the_documented_limits()
    {
        var bad = new ResendAddress { Name = new string('n', 256), Street1 = "", City = new string('c', 51), PostalCode = "1", CountryCode = "us" };
        Assert.Equal(new[]
        {
            "Name is 256 characters long; the service takes at most 255.",
            "Street1 is required.",
            "City is 51 characters long; the service takes at most 50.",
            "CountryCode 'us' is not an ISO 3166 alpha-3 code such as 'usa' or 'gbr'.",
        }, bad.Problems());
        Assert.Empty(Address.Problems());
    }

    [Fact]
    public async Task Quote_repeats_the_id_key_and_sorts_by_fee()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"data\":{\"shippingFeeDetailList\":[{\"serviceTypeCode\":\"B\",\"fee\":7.75},{\"serviceTypeCode\":\"A\",\"fee\":5.25}]}"));

        var quotes = await ResendApi.QuoteAsync(h.Session, new long[] { 11, 12 }, "USA", " 10001 ", h.Log, None);

        var request = h.Handler.Requests.Single();
        Assert.Equal(UserBase + "Resend/getShippingFeeListByToShippingOption?returnInventoryIdList=11&returnInventoryIdList=12&toCountryCode=usa&toPostalCode=10001", request.Uri.AbsoluteUri);
        Assert.Equal(new[] { "A", "B" }, quotes.Select(q => q.ServiceTypeCode));
        Assert.Equal(new long[] { 11, 12 }, quotes[0].ReturnInventoryIds);
    }

    [Fact]
    public async Task Balances_are_read_page_by_page_and_never_carry_the_api_key()
    {
        using var h = new Harness();
        var page = string.Join(",", Enumerable.Range(1, 50).Select(i => $"{{\"apiBalanceId\":{i},\"apiKey\":\"{Harness.ApiKey}\",\"currencyCode\":\"usd\",\"balance\":{i}.5}}"));
        h.Handler.Ok(Wire.Ok($"\"apiBalances\":[{page}],\"totalNumberOfRecords\":51"));
        h.Handler.Ok(Wire.Ok("\"apiBalances\":[{\"apiBalanceId\":51,\"currencyCode\":\"usd\",\"balance\":2044.233}],\"totalNumberOfRecords\":51"));

        var balances = await BalanceApi.GetAllAsync(h.Session, h.Log, None);

        Assert.Equal(51, balances.Count);
        Assert.Equal(2044.233m, balances[50].Balance);
        Assert.Equal(new[] { "0", "50" }, h.Handler.Requests.Select(r => r.QueryValue("offset")));
        Assert.DoesNotContain(typeof(ApiBalance).GetProperties(), p => p.Name.Contains("Key"));
    }

    [Fact]
    public async Task Service_types_are_read_for_every_warehouse_once_and_cached()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"warehouses\":[{\"warehouseId\":2},{\"warehouseId\":1034}]"));
        h.Handler.Ok(Wire.Ok("\"data\":[{\"serviceTypeCode\":\"SHIPMENT_USPS_PM_NJ\",\"serviceType\":\"USPS PM-NJ\",\"countryCodePairList\":[{\"fromCountryCode\":\"usa\",\"toPostalCode\":\"usa\"}]},{\"serviceTypeCode\":\"others\"}]"));
        h.Handler.Ok(Wire.Ok("\"data\":[{\"serviceTypeCode\":\"SHIPMENT_USPS_PM_WA\",\"countryCodePairList\":[{\"toCountryCode\":\"usa\"}]}]"));

        var types = await ResendApi.GetServiceTypesAsync(h.Session, false, h.Log, None);
        var again = await ResendApi.GetServiceTypesAsync(h.Session, false, h.Log, None);

        Assert.Same(types, again);
        Assert.Equal(3, h.Handler.Count);
        Assert.Equal("warehouseId=1034", h.Handler.Requests[2].Uri.Query.TrimStart('?'));
        Assert.Equal(new[] { (2, "SHIPMENT_USPS_PM_NJ"), (2, "others"), (1034, "SHIPMENT_USPS_PM_WA") }, types.Select(t => (t.WarehouseId, t.ServiceTypeCode)));
        Assert.Equal(new[] { "usa" }, types[0].ToCountryCodes); // the table's toPostalCode spelling
        Assert.True(types[1].NeedsCustomerService);
    }
}
