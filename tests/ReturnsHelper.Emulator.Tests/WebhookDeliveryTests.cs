using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReturnsHelper.Emulator.Tests.Infrastructure;

namespace ReturnsHelper.Emulator.Tests;

public sealed class WebhookDeliveryTests
{
    internal static readonly string SigningKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("a-test-signing-key-of-some-length!"));

    [Fact]
    public async Task NewInventory_IsDeliveredAsASignedNewInventoryCreatedEvent()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var emulator = await TestEmulator.StartAsync(o => { o.WebhookUrl = listener.Url; o.SigningKey = SigningKey; });

        long id = await emulator.AddInventoryAsync(new { warehouseId = 1034, sku = "HOOK-1" });

        var received = Assert.Single(await listener.WaitForAsync(1));
        Assert.Equal("POST", received.Method);
        Assert.Equal("/hooks/returnhelper", received.Path);
        Assert.Equal("application/json; charset=utf-8", received.Headers["Content-Type"]);
        AssertSigned(received, listener.Url);
        using var document = JsonDocument.Parse(received.Body);
        var root = document.RootElement;
        Assert.Equal("newInventoryCreated", root.GetProperty("category").GetString());
        Assert.Equal("newInventoryCreated", root.GetProperty("action").GetString());
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{26}$", root.GetProperty("notificationId").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("version").GetString()));
        Assert.True(root.GetProperty("eventTime").GetDateTime() > DateTime.UtcNow.AddMinutes(-5));
        var inventory = root.GetProperty("returnInventory");
        Assert.Equal(id.ToString(), inventory.GetProperty("returnInventoryId").GetString());
        Assert.Equal("tbc", inventory.GetProperty("handlingCode").GetString());
        Assert.Equal("HOOK-1", inventory.GetProperty("sku").GetString());
        Assert.Equal(1034, root.GetProperty("shipment").GetProperty("shipToWarehouseId").GetInt32());
    }

    [Fact]
    public async Task FailedDeliveries_AreRetried_WithTheSameEvent()
    {
        await using var listener = await WebhookListener.StartAsync();
        listener.Respond(500, 503);
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.WebhookUrl = listener.Url;
            o.SigningKey = SigningKey;
            o.WebhookRetryInitialDelay = TimeSpan.FromMilliseconds(20);
        });

        await emulator.AddInventoryAsync();

        var received = await listener.WaitForAsync(3);
        Assert.Single(received.Select(r => r.BodyText).Distinct());
        Assert.All(received, r => AssertSigned(r, listener.Url));
        var deliveries = await DeliveriesAsync(emulator, 3);
        Assert.Equal([1, 2, 3], deliveries.Select(d => d.GetProperty("attempt").GetInt32()));
        Assert.Equal([500, 503, 200], deliveries.Select(d => d.GetProperty("status").GetInt32()));
        Assert.Equal(["failed", "failed", "delivered"], deliveries.Select(d => d.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task TenConsecutiveFailures_SuspendTheTarget_UntilItIsConfiguredAgain()
    {
        await using var listener = await WebhookListener.StartAsync();
        listener.DefaultStatus = 500;
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.WebhookRetryInitialDelay = TimeSpan.FromMilliseconds(5);
            o.WebhookRetryMaxDelay = TimeSpan.FromMilliseconds(20);
        });
        await emulator.ControlAsync(HttpMethod.Post, "webhooks", new { url = listener.Url, signingKey = SigningKey });

        await emulator.AddInventoryAsync();
        await listener.WaitForAsync(10);
        await DeliveriesAsync(emulator, 10);
        await emulator.AddInventoryAsync();
        var deliveries = await DeliveriesAsync(emulator, 11);

        Assert.Equal(10, listener.Requests.Count);
        Assert.All(deliveries[..10], d => Assert.Equal("failed", d.GetProperty("outcome").GetString()));
        Assert.Equal("suspended", deliveries[10].GetProperty("outcome").GetString());

        listener.DefaultStatus = 200;
        await emulator.ControlAsync(HttpMethod.Post, "webhooks", new { url = listener.Url, signingKey = SigningKey });
        await emulator.AddInventoryAsync();
        await listener.WaitForAsync(11);
    }

    [Fact]
    public async Task RecallAdvance_SendsARecallUpdateStatusEventPerStep()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var emulator = await TestEmulator.StartAsync();
        long id = await emulator.AddInventoryAsync();
        long recallId = (await emulator.CreateRecallsAsync(id))[0].GetProperty("recallId").GetInt64();
        await emulator.ControlAsync(HttpMethod.Post, "webhooks", new { url = listener.Url, signingKey = SigningKey });

        for (int step = 0; step < 3; step++)
        {
            await emulator.ControlAsync(HttpMethod.Post, $"recalls/{recallId}/advance");
        }

        var received = await listener.WaitForAsync(3);
        var events = received.Select(r => JsonDocument.Parse(r.Body).RootElement).ToArray();
        Assert.All(received, r => AssertSigned(r, listener.Url));
        Assert.All(events, e => Assert.Equal("recall", e.GetProperty("category").GetString()));
        Assert.All(events, e => Assert.Equal("recallUpdateStatus", e.GetProperty("action").GetString()));
        Assert.Equal(["updateTrackingNumber", "markReadyToPickUp", "pickUpToSelfPickUp"], events.Select(e => e.GetProperty("recallUpdateTypeStatus").GetString()));
        Assert.Equal(["in-progress", "completed", "completed"], events.Select(e => e.GetProperty("recall").GetProperty("recallStatusCode").GetString()));
        Assert.Equal(["in-transit", "ready-to-pick-up", "picked-up"],
            events.Select(e => e.GetProperty("recall").GetProperty("recallInventoryList")[0].GetProperty("recallInventoryStatusCode").GetString()));
        Assert.All(events, e => Assert.Equal(recallId, e.GetProperty("recall").GetProperty("recallId").GetInt64()));
    }

    [Fact]
    public async Task CompletingAHandling_SendsCompleteInventoryHandlingWithIntegerCodes()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var emulator = await TestEmulator.StartAsync(o => { o.WebhookUrl = listener.Url; o.SigningKey = SigningKey; });
        long id = await emulator.AddInventoryAsync(new { handlingCode = "dis" });

        await emulator.ControlAsync(HttpMethod.Post, $"inventories/{id}/complete");

        var received = await listener.WaitForAsync(2);
        using var document = JsonDocument.Parse(received[1].Body);
        var root = document.RootElement;
        Assert.Equal("rinv", root.GetProperty("category").GetString());
        Assert.Equal("completeInventoryHandling", root.GetProperty("action").GetString());
        var inventory = root.GetProperty("returnInventory");
        Assert.Equal(id, inventory.GetProperty("returnInventoryId").GetInt64());
        Assert.Equal(2, inventory.GetProperty("handlingCode").GetInt32());
        Assert.Equal(2, inventory.GetProperty("handlingStatusCode").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, inventory.GetProperty("completeOn").ValueKind);
    }

    [Theory]
    [InlineData("{\"url\":\"http://127.0.0.1:1/x\",\"signingKey\":\"not base64!\"}")]
    [InlineData("{\"url\":\"not a url\",\"signingKey\":\"AAAA\"}")]
    [InlineData("{\"signingKey\":\"AAAA\"}")]
    public async Task BadWebhookConfiguration_IsRefused(string body)
    {
        await using var emulator = await TestEmulator.StartAsync();

        await emulator.ControlAsync(HttpMethod.Post, "webhooks", body, HttpStatusCode.BadRequest);
    }

    /// <summary>Verifies the documented signature with the test's own HMAC, not the emulator's signer.</summary>
    internal static void AssertSigned(WebhookListener.Received received, string url)
    {
        string timestamp = received.Headers["timestamp"];
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$", timestamp);
        byte[] message = [.. Encoding.UTF8.GetBytes("POST" + url + timestamp), .. received.Body];
        string expected = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(SigningKey), message));
        Assert.Equal(expected, received.Headers["returnhelper-signature"]);
    }

    private static async Task<JsonElement[]> DeliveriesAsync(TestEmulator emulator, int count)
    {
        JsonElement[] deliveries = [];
        await Eventually.HoldsAsync(async () =>
        {
            deliveries = [.. (await emulator.ControlAsync(HttpMethod.Get, "webhooks/deliveries")).EnumerateArray()];
            return deliveries.Length >= count;
        }, $"{count} delivery attempts are logged");
        return deliveries;
    }
}
