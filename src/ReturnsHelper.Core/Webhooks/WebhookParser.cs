using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReturnsHelper.Http;
using ReturnsHelper.Json;

namespace ReturnsHelper.Webhooks;

/// <summary>
/// Raw webhook bodies to typed events (API notes 8.5, 8.6). Tolerant like every other reader here (ids as
/// strings, codes as integers), but a body that is not a JSON object with a category is a clear error.
/// Bytes from the network are data: whatever they hold, the only exception that leaves here is
/// <see cref="WebhookFormatException"/>.
/// </summary>
internal static class WebhookParser
{
    /// <summary>Webhook records carry no environment; relative image keys (rare: events send full URLs) resolve against the sandbox host.</summary>
    private static readonly Uri PhotoBase = RrEndpoints.For(RrEnvironment.Sandbox).PhotoBase;

    /// <summary>The event of a raw body (parsed here, once); <paramref name="payloadOf"/> as below.</summary>
    public static WebhookEvent Parse(byte[] rawBody, Func<JsonElement, object> payloadOf = null)
    {
        using (var body = WebhookBody.Read(rawBody)) return Parse(body, payloadOf);
    }

    /// <summary>
    /// The event of a body already read (its one parse). <paramref name="payloadOf"/>, when given, makes the event's
    /// <see cref="WebhookEvent.Payload"/> from the same document while it is there (the cmdlets: the body as PSCustomObjects).
    /// </summary>
    public static WebhookEvent Parse(WebhookBody body, Func<JsonElement, object> payloadOf = null)
    {
        try { return ParseEvent(body, payloadOf); }
        catch (Exception e) when (IsUnreadableData(e))
        {
            throw new WebhookFormatException(WebhookField.Body, Sentence.Join("The webhook body cannot be read:", Sentence.Of(e)), e);
        }
    }

    /// <summary>
    /// What System.Text.Json and the model readers throw on content they cannot represent (a string that is not
    /// valid UTF-8, a number out of range, a value of the wrong type): unreadable data, not a bug to surface.
    /// </summary>
    internal static bool IsUnreadableData(Exception e)
        => !(e is WebhookFormatException)
           && (e is InvalidOperationException || e is FormatException || e is ArgumentException || e is OverflowException
               || e is System.Collections.Generic.KeyNotFoundException || e is InvalidCastException || e is JsonException
               || e is RrApiException);

    private static WebhookEvent ParseEvent(WebhookBody body, Func<JsonElement, object> payloadOf)
    {
        if (body.Problem != null) throw body.Problem;
        var root = body.Document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new WebhookFormatException(WebhookField.Body, $"The webhook body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object with a 'category'.");
        var category = JsonRead.String(root, "category");
        var action = JsonRead.String(root, "action");
        if (category == null)
            throw new WebhookFormatException(WebhookField.Body, "The webhook body has no 'category': it is not a Return Helper event.");
        if (category.Length == 0)
        {
            // The documented newInventoryCreated sample has empty category and action; its shape is unambiguous.
            if (!LooksLikeNewInventory(root))
                throw new WebhookFormatException(WebhookField.Body, "The webhook body has an empty 'category': it cannot be identified.");
            category = "newInventoryCreated";
            if (string.IsNullOrEmpty(action)) action = category;
        }

        var evt = Create(category, action, root);
        evt.Category = category;
        evt.Action = action;
        evt.EventTime = JsonRead.Time(root, "eventTime");
        evt.Version = JsonRead.String(root, "version");
        evt.NotificationId = JsonRead.String(root, "notificationId");
        evt.DedupeKey = DedupeKey(evt.NotificationId, body.Raw);
        evt.RawBody = Text(body.Raw);
        if (evt is ShipmentArrivedEvent arrived) arrived.IsVersion1 = string.IsNullOrEmpty(evt.Version);
        evt.Payload = payloadOf?.Invoke(root);
        return evt;
    }

    /// <summary>The dedupe key of a body that may not even parse (signed but unreadable deliveries are deduplicated too).</summary>
    public static string DedupeKeyOf(byte[] rawBody)
    {
        using (var body = WebhookBody.Read(rawBody)) return DedupeKeyOf(body);
    }

    /// <summary>The dedupe key of a body already read, whether or not it is an event.</summary>
    public static string DedupeKeyOf(WebhookBody body)
    {
        string notificationId = null;
        try
        {
            if (body.Document != null) notificationId = JsonRead.String(body.Document.RootElement, "notificationId");
        }
        catch (Exception e) when (IsUnreadableData(e))
        {
            // A notificationId that cannot be read: the hash of the body is the key.
        }
        return DedupeKey(notificationId, body.Raw);
    }

    private static string DedupeKey(string notificationId, byte[] rawBody)
    {
        if (!string.IsNullOrEmpty(notificationId)) return notificationId;
        using (var sha = SHA256.Create())
            return "sha256:" + string.Concat(sha.ComputeHash(rawBody).Select(b => b.ToString("x2")));
    }

    internal static string Text(byte[] rawBody) => Encoding.UTF8.GetString(rawBody ?? new byte[0]);

    private static bool LooksLikeNewInventory(JsonElement root)
        => IsObject(root, "returnInventory") && IsObject(root, "shipment") && !JsonRead.TryGet(root, "returnRequest", out _);

    private static bool IsObject(JsonElement root, string name) => JsonRead.TryGet(root, name, out var v) && v.ValueKind == JsonValueKind.Object;

    private static bool Is(string value, string name) => string.Equals(value, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The typed event for a category/action when its payload object is there; anything else is a plain event.</summary>
    private static WebhookEvent Create(string category, string action, JsonElement root)
    {
        if ((Is(category, "newInventoryCreated") || Is(action, "newInventoryCreated")) && IsObject(root, "returnInventory"))
        {
            var e = WithInventory(new NewInventoryCreatedEvent(), root);
            if (IsObject(root, "shipment")) e.Shipment = WebhookShipment.Parse(root.GetProperty("shipment"));
            return e;
        }
        if (Is(action, "recallUpdateStatus") && IsObject(root, "recall"))
        {
            var recall = Recall.Parse(root.GetProperty("recall"), null);
            return new RecallUpdateEvent
            {
                Recall = recall,
                UpdateType = Codes.RecallUpdateType(JsonRead.String(root, "recallUpdateTypeStatus")),
                TrackingNumber = JsonRead.String(root, "trackingNumber")
                    ?? recall.RecallInventoryList.Select(i => i.TrackingNumber).FirstOrDefault(t => !string.IsNullOrEmpty(t)),
            };
        }
        if (Is(category, "resend") && IsObject(root, "resend"))
        {
            // updateResendStatus puts resendShipmentList beside resend; older events may nest it.
            var body = root.GetProperty("resend");
            var resend = Resend.Parse(body, JsonRead.TryGet(body, "resendShipmentList", out _) ? body : root, null);
            return new ResendUpdateEvent
            {
                Resend = resend,
                Inventories = JsonRead.Array(root, "returnInventoryList").Select(i => Inventory.Parse(i, null, PhotoBase)).ToArray(),
                TrackingNumber = JsonRead.String(root, "trackingNumber") ?? resend.TrackingNumber,
                FailureReason = JsonRead.String(root, "failureReason") ?? resend.Error,
            };
        }
        if ((Is(action, "completeInventoryHandling") || Is(action, "cancelInventoryHandling")) && IsObject(root, "returnInventory"))
            return WithInventory(new InventoryHandlingEvent(), root);
        if ((Is(category, "labelGenerated") || Is(action, "labelGenerated")) && IsObject(root, "label"))
            return new LabelGeneratedEvent { Label = WebhookLabel.Parse(root.GetProperty("label")) };
        if (Is(action, "markShipmentArrive") && IsObject(root, "shipment"))
        {
            var shipment = WebhookShipment.Parse(root.GetProperty("shipment"));
            var returnRequest = IsObject(root, "returnRequest") ? root.GetProperty("returnRequest") : default;
            return new ShipmentArrivedEvent
            {
                Shipment = shipment,
                ReturnRequestId = shipment.ReturnRequestId ?? (returnRequest.ValueKind == JsonValueKind.Object ? JsonRead.Long(returnRequest, "returnRequestId") : null),
                Inventories = JsonRead.Array(root, "returnInventoryList").Select(i => Inventory.Parse(i, null, PhotoBase)).ToArray(),
                Label = IsObject(root, "label") ? WebhookLabel.Parse(root.GetProperty("label")) : null,
            };
        }
        if (Is(action, "vasUpdated") && JsonRead.TryGet(root, "updateVasList", out var updates) && updates.ValueKind == JsonValueKind.Array)
            return new VasUpdatedEvent { Updates = updates.EnumerateArray().Select(u => Vas.Parse(u, 0, null, null)).ToArray() };
        if (Is(action, "splitLineItem"))
            return new SplitLineItemEvent
            {
                ReturnRequestId = JsonRead.Long(root, "returnRequestId"),
                ReturnRequestLineItemId = JsonRead.Long(root, "returnRequestLineItemId"),
                SplitReturnInventoryId = JsonRead.Long(root, "returnInventoryId"),
                VasId = JsonRead.Long(root, "returnRequestLineItemVasId"),
                Status = VasRules.Status(JsonRead.String(root, "vasStatusCode")),
                Inventories = JsonRead.Array(root, "splitLineItemAndReturnInventoryList")
                    .Where(p => IsObject(p, "returnInventory"))
                    .Select(p => Inventory.Parse(p.GetProperty("returnInventory"), null, PhotoBase)).ToArray(),
            };
        if (IsObject(root, "returnInventory")) return WithInventory(new InventoryWebhookEvent(), root);
        return new WebhookEvent();
    }

    private static T WithInventory<T>(T e, JsonElement root) where T : InventoryWebhookEvent
    {
        e.Inventory = Inventory.Parse(root.GetProperty("returnInventory"), null, PhotoBase);
        e.ReturnInventoryId = e.Inventory.ReturnInventoryId;
        e.Rma = e.Inventory.Rma;
        return e;
    }
}

/// <summary>
/// One raw body and its one JSON parse, which the event, the dedupe key and the Payload are all read from.
/// Reading never throws: a body that is empty, not valid UTF-8 or not JSON has a <see cref="Problem"/>.
/// </summary>
internal sealed class WebhookBody : IDisposable
{
    private static readonly JsonDocumentOptions Options = new JsonDocumentOptions { MaxDepth = 64 };
    private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

    /// <summary>The bytes as received: what the signature covers and the journal keeps.</summary>
    public byte[] Raw { get; }
    /// <summary>The body as JSON (a byte order mark before it skipped), or null when it is not JSON.</summary>
    public JsonDocument Document { get; }
    /// <summary>Why the body cannot be an event (empty, not valid UTF-8, not valid JSON), or null.</summary>
    public WebhookFormatException Problem { get; }

    private WebhookBody(byte[] raw, JsonDocument document, WebhookFormatException problem)
    {
        Raw = raw;
        Document = document;
        Problem = problem;
    }

    public static WebhookBody Read(byte[] rawBody)
    {
        var raw = rawBody ?? new byte[0];
        var json = WithoutBom(raw);
        if (WebhookInput.IsBlank(raw, raw.Length - json.Length, json.Length))
            return new WebhookBody(raw, null, new WebhookFormatException(WebhookField.Body, "The webhook body is empty."));
        JsonDocument document = null;
        Exception notJson = null;
        try { document = JsonDocument.Parse(json, Options); }
        catch (Exception e) when (WebhookParser.IsUnreadableData(e)) { notJson = e; } // bytes from the network are data
        // JSON is UTF-8 (RFC 8259); System.Text.Json only finds out when a string is read, which may be never
        // (an unread field) or too late (in the middle of building the event), so the whole body is checked,
        // and this problem comes first. The document stays: the dedupe key may still be read from it.
        var invalidAt = InvalidUtf8Offset(json);
        if (invalidAt >= 0)
            return new WebhookBody(raw, document, new WebhookFormatException(WebhookField.Body, $"The webhook body is not valid UTF-8 (byte {invalidAt})."));
        if (notJson != null)
            return new WebhookBody(raw, null, new WebhookFormatException(WebhookField.Body, $"The webhook body is not valid JSON: {notJson.Message}", notJson));
        return new WebhookBody(raw, document, null);
    }

    /// <summary>JSON never starts with a byte order mark, but a body saved by an editor may; it is not part of the JSON.</summary>
    private static ReadOnlyMemory<byte> WithoutBom(byte[] b) => new ReadOnlyMemory<byte>(b, BomLength(b), b.Length - BomLength(b));

    /// <summary>3 when <paramref name="b"/> starts with the UTF-8 byte order mark, else 0.</summary>
    internal static int BomLength(byte[] b) => b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;

    /// <summary>The offset of the first byte that is not valid UTF-8, or -1.</summary>
    internal static int InvalidUtf8Offset(ReadOnlyMemory<byte> bytes)
    {
        var segment = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var s) ? s : new ArraySegment<byte>(bytes.ToArray());
        try
        {
            StrictUtf8.GetCharCount(segment.Array, segment.Offset, segment.Count);
            return -1;
        }
        catch (DecoderFallbackException e)
        {
            return Math.Max(0, e.Index);
        }
    }

    public void Dispose() => Document?.Dispose();
}
