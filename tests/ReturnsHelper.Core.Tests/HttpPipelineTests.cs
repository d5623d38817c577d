using System.Reflection;
using System.Text;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>What goes on the wire: headers, URLs, and which request paths are accepted at all.</summary>
public class HttpPipelineTests
{
    [Fact]
    public async Task Get_carries_credentials_user_agent_and_accept_but_no_body_or_idempotency_key()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok());
        using (await h.SendAsync(RrRequest.Get("warehouse/getAllWarehouse"))) { }

        var r = Assert.Single(h.Handler.Requests);
        Assert.Equal("GET", r.Method);
        Assert.Equal(Harness.ApiKey, r.Header("x-rr-apikey"));
        Assert.Equal(Harness.ApiToken, r.Header("x-rr-apitoken"));
        Assert.Equal(Harness.UserAgent, r.Header("User-Agent"));
        Assert.Equal("application/json", r.Header("Accept"));
        Assert.Null(r.Header("x-returnhelper-idempotency-key"));
        Assert.Null(r.Header("Content-Type"));
        Assert.Null(r.Body);
    }

    [Fact]
    public async Task Post_carries_json_content_type_body_bytes_and_idempotency_key()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok());
        var body = Encoding.UTF8.GetBytes("{\"recallIdList\":[1,2]}");
        var request = RrRequest.Write("Recall/cancelRecall", body);
        using (await h.SendAsync(request)) { }

        var r = Assert.Single(h.Handler.Requests);
        Assert.Equal("POST", r.Method);
        Assert.StartsWith("application/json", r.Header("Content-Type"));
        Assert.Equal(body, r.Body);
        Assert.Equal(Harness.ApiKey, r.Header("x-rr-apikey"));
        Assert.Equal(Harness.ApiToken, r.Header("x-rr-apitoken"));
        Assert.Equal(Harness.UserAgent, r.Header("User-Agent"));
        Assert.Equal("application/json", r.Header("Accept"));
        Assert.Equal(request.IdempotencyKey, r.Header("x-returnhelper-idempotency-key"));
        Assert.True(Guid.TryParse(request.IdempotencyKey, out _));
    }

    [Fact]
    public async Task Write_without_body_sends_an_empty_json_object()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok());
        using (await h.SendAsync(RrRequest.Write("Recall/cancelRecall", null))) { }
        Assert.Equal("{}", h.Handler.Requests.Single().BodyText);
    }

    [Fact]
    public async Task No_user_agent_header_when_none_is_given()
    {
        using var h = new Harness(userAgent: null);
        h.Handler.Ok(Wire.Ok());
        using (await h.SendAsync(RrRequest.Get("warehouse/getAllWarehouse"))) { }
        Assert.Null(h.Handler.Requests.Single().Header("User-Agent"));
    }

    [Fact]
    public async Task User_and_public_requests_go_to_their_own_base()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok()).Ok(Wire.Ok());
        using (await h.SendAsync(RrRequest.Get("warehouse/getAllWarehouse"))) { }
        using (await h.SendAsync(RrRequest.Get("handling/getAllHandlings", api: RrApiKind.Public))) { }

        var urls = h.Handler.Requests.Select(r => r.Uri.AbsoluteUri).ToList();
        Assert.Equal("https://api.returnshelper.com/uat/user/api/warehouse/getAllWarehouse", urls[0]);
        Assert.Equal("https://api.returnshelper.com/uat/public/api/handling/getAllHandlings", urls[1]);
    }

    [Fact]
    public async Task Custom_endpoints_are_used_for_both_apis()
    {
        using var h = new Harness(endpoints: RrEndpoints.Custom(new Uri("http://127.0.0.1:5123/user/api")));
        h.Handler.Ok(Wire.Ok()).Ok(Wire.Ok());
        using (await h.SendAsync(RrRequest.Get("Recall/list"))) { }
        using (await h.SendAsync(RrRequest.Get("country/getAllCountries", api: RrApiKind.Public))) { }

        Assert.Equal("http://127.0.0.1:5123/user/api/Recall/list", h.Handler.Requests[0].Uri.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5123/public/api/country/getAllCountries", h.Handler.Requests[1].Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Query_names_and_values_are_escaped_and_kept_in_order()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok());
        var query = new[]
        {
            new KeyValuePair<string, string>("sku", "a b&c=d/e+f?#é"),
            new KeyValuePair<string, string>("odd name", "x"),
            new KeyValuePair<string, string>("empty", null),
            new KeyValuePair<string, string>("offset", "50"),
        };
        using (await h.SendAsync(RrRequest.Get("returninventory/searchReturnInventory", query))) { }

        var r = h.Handler.Requests.Single();
        Assert.Equal("https://api.returnshelper.com/uat/user/api/returninventory/searchReturnInventory", r.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal("?sku=a%20b%26c%3Dd%2Fe%2Bf%3F%23%C3%A9&odd%20name=x&empty=&offset=50", r.Uri.Query);
        Assert.Equal(query.Select(q => new KeyValuePair<string, string>(q.Key, q.Value ?? "")), r.Query);
    }

    [Theory]
    [InlineData("ReturnInventory/GetReturnInventory")]
    [InlineData("handling/getAllHandlings")]
    [InlineData("outbound/consolidateShipping/inventory/remove")]
    [InlineData("Fba/FbaInstruction/create")]
    [InlineData("ApiBalance")]
    public void Controller_action_paths_are_accepted(string path)
    {
        Assert.Equal(path, RrRequest.Get(path).Path);
        Assert.Equal(path, RrRequest.Write(path, null).Path);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example/steal")]
    [InlineData("http:evil")]
    [InlineData("../admin")]
    [InlineData("Recall/../../admin")]
    [InlineData("Recall/./list")]
    [InlineData("..")]
    [InlineData("/Recall/list")]
    [InlineData("Recall/list/")]
    [InlineData("Recall//list")]
    [InlineData("Recall/list?x=1")]
    [InlineData("Recall/list#frag")]
    [InlineData("Recall\\list")]
    [InlineData("Recall/li st")]
    [InlineData("Recall/%2e%2e")]
    [InlineData("Recall/list\r")]
    [InlineData("\nRecall/list")]
    public void Unsafe_paths_are_refused(string path)
    {
        var e = Assert.Throws<ArgumentException>(() => RrRequest.Get(path));
        Assert.DoesNotContain("(Parameter", e.Message); // the message reaches users as is
        Assert.Throws<ArgumentException>(() => RrRequest.Write(path, null));
    }

    [Fact]
    public void A_path_with_a_trailing_newline_is_refused()
    {
        // Core bug: the SafePath regex ends in '$', which also matches before a final "\n".
        Assert.Throws<ArgumentException>(() => RrRequest.Get("Recall/list\n"));
    }

    [Fact]
    public void Each_logical_write_gets_its_own_key_and_gets_have_none()
    {
        var a = RrRequest.Write("Recall/cancelRecall", null);
        var b = RrRequest.Write("Recall/cancelRecall", null);
        Assert.NotNull(a.IdempotencyKey);
        Assert.NotEqual(a.IdempotencyKey, b.IdempotencyKey);
        Assert.Null(RrRequest.Get("Recall/list").IdempotencyKey);
        Assert.True(a.IsRetrySafe);
        Assert.True(RrRequest.Get("Recall/list").IsRetrySafe);
        Assert.Equal("POST Recall/cancelRecall", a.ToString());
    }

    [Fact]
    public void A_post_without_key_is_not_retry_safe()
    {
        Assert.False(PostWithoutKey("Recall/cancelRecall").IsRetrySafe);
    }

    /// <summary>
    /// RrRequest.Write always adds a key, so the only way to get a POST without one is the private
    /// constructor; the pipeline must still treat such a request as unrepeatable.
    /// </summary>
    internal static RrRequest PostWithoutKey(string path, byte[] body = null)
    {
        var ctor = typeof(RrRequest).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();
        return (RrRequest)ctor.Invoke(new object[] { "POST", path, RrApiKind.User, null, body ?? Encoding.UTF8.GetBytes("{}"), null });
    }
}
