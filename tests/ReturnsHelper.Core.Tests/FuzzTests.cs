using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ReturnsHelper.Api;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>
/// Mutated answers through every API call (issue 12, 1): bit flips, truncation, invalid UTF-8, escaped lone
/// surrogates, wrong types and deep nesting. The only exception a call may raise is RrApiException.
/// Deterministic: a fixed seed per fixture, so a failure names a case that can be replayed.
/// </summary>
public class FuzzTests
{
    private const int MutationsPerFixture = 250;

    private const string FullInventory = "{\"returnInventoryId\":19973,\"rma\":\"TWN-20-230101-D12345-36\",\"sku\":\"SKU-1\",\"warehouseId\":20,"
        + "\"handlingCode\":\"ohd\",\"handlingStatusCode\":\"pending\",\"createOn\":\"2023-11-07T05:31:56Z\",\"description\":\"Shoes\","
        + "\"apiId\":3,\"returnRequestId\":777,\"returnRequestLineItemId\":\"LI-1\",\"quantity\":2,\"weight\":1.25,\"value\":99.95,"
        + "\"modifyOn\":\"2023-11-09T01:02:03+02:00\",\"returnRequestLineItemImages\":[{\"s3OriginalFileKey\":\"img/a.jpg\",\"s3SmallFileKey\":\"img/a-s.jpg\"}],"
        + "\"imageList\":[{\"imageUrl\":\"https://cdn.example.com/c.jpg\"},{\"imageKey\":\"k/d.jpg\"}],"
        + "\"returnRequestLineItemVasList\":[{\"vasCode\":\"repack\",\"isFinished\":false}],"
        + "\"returnInventoryMetaList\":[{\"metaType\":\"EAN\",\"metaMap\":{\"ean\":\"4006381333931\"}}]}";

    private const string RecallList = "\"recallList\":[{\"recall\":{\"recallId\":5,\"recallNumber\":\"RCL250101-5\",\"recallStatusCode\":\"pending\","
        + "\"warehouseId\":20,\"warehosueRemarks\":\"x\",\"createOn\":\"2025-01-01T00:00:00Z\"},\"recallInventoryList\":[{\"recallInventoryId\":9,"
        + "\"returnInventoryId\":11,\"recallInventoryStatusCode\":\"pending\",\"weight\":\"1.5\",\"pickUpOn\":\"2025-01-05T08:00:00\",\"rma\":\"R-1\"}]}]";

    /// <summary>Each API call with a valid answer to mutate.</summary>
    private static readonly (string Name, string Answer, Func<RrSession, Task> Call)[] Calls =
    {
        ("GetReturnInventory", Wire.Ok("\"data\":" + FullInventory), s => InventoryApi.GetAsync(s, 19973, NullLog.Instance, default)),
        ("list", Wire.Ok("\"data\":[" + FullInventory + "," + FullInventory + "],\"totalNumberOfRecords\":2"),
            s => InventoryApi.ListPageAsync(s, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc), 50, 0, NullLog.Instance, default)),
        ("UpdateHandling", Wire.Ok(), s => InventoryApi.UpdateHandlingAsync(s, 1, "ohd", NullLog.Instance, default)),
        ("CancelHandling", Wire.Ok(), s => InventoryApi.CancelHandlingAsync(s, 1, NullLog.Instance, default)),
        ("createRecall", Wire.Ok(RecallList), s => RecallApi.CreateAsync(s, new long[] { 11 }, NullLog.Instance, default)),
        ("cancelRecall", Wire.Ok("\"data\":{" + RecallList + "}"), s => RecallApi.CancelAsync(s, new long[] { 5 }, NullLog.Instance, default)),
        ("cancelByInventory", Wire.Ok(RecallList), s => RecallApi.CancelByInventoryAsync(s, new long[] { 11 }, NullLog.Instance, default)),
        ("handlings", Wire.Ok("\"handlings\":[{\"handlingCode\":\"tbc\",\"handlingDescription\":\"To be confirmed\"},{\"handlingCode\":4}]"),
            s => ReferenceApi.GetHandlingTypesAsync(s, true, NullLog.Instance, default)),
        ("warehouses", Wire.Ok("\"warehouses\":[{\"warehouseId\":1,\"description\":\"Old\"}]"), s => ReferenceApi.GetWarehousesAsync(s, true, NullLog.Instance, default)),
        ("verify", Wire.Ok("\"data\":{\"balance\":1}"), s => ReferenceApi.VerifyCredentialsAsync(s, NullLog.Instance, default)),
        ("soft error", Wire.Error(400, "VALIDATION_FAILED", Wire.Map(("returnInventoryIdList[0]", "Return inventory 11 is already in recall RCL250101-5"))),
            s => RecallApi.CreateAsync(s, new long[] { 11 }, NullLog.Instance, default)),
    };

    public static IEnumerable<object[]> CallNames() => Calls.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(CallNames))]
    public async Task Mutated_answers_raise_only_the_modules_own_exception(string name)
    {
        var call = Calls.Single(c => c.Name == name);
        var random = new Random(name.Aggregate(17, (h, c) => h * 31 + c)); // deterministic per call
        var original = Encoding.UTF8.GetBytes(call.Answer);
        Assert.Null(await Outcome(call.Call, original, HttpStatusCode.OK)); // the fixture itself is read

        for (var i = 0; i < MutationsPerFixture; i++)
        {
            var (how, body) = Mutate(original, random);
            // Mostly success statuses (the model readers run), some error statuses (the error path reads the envelope too).
            var status = i % 10 == 9 ? HttpStatusCode.BadRequest : i % 10 == 8 ? HttpStatusCode.InternalServerError : HttpStatusCode.OK;
            var unexpected = await Outcome(call.Call, body, status);
            Assert.True(unexpected == null, $"{name}, case {i} ({how}, HTTP {(int)status}): {unexpected}\nbody: {Encoding.UTF8.GetString(body.Take(400).ToArray())}");
        }
    }

    /// <summary>Null when the call succeeded or raised RrApiException; otherwise the exception that escaped.</summary>
    private static async Task<Exception> Outcome(Func<RrSession, Task> call, byte[] body, HttpStatusCode status)
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 1 });
        h.Handler.Step((_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return Task.FromResult(response);
        });
        try
        {
            await call(h.Session);
            return null;
        }
        catch (RrApiException e)
        {
            Harness.AssertNoSecret(e);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static (string How, byte[] Body) Mutate(byte[] original, Random random)
    {
        var body = (byte[])original.Clone();
        switch (random.Next(7))
        {
            case 0:
                var flips = 1 + random.Next(3);
                for (var f = 0; f < flips; f++) body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8));
                return ("bit flips", body);
            case 1:
                return ("truncation", body.Take(random.Next(body.Length)).ToArray());
            case 2:
                var invalid = new[] { new byte[] { 0xC3 }, new byte[] { 0xFF }, new byte[] { 0xED, 0xA0, 0x80 }, new byte[] { 0xF4, 0x90, 0x80, 0x80 }, new byte[] { 0xC0, 0xAF } }[random.Next(5)];
                return ("invalid UTF-8", Insert(body, InsideString(body, random), invalid));
            case 3:
                var surrogate = new[] { "\\uD800", "\\uDFFF", "\\uD83D\\u0041" }[random.Next(3)];
                return ("escaped lone surrogate", Insert(body, InsideString(body, random), Encoding.ASCII.GetBytes(surrogate)));
            case 4:
                return ("wrong type", WithWrongType(original, random));
            case 5:
                var depth = random.Next(2) == 0 ? 10_000 : 60 + random.Next(10);
                return ($"nesting {depth}", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(original).Replace("\"correlationId\"", "\"deep\":" + new string('[', depth) + new string(']', depth) + ",\"correlationId\"")));
            default:
                var parsed = (JsonObject)JsonNode.Parse(original);
                parsed["meta"] = random.Next(2) == 0 ? JsonValue.Create("200") : new JsonArray(1, 2);
                return ("wrong envelope", Encoding.UTF8.GetBytes(parsed.ToJsonString()));
        }
    }

    /// <summary>A position just after an opening quote, so the inserted bytes land in a string.</summary>
    private static int InsideString(byte[] body, Random random)
    {
        var quotes = Enumerable.Range(0, body.Length).Where(i => body[i] == (byte)'"').ToList();
        return quotes[random.Next(quotes.Count)] + 1;
    }

    private static byte[] Insert(byte[] body, int at, byte[] bytes) => body.Take(at).Concat(bytes).Concat(body.Skip(at)).ToArray();

    /// <summary>One value somewhere in the answer replaced by a value of another kind.</summary>
    private static byte[] WithWrongType(byte[] original, Random random)
    {
        var root = JsonNode.Parse(original);
        var slots = new List<(JsonNode Parent, string Name, int Index)>();
        void Walk(JsonNode node)
        {
            if (node is JsonObject o)
                foreach (var p in o.ToList()) { slots.Add((o, p.Key, -1)); if (p.Value != null) Walk(p.Value); }
            else if (node is JsonArray a)
                for (var i = 0; i < a.Count; i++) { slots.Add((a, null, i)); if (a[i] != null) Walk(a[i]); }
        }
        Walk(root);
        var (parent, name, index) = slots[random.Next(slots.Count)];
        JsonNode replacement = random.Next(7) switch
        {
            0 => null,
            1 => JsonValue.Create(true),
            2 => JsonValue.Create(-1e300),
            3 => JsonValue.Create("not what was expected"),
            4 => new JsonArray(JsonValue.Create(1), new JsonObject()),
            5 => new JsonObject { ["x"] = new JsonArray() },
            _ => JsonValue.Create(long.MaxValue),
        };
        if (parent is JsonObject obj) obj[name] = replacement;
        else ((JsonArray)parent)[index] = replacement;
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
