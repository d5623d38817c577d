using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ReturnsHelper.Emulator.Api;
using ReturnsHelper.Emulator.Domain;
using ReturnsHelper.Emulator.Http;
using ReturnsHelper.Emulator.State;
using ReturnsHelper.Emulator.Webhooks;

namespace ReturnsHelper.Emulator.Control;

/// <summary>
/// The test-only control surface under <c>/_emulator/</c>: plain JSON in and out with the API's field names,
/// no credentials, loopback callers only. Errors are <c>{"error": "..."}</c> with 400, 404 or 409.
/// Every endpoint is listed in the README.
/// </summary>
internal static class ControlEndpoints
{
    public const string Prefix = "/_emulator";

    public static void Map(WebApplication app, EmulatorContext emulator)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Prefix), branch => branch.Use((http, next) =>
            Refusal(http) is var (status, message) ? ControlJson.WriteErrorAsync(http, status, message) : next(http)));

        var routes = app.MapGroup(Prefix);
        void Map(string method, string pattern, Func<HttpContext, Task> handler) =>
            routes.MapMethods(pattern, [method], ControlJson.Handle(handler));

        Map("POST", "/reset", http => Reset(http, emulator));
        Map("GET", "/accounts", http => ListAccounts(http, emulator));
        Map("POST", "/accounts", http => AddAccount(http, emulator));
        Map("POST", "/inventories", http => AddInventories(http, emulator));
        Map("POST", "/inventories/{id}/start", http => Progress(http, emulator, HandlingStatus.InProgress));
        Map("POST", "/inventories/{id}/complete", http => Progress(http, emulator, HandlingStatus.Completed));
        Map("GET", "/recalls", http => ListRecalls(http, emulator));
        Map("POST", "/recalls/{id}/advance", http => AdvanceRecall(http, emulator));
        Map("GET", "/vas", http => ListVas(http, emulator));
        Map("POST", "/vas/{id}/complete", http => FinishVas(http, emulator, succeeded: true));
        Map("POST", "/vas/{id}/fail", http => FinishVas(http, emulator, succeeded: false));
        Map("GET", "/resends", http => ListResends(http, emulator));
        Map("POST", "/resends/{id}/advance", http => AdvanceResend(http, emulator));
        Map("POST", "/accounts/{id}/balance", http => SetBalance(http, emulator));
        Map("GET", "/requests", http => ControlJson.WriteArrayAsync(http, emulator.Requests.Snapshot(), (w, entry) => entry.WriteTo(w)));
        Map("DELETE", "/requests", http => NoContent(http, emulator.Requests.Clear));
        Map("GET", "/faults", http => ListFaults(http, emulator));
        Map("POST", "/faults", http => AddFaults(http, emulator));
        Map("DELETE", "/faults", http => NoContent(http, emulator.Faults.Clear));
        Map("GET", "/config", http => WriteConfig(http, emulator.Variants));
        Map("POST", "/config", http => SetConfig(http, emulator));
        Map("POST", "/webhooks", http => ConfigureWebhooks(http, emulator));
        Map("DELETE", "/webhooks", http => NoContent(http, () => emulator.Webhooks.Configure(null, null)));
        Map("GET", "/webhooks/deliveries", http => ControlJson.WriteArrayAsync(http, emulator.Webhooks.Deliveries(), (w, delivery) => delivery.WriteTo(w)));
        Map("POST", "/webhooks/soak", http => StartSoak(http, emulator));
        Map("GET", "/webhooks/soak", http => emulator.Soak is { } soak
            ? ControlJson.OkAsync(http, soak.Report)
            : throw new ControlException(StatusCodes.Status404NotFound, "No soak has been started (POST /_emulator/webhooks/soak)."));
        routes.MapFallback("{**path}", ControlJson.Handle(_ =>
            throw new ControlException(StatusCodes.Status404NotFound, "No such control endpoint; see the emulator's README.")));
    }

    /// <summary>
    /// Why a control request is refused, or null. A web page open in the developer's browser can send "simple"
    /// cross-site requests to 127.0.0.1 (a form post, <c>text/plain</c>, no preflight): the surface only takes
    /// requests without a foreign <c>Origin</c>, addressed to its own host (no DNS rebinding), with any body as
    /// <c>application/json</c> (which a browser cannot send cross-site without a CORS preflight, never granted).
    /// </summary>
    private static (int Status, string Message)? Refusal(HttpContext http)
    {
        var request = http.Request;
        // Kestrel only listens on 127.0.0.1, but the surface must stay local even behind a forwarder.
        if (http.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
        {
            return (StatusCodes.Status403Forbidden, "The control surface only answers loopback callers.");
        }

        int port = http.Connection.LocalPort;
        string[] ownHosts = [$"127.0.0.1:{port}", $"localhost:{port}"];
        if (!ownHosts.Contains(request.Host.Value, StringComparer.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status403Forbidden, $"The control surface only answers requests addressed to http://127.0.0.1:{port}.");
        }

        string? origin = request.Headers.Origin;
        if (origin is not null && !ownHosts.Any(host => string.Equals(origin, "http://" + host, StringComparison.OrdinalIgnoreCase)))
        {
            return (StatusCodes.Status403Forbidden, "The control surface refuses cross-site requests (the Origin is not the emulator's own).");
        }

        // Only a body has to be JSON: Invoke-RestMethod labels an empty POST application/x-www-form-urlencoded, and a
        // browser's empty cross-site POST already carries a foreign Origin.
        bool hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (hasBody && !IsJson(request.ContentType))
        {
            return (StatusCodes.Status415UnsupportedMediaType, "The control surface takes JSON bodies only: send Content-Type: application/json.");
        }

        return null;
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && string.Equals(mediaType.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Body (optional): <c>{"seedInventory": n, "seed": n}</c>.</summary>
    private static async Task Reset(HttpContext http, EmulatorContext emulator)
    {
        var fields = await ControlJson.ReadFieldsAsync(http, "reset");
        int? seedInventory = fields.Int("seedInventory");
        if (seedInventory is < 0 or > 10_000_000)
        {
            throw fields.Invalid("seedInventory", "must be between 0 and 10000000.");
        }

        emulator.Reset(seedInventory, fields.Int("seed"));
        int count = emulator.State.Run(data => data.Inventories.Count);
        await ControlJson.OkAsync(http, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("inventoryCount", count);
            writer.WriteEndObject();
        });
    }

    private static Task ListAccounts(HttpContext http, EmulatorContext emulator)
    {
        var accounts = emulator.State.Run(data => data.Accounts.Select(a => (a.ApiId, a.ApiKey, a.ApiName)).ToList());
        return ControlJson.WriteArrayAsync(http, accounts, WriteAccount);
    }

    /// <summary>
    /// Body: <c>{"apiKey", "apiToken", "apiName"?, "replace"?}</c>. An existing key is a 409 unless <c>replace</c> is
    /// true, which gives that account the new token (id, name and data unchanged). The answer has <c>replaced</c>.
    /// </summary>
    private static async Task AddAccount(HttpContext http, EmulatorContext emulator)
    {
        var fields = await ControlJson.ReadFieldsAsync(http, "account");
        string apiKey = fields.String("apiKey") is { Length: > 0 } key ? key : throw fields.Invalid("apiKey", "is required.");
        string apiToken = fields.String("apiToken") is { Length: > 0 } token ? token : throw fields.Invalid("apiToken", "is required.");
        string? apiName = fields.String("apiName");
        bool replace = fields.Bool("replace") ?? false;
        var (account, replaced) = emulator.State.Run(data =>
        {
            if (data.FindAccount(apiKey) is not null)
            {
                // Name the key only: the token (old or new) is never echoed.
                var existing = replace
                    ? data.ReplaceToken(apiKey, apiToken)!
                    : throw new ControlException(StatusCodes.Status409Conflict,
                        $"An account with the API key '{apiKey}' already exists; send \"replace\": true to give it the new token.");
                return ((existing.ApiId, existing.ApiKey, existing.ApiName), true);
            }

            var added = data.AddAccount(apiKey, apiToken, apiName);
            return ((added.ApiId, added.ApiKey, added.ApiName), false);
        });
        await ControlJson.OkAsync(http, writer => WriteAccount(writer, account, replaced));
    }

    private static void WriteAccount(Utf8JsonWriter writer, (int ApiId, string ApiKey, string ApiName) account) =>
        WriteAccount(writer, account, replaced: null);

    private static void WriteAccount(Utf8JsonWriter writer, (int ApiId, string ApiKey, string ApiName) account, bool? replaced)
    {
        writer.WriteStartObject();
        writer.WriteNumber("apiId", account.ApiId);
        writer.WriteString("apiKey", account.ApiKey);
        writer.WriteString("apiName", account.ApiName);
        if (replaced is bool value)
        {
            writer.WriteBoolean("replaced", value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Body: an array of inventories (see <see cref="InventoryInput"/>); raises <c>newInventoryCreated</c> for each.</summary>
    private static async Task AddInventories(HttpContext http, EmulatorContext emulator)
    {
        using var body = await ControlJson.ReadAsync(http) ?? throw ControlException.BadRequest("Send a JSON array of inventories.");
        byte[] response = emulator.State.Run(data =>
        {
            var created = InventoryInput.AddAll(data, body.RootElement, DateTime.UtcNow);
            foreach (var inventory in created)
            {
                emulator.Raise(() => WebhookEvents.InventoryCreated(inventory));
            }

            return Json.Write(writer =>
            {
                writer.WriteStartArray();
                foreach (var inventory in created)
                {
                    WireFormat.WriteInventory(writer, inventory);
                }

                writer.WriteEndArray();
            });
        });
        await ControlJson.OkAsync(http, response);
    }

    /// <summary>The warehouse starts or completes a pending handling decision; completing raises <c>completeInventoryHandling</c>.</summary>
    private static Task Progress(HttpContext http, EmulatorContext emulator, HandlingStatus target)
    {
        long id = ControlJson.RouteId(http);
        byte[] response = emulator.State.Run(data =>
        {
            var inventory = data.FindInventory(id) ?? throw new ControlException(StatusCodes.Status404NotFound, $"Return inventory {id} was not found.");
            if (HandlingOperations.WarehouseProgress(data, inventory, target, DateTime.UtcNow) is string error)
            {
                throw new ControlException(StatusCodes.Status409Conflict, error);
            }

            if (target == HandlingStatus.Completed)
            {
                emulator.Raise(() => WebhookEvents.HandlingCompleted(inventory));
            }

            return Json.Write(writer => WireFormat.WriteInventory(writer, inventory));
        });
        return ControlJson.OkAsync(http, response);
    }

    private static Task ListRecalls(HttpContext http, EmulatorContext emulator)
    {
        byte[] response = emulator.State.Run(data => Json.Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var recall in data.Recalls.OrderBy(r => r.RecallId))
            {
                WireFormat.WriteRecall(writer, recall);
            }

            writer.WriteEndArray();
        }));
        return ControlJson.OkAsync(http, response);
    }

    /// <summary>
    /// pending → in-progress (tracking number) → completed (ready to pick up) → picked up; each step raises
    /// <c>recallUpdateStatus</c>. Body (optional): <c>{"pickUpCode": "self-pick-up" | "courier-pick-up" | "others"}</c>.
    /// </summary>
    private static async Task AdvanceRecall(HttpContext http, EmulatorContext emulator)
    {
        long id = ControlJson.RouteId(http);
        var fields = await ControlJson.ReadFieldsAsync(http, "advance");
        string pickUpCode = fields.String("pickUpCode") ?? PickUpCodes.SelfPickUp;
        if (pickUpCode is not (PickUpCodes.SelfPickUp or PickUpCodes.CourierPickUp or PickUpCodes.Others))
        {
            throw fields.Invalid("pickUpCode", $"must be '{PickUpCodes.SelfPickUp}', '{PickUpCodes.CourierPickUp}' or '{PickUpCodes.Others}'.");
        }

        byte[] response = emulator.State.Run(data =>
        {
            var recall = data.FindRecall(id) ?? throw new ControlException(StatusCodes.Status404NotFound, $"Recall {id} was not found.");
            bool ships = recall.RecallStatusCode == RecallStatus.Pending;
            string updateType = RecallOperations.Advance(data, recall, pickUpCode, DateTime.UtcNow, out string? error)
                ?? throw new ControlException(StatusCodes.Status409Conflict, error!);
            if (ships)
            {
                RecallOperations.ChargeShipping(data, recall);
            }

            emulator.Raise(() => WebhookEvents.RecallUpdated(recall, updateType));
            return Json.Write(writer => WireFormat.WriteRecall(writer, recall));
        });
        await ControlJson.OkAsync(http, response);
    }

    /// <summary>Every VAS request of every account, oldest first, each with its <c>returnInventoryId</c>.</summary>
    private static Task ListVas(HttpContext http, EmulatorContext emulator)
    {
        byte[] response = emulator.State.Run(data => Json.Write(writer =>
        {
            writer.WriteStartArray();
            var requests = data.Inventories.SelectMany(i => (i.VasList ?? []).Select(v => (Inventory: i, Vas: v)))
                .OrderBy(p => p.Vas.ReturnRequestLineItemVasId);
            foreach (var (inventory, vas) in requests)
            {
                WriteVasWithInventoryId(writer, inventory, vas);
            }

            writer.WriteEndArray();
        }));
        return ControlJson.OkAsync(http, response);
    }

    private static void WriteVasWithInventoryId(Utf8JsonWriter writer, Inventory inventory, InventoryVas vas)
    {
        writer.WriteStartObject();
        writer.WriteNumber("returnInventoryId", inventory.ReturnInventoryId);
        writer.WritePropertyName("vas");
        WireFormat.WriteVas(writer, inventory, vas);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The warehouse finishes a pending VAS request. Body (optional): <c>{"vasResult": "...", "photos": n}</c>; photos
    /// default to the request's quantity for req-pic, else none (a failed request has none). Raises <c>vasUpdated</c>;
    /// a split-parcel also creates its parcels and raises <c>splitLineItem</c> and a <c>newInventoryCreated</c> per parcel.
    /// </summary>
    private static async Task FinishVas(HttpContext http, EmulatorContext emulator, bool succeeded)
    {
        long id = ControlJson.RouteId(http);
        var fields = await ControlJson.ReadFieldsAsync(http, succeeded ? "complete" : "fail");
        string? result = fields.String("vasResult");
        int? photos = fields.Int("photos");
        if (photos is < 0 or > 50)
        {
            throw fields.Invalid("photos", "must be between 0 and 50.");
        }

        byte[] response = emulator.State.Run(data =>
        {
            var (inventory, vas) = VasOperations.Find(data, id)
                ?? throw new ControlException(StatusCodes.Status404NotFound, $"VAS request {id} was not found.");
            int photoCount = succeeded ? photos ?? (vas.VasCode == VasCatalog.RequestPictures ? vas.MetaQuantity ?? 1 : 0) : 0;
            if (VasOperations.Finish(data, inventory, vas, succeeded, result, photoCount, Random.Shared, DateTime.UtcNow, out var parcels) is string error)
            {
                throw new ControlException(StatusCodes.Status409Conflict, error);
            }

            emulator.Raise(() => WebhookEvents.VasUpdated(inventory, vas));
            if (parcels.Count > 0)
            {
                emulator.Raise(() => WebhookEvents.SplitLineItem(inventory, vas, parcels));
                foreach (var parcel in parcels)
                {
                    emulator.Raise(() => WebhookEvents.InventoryCreated(parcel));
                }
            }

            return Json.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WritePropertyName("returnInventory");
                WireFormat.WriteInventory(writer, inventory);
                writer.WriteStartArray("newInventoryList");
                foreach (var parcel in parcels)
                {
                    WireFormat.WriteInventory(writer, parcel);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        });
        await ControlJson.OkAsync(http, response);
    }

    private static Task ListResends(HttpContext http, EmulatorContext emulator)
    {
        byte[] response = emulator.State.Run(data => Json.Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var resend in data.Resends.OrderBy(r => r.ResendId))
            {
                WriteResend(writer, resend, data);
            }

            writer.WriteEndArray();
        }));
        return ControlJson.OkAsync(http, response);
    }

    private static void WriteResend(Utf8JsonWriter writer, Resend resend, StateData data)
    {
        writer.WriteStartObject();
        WireFormat.WriteResendFields(writer, resend, data);
        WireFormat.WriteResendShipmentList(writer, resend);
        writer.WriteEndObject();
    }

    /// <summary>
    /// pending → in progress (label, tracking number) → completed; body <c>{"failure": "..."}</c> fails it instead
    /// (from pending or in progress: fee refunded, inventories released). Each step raises <c>updateResendStatus</c>.
    /// </summary>
    private static async Task AdvanceResend(HttpContext http, EmulatorContext emulator)
    {
        long id = ControlJson.RouteId(http);
        var fields = await ControlJson.ReadFieldsAsync(http, "advance");
        string? failure = fields.String("failure");
        if (failure is { Length: 0 })
        {
            throw fields.Invalid("failure", "must not be empty; leave it out to advance normally.");
        }

        byte[] response = emulator.State.Run(data =>
        {
            var resend = data.FindResend(id) ?? throw new ControlException(StatusCodes.Status404NotFound, $"Resend {id} was not found.");
            if (!ResendOperations.Advance(data, resend, failure, DateTime.UtcNow, out string? error))
            {
                throw new ControlException(StatusCodes.Status409Conflict, error!);
            }

            emulator.Raise(() => WebhookEvents.ResendUpdated(resend, data));
            return Json.Write(writer => WriteResend(writer, resend, data));
        });
        await ControlJson.OkAsync(http, response);
    }

    /// <summary>Body: <c>{"balance": n}</c>, the account's new balance (usd; may be negative).</summary>
    private static async Task SetBalance(HttpContext http, EmulatorContext emulator)
    {
        long id = ControlJson.RouteId(http);
        var fields = await ControlJson.ReadFieldsAsync(http, "balance");
        decimal balance = fields.Decimal("balance") ?? throw fields.Invalid("balance", "is required.");
        emulator.State.Run(data =>
        {
            var account = data.Accounts.FirstOrDefault(a => a.ApiId == id) ?? throw new ControlException(StatusCodes.Status404NotFound, $"Account {id} was not found.");
            account.Balance = balance;
            data.MarkChanged();
            return account;
        });
        await ControlJson.OkAsync(http, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("apiId", id);
            writer.WriteNumber("balance", balance);
            writer.WriteEndObject();
        });
    }

    private static Task ListFaults(HttpContext http, EmulatorContext emulator) =>
        ControlJson.WriteArrayAsync(http, emulator.Faults.Snapshot(), (writer, fault) => fault.WriteTo(writer));

    /// <summary>Body: one fault object or an array of them (queued in order); answers with every queued fault.</summary>
    private static async Task AddFaults(HttpContext http, EmulatorContext emulator)
    {
        using var body = await ControlJson.ReadAsync(http) ?? throw ControlException.BadRequest("Send a fault object.");
        var root = body.RootElement;
        JsonElement[] items = root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : [root];
        emulator.Faults.Add([.. items.Select((item, index) => item.ValueKind == JsonValueKind.Object
            ? Fault.FromJson(new JsonFields(item, $"faults[{index}]"))
            : throw ControlException.BadRequest($"faults[{index}] must be a JSON object."))]);
        await ListFaults(http, emulator);
    }

    private static Task WriteConfig(HttpContext http, ResponseVariants variants) => ControlJson.OkAsync(http, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("payloadPlacement", ResponseVariants.Name(variants.PayloadPlacement));
        writer.WriteString("recallShape", ResponseVariants.Name(variants.RecallShape));
        writer.WriteEndObject();
    });

    /// <summary>Body: <c>{"payloadPlacement": "documented" | "data", "recallShape": "flat" | "nested"}</c>, either member optional.</summary>
    private static async Task SetConfig(HttpContext http, EmulatorContext emulator)
    {
        var fields = await ControlJson.ReadFieldsAsync(http, "config");
        var variants = emulator.Variants;
        if (fields.String("payloadPlacement") is string placementName)
        {
            variants = ResponseVariants.TryParse(placementName, out PayloadPlacement placement)
                ? variants with { PayloadPlacement = placement }
                : throw fields.Invalid("payloadPlacement", "must be 'documented' or 'data'.");
        }

        if (fields.String("recallShape") is string shapeName)
        {
            variants = ResponseVariants.TryParse(shapeName, out RecallShape shape)
                ? variants with { RecallShape = shape }
                : throw fields.Invalid("recallShape", "must be 'flat' or 'nested'.");
        }

        emulator.Variants = variants;
        await WriteConfig(http, variants);
    }

    /// <summary>Body: <c>{"url": "...", "signingKey": "&lt;base64&gt;"}</c>, like --webhook-url and --signing-key.</summary>
    private static async Task ConfigureWebhooks(HttpContext http, EmulatorContext emulator)
    {
        var fields = await ControlJson.ReadFieldsAsync(http, "webhooks");
        string url = fields.String("url") ?? throw fields.Invalid("url", "is required.");
        string signingKey = fields.String("signingKey") ?? throw fields.Invalid("signingKey", "is required (Base64).");
        try
        {
            emulator.Webhooks.Configure(url, signingKey);
        }
        catch (ArgumentException e)
        {
            throw ControlException.BadRequest(e.Message);
        }

        await ControlJson.OkAsync(http, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("url", url);
            writer.WriteEndObject();
        });
    }

    /// <summary>Starts a webhook soak (README decisions 46-49) and answers with the ids of its inventories.</summary>
    private static async Task StartSoak(HttpContext http, EmulatorContext emulator)
    {
        var fields = await ControlJson.ReadFieldsAsync(http, "webhooks/soak");
        int count = fields.Int("count") ?? throw fields.Invalid("count", "is required.");
        if (count is < 1 or > 100_000)
        {
            throw fields.Invalid("count", "must be between 1 and 100000.");
        }

        string? newToken = fields.String("newToken");
        var options = new WebhookSoakOptions(
            count,
            DuplicateEvery: fields.Int("duplicateEvery") ?? 10,
            ForgedEvery: fields.Int("forgedEvery") ?? 20,
            Stalled: fields.Int("stalled") ?? 4,
            MaxStalledAtOnce: fields.Int("maxStalledAtOnce") ?? 2,
            StallSeconds: fields.Int("stallSeconds") ?? 120,
            RotateTokenAfter: newToken is null ? 0 : fields.Int("rotateTokenAfter") ?? count / 2,
            NewToken: newToken);
        emulator.Soak?.Stop();
        var soak = WebhookSoak.Start(emulator, options);
        emulator.Soak = soak;
        await ControlJson.OkAsync(http, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("events", count);
            writer.WriteStartArray("returnInventoryIds");
            foreach (long id in soak.InventoryIds)
            {
                writer.WriteNumberValue(id);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static Task NoContent(HttpContext http, Action action)
    {
        action();
        http.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }
}
