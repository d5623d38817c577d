using System.Net;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Core.Tests.Webhooks;

/// <summary>What the receiver does on Windows, checked without Windows: the HTTP.sys refusal and the journal's sharing.</summary>
public class WindowsReceiverTests
{
    [Fact]
    public void Access_denied_by_HTTP_sys_names_the_exact_netsh_command_for_the_prefix_and_user()
    {
        var denied = new HttpListenerException(5);
        var error = WebhookReceiver.ListenFailure("http://127.0.0.1:8080/", denied, @"CONTOSO\svc-returns");
        Assert.Same(denied, error.InnerException);
        Assert.True(error.AccessDenied);
        Assert.StartsWith("Cannot listen on http://127.0.0.1:8080/: ", error.Message);
        Assert.EndsWith(@"netsh http add urlacl url=http://127.0.0.1:8080/ user=CONTOSO\svc-returns", error.Message);
    }

    [Fact]
    public void A_user_name_with_spaces_is_quoted_in_the_command()
    {
        var error = WebhookReceiver.ListenFailure("http://+:8080/hooks/", new HttpListenerException(5), @"CONTOSO\Returns Service");
        Assert.EndsWith("netsh http add urlacl url=http://+:8080/hooks/ user=\"CONTOSO\\Returns Service\"", error.Message);
    }

    [Fact]
    public void Other_listener_failures_keep_their_own_reason()
    {
        var inUse = new HttpListenerException(183, "The prefix is already in use.");
        var error = WebhookReceiver.ListenFailure("http://127.0.0.1:8080/", inUse, @"CONTOSO\svc-returns");
        Assert.Equal("Cannot listen on http://127.0.0.1:8080/: The prefix is already in use.", error.Message);
        Assert.False(error.AccessDenied);
    }

    /// <summary>
    /// Windows opens a file only when each handle's sharing allows the other's access; .NET on Linux enforces
    /// FileShare.None only, so the rule is checked here as Windows applies it (Pester reads a live journal too).
    /// </summary>
    [Fact]
    public void A_journal_reader_and_the_receiver_writing_it_allow_each_other_on_Windows()
    {
        Assert.True(WebhookJournalReader.Sharing.HasFlag(FileShare.Write), "a reader must let the receiver go on writing");
        Assert.True(WebhookJournalReader.Sharing.HasFlag(FileShare.Delete), "a reader must let the receiver rotate the journal");
        Assert.True(WebhookRecordFile.Sharing.HasFlag(FileShare.Read), "the receiver must let readers in");
    }

    [Fact]
    public void A_journal_is_readable_while_the_receiver_has_it_open()
    {
        var folder = Directory.CreateTempSubdirectory("rr-journal-").FullName;
        try
        {
            var path = Path.Combine(folder, "events.jsonl");
            using var journal = WebhookRecordFile.Open(path);
            journal.Append(new WebhookRecord { ReceivedAt = DateTimeOffset.UtcNow, EndpointUri = "https://example.test/hooks", Timestamp = "1", Signature = "s", Body = "{}"u8.ToArray() });
            var item = Assert.Single(WebhookInput.ReadFile(path));
            Assert.Null(item.Error);
            Assert.Equal("https://example.test/hooks", item.Record?.EndpointUri);
        }
        finally { Directory.Delete(folder, true); }
    }
}
