using System.Text;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Tests.Webhooks;

/// <summary>Receive-RrWebhook -SigningKey with several keys, and -SigningKeyPath re-read when it changes.</summary>
public class WebhookKeyRotationTests : IDisposable
{
    private const string Endpoint = "https://hooks.example.com/rh";
    private const string Stamp = "2025-03-04T10:20:30.0000000Z";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(WebhookSamples.NewInventoryCreated);
    private static readonly string OldKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("old-signing-key-0123456789abcdef"));
    private static readonly string NewKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("new-signing-key-fedcba9876543210"));

    private readonly string folder = Path.Combine(Path.GetTempPath(), "rh-keys-tests-" + Guid.NewGuid().ToString("N"));
    private readonly string keyPath;

    public WebhookKeyRotationTests()
    {
        Directory.CreateDirectory(folder);
        keyPath = Path.Combine(folder, "signing-keys");
    }

    public void Dispose() => Directory.Delete(folder, true);

    private static string SignedWith(string base64Key) => TestSigner.Sign(base64Key, Endpoint, Stamp, Body);

    private static WebhookCheck Check(WebhookVerifier v, string base64Key)
        => v.Verify(Stamp, SignedWith(base64Key), Body, DateTimeOffset.Parse(Stamp)).Result;

    private void WriteKeys(string text, int secondsLater)
    {
        File.WriteAllText(keyPath, text);
        File.SetLastWriteTimeUtc(keyPath, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(secondsLater));
    }

    [Fact]
    public void Several_keys_accept_a_delivery_signed_with_any_of_them_and_no_other()
    {
        var v = new WebhookVerifier(new[] { Convert.FromBase64String(OldKey), Convert.FromBase64String(NewKey) }, Endpoint, null);
        Assert.Equal(2, v.KeyCount);
        Assert.Equal(WebhookCheck.Valid, Check(v, OldKey));
        Assert.Equal(WebhookCheck.Valid, Check(v, NewKey));
        Assert.Equal(WebhookCheck.SignatureMismatch, Check(v, Convert.ToBase64String(Encoding.UTF8.GetBytes("forged"))));
        Assert.Throws<WebhookFormatException>(() => new WebhookVerifier(Array.Empty<byte[]>(), Endpoint, null));
    }

    [Fact]
    public void A_key_file_is_re_read_when_it_changes_and_a_bad_one_keeps_the_keys_with_one_warning_that_shows_no_key()
    {
        WriteKeys($"# the webhook signing key\n{OldKey}\n", 0);
        var log = new TestLog();
        var v = new WebhookVerifier(new WebhookSigningKeyFile(keyPath), Endpoint, null);
        v.RenewKeys(log);
        Assert.Equal(WebhookCheck.SignatureMismatch, Check(v, NewKey));

        WriteKeys($"{OldKey}\n\n{NewKey}\n", 1); // the rotation: both accepted
        v.RenewKeys(log);
        Assert.Equal(WebhookCheck.Valid, Check(v, OldKey));
        Assert.Equal(WebhookCheck.Valid, Check(v, NewKey));

        WriteKeys($"{NewKey}\nnot base64 {NewKey.Substring(0, 6)}!\n", 2); // a bad edit: the keys stay
        v.RenewKeys(log);
        v.RenewKeys(log);
        Assert.Equal(WebhookCheck.Valid, Check(v, OldKey));
        var warning = Assert.Single(log.VerboseLines, l => l.StartsWith("WARNING:"));
        Assert.Contains("Line 2", warning);
        Assert.Contains(keyPath, warning);

        WriteKeys(NewKey, 3); // the old key retired
        v.RenewKeys(log);
        Assert.Equal(WebhookCheck.SignatureMismatch, Check(v, OldKey));
        Assert.Equal(WebhookCheck.Valid, Check(v, NewKey));
        Assert.DoesNotContain(log.VerboseLines, l => l.Contains(OldKey) || l.Contains(NewKey) || l.Contains(NewKey.Substring(0, 6)));
    }

    [Fact]
    public void A_key_file_without_a_key_cannot_start_a_receiver()
    {
        WriteKeys("# nothing yet\n", 0);
        var e = Assert.Throws<WebhookFormatException>(() => new WebhookVerifier(new WebhookSigningKeyFile(keyPath), Endpoint, null));
        Assert.Equal(WebhookField.SigningKey, e.Field);
        Assert.Contains("holds no key", e.Message);
    }
}
