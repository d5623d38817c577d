using System.Text;
using ReturnsHelper.Webhooks;
using Xunit;

namespace ReturnsHelper.Tests.Webhooks;

public class ResendWebhookTests
{
    // The emulator's updateResendStatus (its README), a failed resend: integer codes as the older payloads send them.
    private const string ResendFailed = """
        {"category":"resend","action":"updateResendStatus","eventTime":"2026-03-01T10:00:00Z","version":"202407","notificationId":"01J9B2C2B8HNR1DRGA74BJQQB5",
         "resend":{"resendId":7,"warehouseId":2,"returnInventoryId":100001,"returnRequestLineItemId":5,"returnInventoryIdList":[100001,100002],
                   "resendNumber":"RSD260301-0000007","resendStatusCode":4,"description":"order 1","remarks":null,"warehouseRemarks":null},
         "resendShipmentList":[{"resendShipmentId":9,"resendId":7,"warehouseId":2,"resendShipmentNumber":"RSDS260301-0000009","shipmentServiceType":"SHIPMENT_USPS_PM_NJ",
                   "shipmentCountryCode":"usa","shipmentName":"Ada Buyer","shipmentStreet1":"1 Main St","shipmentCity":"New York","shipmentPostalCode":"10001",
                   "trackingNumber":"9200000000000000000007","cost":7.75,"costCurrencyCode":"usd","chargeTypeCode":"actualWeight","chargeableWeight":300,
                   "shipmentLabelId":"6f1c1d2e-0000-4000-8000-000000000001","error":"Address not deliverable"}],
         "returnInventoryList":[{"returnInventoryId":100001,"warehouseId":2,"handlingCode":0,"handlingStatusCode":0},
                                {"returnInventoryId":100002,"warehouseId":2,"handlingCode":4,"handlingStatusCode":0}]}
        """;

    // The 2021 form (forceCancelResend): one inventory, the tracking number and reason at top level.
    private const string ForceCancel2021 = """
        {"category":"resend","action":"forceCancelResend","eventTime":"2021-05-01T10:00:00Z",
         "resend":{"resendId":"12","returnInventoryId":"19973","resendNumber":"RSD210501-0000001","resendStatusCode":1},
         "trackingNumber":"1Z999","failureReason":"Cancelled by the warehouse"}
        """;

    private static T Parse<T>(string body) where T : WebhookEvent => Assert.IsType<T>(WebhookParser.Parse(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void UpdateResendStatus_is_a_typed_event_with_the_resend_its_shipment_and_inventories()
    {
        var e = Parse<ResendUpdateEvent>(ResendFailed);

        Assert.Equal(7, e.ResendId);
        Assert.Equal("RSD260301-0000007", e.ResendNumber);
        Assert.Equal("failed", e.ResendStatusCode);
        Assert.Equal("9200000000000000000007", e.TrackingNumber);
        Assert.Equal("Address not deliverable", e.FailureReason);
        Assert.Equal(new long[] { 100001, 100002 }, e.ReturnInventoryIds);
        Assert.Equal(new[] { "tbc", "ohd" }, e.Inventories.Select(i => i.HandlingCode));
        var shipment = Assert.Single(e.Resend.ResendShipmentList);
        Assert.Equal(7.75m, shipment.Cost);
        Assert.Equal("New York", shipment.Address.City);
        Assert.Equal("RSD260301-0000007, failed, tracking 9200000000000000000007, Address not deliverable", e.Summary);
        Assert.Equal("01J9B2C2B8HNR1DRGA74BJQQB5", e.DedupeKey);
    }

    [Fact]
    public void The_2021_resend_event_reads_its_top_level_tracking_and_reason_and_string_ids()
    {
        var e = Parse<ResendUpdateEvent>(ForceCancel2021);

        Assert.Equal(12, e.ResendId);
        Assert.Equal("canceled", e.ResendStatusCode);
        Assert.Equal("1Z999", e.TrackingNumber);
        Assert.Equal("Cancelled by the warehouse", e.FailureReason);
        Assert.Equal(new long[] { 19973 }, e.ReturnInventoryIds);
    }

    [Theory]
    [InlineData("0", "pending")]
    [InlineData("2", "inProgress")]
    [InlineData("3", "completed")]
    [InlineData("in-progress", "inProgress")]
    [InlineData("cancelled", "canceled")]
    [InlineData("9", "9")]
    public void Resend_status_integers_and_spellings_read_as_one_name(string raw, string expected)
        => Assert.Equal(expected, Resend.Status(raw));
}
