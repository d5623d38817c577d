using System.Net;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>Connect-RrService -TokenPath: a rotated token is picked up without a restart, and never shown.</summary>
public class TokenFileTests : IDisposable
{
    private const string NewToken = "TOK-rotated-Qw3!e8Zr-new";
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rh-token-tests-" + Guid.NewGuid().ToString("N"));
    private readonly string tokenPath;
    private readonly Harness h = new();

    public TokenFileTests()
    {
        Directory.CreateDirectory(folder);
        tokenPath = Path.Combine(folder, "api-token");
        File.WriteAllText(tokenPath, Harness.ApiToken + "\n");
        h.Client.TokenFile = new ApiTokenFile(tokenPath);
        Assert.Equal(Harness.ApiToken, new NetworkCredential(string.Empty, h.Client.TokenFile.Read()).Password);
    }

    public void Dispose()
    {
        h.Dispose();
        Directory.Delete(folder, true);
    }

    private static string Unauthorized => Wire.Error(401, "UNAUTHORIZED");

    /// <summary>Writes the token the way the help says (a new file renamed over the old one), keeping the old time stamp if asked.</summary>
    private void Rotate(string token, bool sameTimeStamp = false)
    {
        var before = File.GetLastWriteTimeUtc(tokenPath);
        var next = tokenPath + ".new";
        File.WriteAllText(next, token + "\n");
        File.Move(next, tokenPath, overwrite: true);
        File.SetLastWriteTimeUtc(tokenPath, sameTimeStamp ? before : before.AddSeconds(1));
    }

    [Fact]
    public async Task A_changed_file_is_used_from_the_next_request_on()
    {
        h.Handler.Ok(Wire.Ok()).Ok(Wire.Ok());
        using (await h.SendAsync(RrRequest.Get("warehouse/getAllWarehouse"))) { }
        Rotate(NewToken);
        using (await h.SendAsync(RrRequest.Get("warehouse/getAllWarehouse"))) { }

        Assert.Equal(new[] { Harness.ApiToken, NewToken }, h.Handler.Requests.Select(r => r.Header("x-rr-apitoken")));
        AssertNoToken(h.Log.AllLines);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_401_re_reads_the_file_and_sends_the_request_once_more_with_the_new_token(bool softRefusal)
    {
        // The same size and time stamp: only the 401 makes the session look again.
        Rotate(Harness.ApiToken.Substring(0, Harness.ApiToken.Length - 3) + "new", sameTimeStamp: true);
        var rotated = File.ReadAllText(tokenPath).Trim();
        Assert.Equal(Harness.ApiToken.Length, rotated.Length);
        if (softRefusal) h.Handler.Ok(Unauthorized).Ok(Wire.Ok());
        else h.Handler.Respond(HttpStatusCode.Unauthorized, Unauthorized).Ok(Wire.Ok());

        using (await h.SendAsync(RrRequest.Write("Recall/createRecall", new byte[] { (byte)'{', (byte)'}' }))) { }

        Assert.Equal(new[] { Harness.ApiToken, rotated }, h.Handler.Requests.Select(r => r.Header("x-rr-apitoken")));
        AssertNoToken(h.Log.AllLines, rotated);
    }

    [Fact]
    public async Task A_401_with_an_unchanged_file_fails_at_once()
    {
        h.Handler.Respond(HttpStatusCode.Unauthorized, Unauthorized);
        var e = await h.FailAsync(RrRequest.Get("warehouse/getAllWarehouse"));
        Assert.Equal(RrErrorKind.Unauthorized, e.Kind);
        Assert.Equal(1, h.Handler.Count);
    }

    [Fact]
    public async Task A_file_that_becomes_empty_or_unreadable_keeps_the_token_with_one_warning_naming_the_file()
    {
        h.Handler.Ok(Wire.Ok()).Ok(Wire.Ok()).Ok(Wire.Ok());
        Rotate("   ");
        using (await h.SendAsync(RrRequest.Get("warehouse/getAllWarehouse"))) { }
        File.SetLastWriteTimeUtc(tokenPath, File.GetLastWriteTimeUtc(tokenPath).AddSeconds(1));
        using (await h.SendAsync(RrRequest.Get("warehouse/getAllWarehouse"))) { }
        File.Delete(tokenPath);
        using (await h.SendAsync(RrRequest.Get("warehouse/getAllWarehouse"))) { }

        Assert.All(h.Handler.Requests, r => Assert.Equal(Harness.ApiToken, r.Header("x-rr-apitoken")));
        var warnings = h.Log.VerboseLines.Where(l => l.StartsWith("WARNING:")).ToList();
        Assert.Equal(2, warnings.Count); // empty (once, though seen twice), then unreadable
        Assert.Contains("is empty", warnings[0]);
        Assert.Contains(tokenPath, warnings[1]);
        Assert.Throws<IOException>(() => h.Client.TokenFile.Read());
    }

    [Fact]
    public async Task An_echo_of_the_retired_token_is_still_redacted()
    {
        h.Handler.Ok(Wire.Ok()).Ok(Wire.Error(400, "BAD", Wire.Map(("token", "you sent " + Harness.ApiToken))));
        Rotate(NewToken);
        using (await h.SendAsync(RrRequest.Get("warehouse/getAllWarehouse"))) { }
        var e = await h.FailAsync(RrRequest.Get("warehouse/getAllWarehouse"));
        Harness.AssertNoSecret(e);
    }

    private static void AssertNoToken(IEnumerable<string> lines, string other = NewToken)
    {
        Harness.AssertNoSecret(lines);
        Assert.DoesNotContain(lines, l => l.Contains(other));
    }
}
