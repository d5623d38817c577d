using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ReturnsHelper.Emulator;

namespace ReturnsHelper.Emulator.Tests.Infrastructure;

/// <summary>An emulator hosted in-process on a free port, with an HTTP client and helpers for the API and the control surface.</summary>
public sealed class TestEmulator : IAsyncDisposable
{
    public const string ApiKey = "emulator-key";
    public const string ApiToken = "emulator-token";
    public const int DefaultSeedInventory = 200;

    /// <summary>A fixed "today" for the seed, so data does not depend on the day the tests run.</summary>
    public static readonly DateTime SeedAnchor = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private TestEmulator(EmulatorHost host)
    {
        Host = host;
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public EmulatorHost Host { get; }

    public HttpClient Http { get; }

    public static async Task<TestEmulator> StartAsync(Action<EmulatorOptions> configure = null)
    {
        var options = new EmulatorOptions { Port = 0, SeedInventory = DefaultSeedInventory, SeedAnchorUtc = SeedAnchor };
        configure?.Invoke(options);
        return new TestEmulator(await EmulatorHost.StartAsync(options));
    }

    public static string ToJson(object value) => JsonSerializer.Serialize(value);

    /// <summary>POST to a User API action (e.g. <c>Recall/createRecall</c>) with the default account's credentials.</summary>
    public Task<ApiResponse> PostAsync(string action, object body, string idempotencyKey = null, string apiKey = ApiKey, string apiToken = ApiToken) =>
        SendAsync(HttpMethod.Post, "/uat/user/api/" + action, body as string ?? ToJson(body), idempotencyKey, apiKey, apiToken);

    /// <summary>GET a User API action with its query string.</summary>
    public Task<ApiResponse> GetAsync(string actionAndQuery, string apiKey = ApiKey, string apiToken = ApiToken) =>
        SendAsync(HttpMethod.Get, "/uat/user/api/" + actionAndQuery, null, null, apiKey, apiToken);

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string json, string idempotencyKey = null, string apiKey = ApiKey, string apiToken = ApiToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (apiKey is not null)
        {
            request.Headers.Add("x-rr-apikey", apiKey);
        }

        if (apiToken is not null)
        {
            request.Headers.Add("x-rr-apitoken", apiToken);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("x-returnhelper-idempotency-key", idempotencyKey);
        }

        using var response = await Http.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>A control-surface call; asserts the HTTP status and returns the JSON answer (default for no content).</summary>
    public async Task<JsonElement> ControlAsync(HttpMethod method, string path, object body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, "/_emulator/" + path);
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? ToJson(body), Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{method} {path}: expected {expected}, got {response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Adds inventories through the control surface and returns their ids.</summary>
    public async Task<long[]> AddInventoriesAsync(params object[] inventories)
    {
        var created = await ControlAsync(HttpMethod.Post, "inventories", inventories);
        return [.. created.EnumerateArray().Select(i => i.GetProperty("returnInventoryId").GetInt64())];
    }

    public async Task<long> AddInventoryAsync(object inventory = null) => (await AddInventoriesAsync(inventory ?? new { }))[0];

    public async Task<JsonElement[]> RecallsAsync() => [.. (await ControlAsync(HttpMethod.Get, "recalls")).EnumerateArray()];

    public async Task<JsonElement> InventoryAsync(long id, string apiKey = ApiKey, string apiToken = ApiToken)
    {
        var response = await GetAsync($"ReturnInventory/GetReturnInventory?returnInventoryId={id}", apiKey, apiToken);
        response.AssertSuccess();
        return response.Body;
    }

    public async Task<JsonElement> CreateRecallsAsync(params long[] ids)
    {
        var response = await PostAsync("Recall/createRecallByReturnInventoryId", new { returnInventoryIdList = ids });
        response.AssertSuccess();
        return response.Body.GetProperty("recallList");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>An API answer: HTTP status, parsed envelope and raw text.</summary>
public sealed class ApiResponse
{
    private ApiResponse(HttpStatusCode status, HttpResponseHeaders headers, string raw)
    {
        Status = status;
        Headers = headers;
        Raw = raw;
        Body = JsonDocument.Parse(raw).RootElement.Clone();
    }

    public HttpStatusCode Status { get; }

    public HttpResponseHeaders Headers { get; }

    public string Raw { get; }

    public JsonElement Body { get; }

    public JsonElement Meta => Body.GetProperty("meta");

    public int MetaStatus => Meta.GetProperty("status").GetInt32();

    public string ErrorCode => Meta.GetProperty("errorCode").GetString();

    public Dictionary<string, string> Errors =>
        Meta.GetProperty("error").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response) =>
        new(response.StatusCode, response.Headers, await response.Content.ReadAsStringAsync());

    public void AssertSuccess()
    {
        Assert.True(Status == HttpStatusCode.OK && MetaStatus == 200, $"Expected success, got {(int)Status}: {Raw}");
    }

    /// <summary>Asserts a soft error (HTTP 200, meta.status 400, VALIDATION_FAILED) and returns its messages.</summary>
    public Dictionary<string, string> AssertSoftError()
    {
        Assert.True(Status == HttpStatusCode.OK && MetaStatus == 400, $"Expected a soft error, got {(int)Status}: {Raw}");
        Assert.Equal("VALIDATION_FAILED", ErrorCode);
        return Errors;
    }
}
