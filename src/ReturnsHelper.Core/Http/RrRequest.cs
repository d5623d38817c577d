using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace ReturnsHelper.Http;

/// <summary>Which of the two Return Helper APIs a request goes to.</summary>
internal enum RrApiKind { User, Public }

/// <summary>
/// One logical call. A write gets its idempotency key when it is created, so every retry of the same
/// logical write carries the same key; a new logical write is a new request object.
/// </summary>
internal sealed class RrRequest
{
    private static readonly Regex SafePath = new Regex(@"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*\z", RegexOptions.CultureInvariant);

    public string Method { get; }
    public string Path { get; }
    public RrApiKind Api { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; }
    /// <summary>The JSON body, serialised once so every attempt sends identical bytes.</summary>
    public byte[] Body { get; }
    public string IdempotencyKey { get; }

    private RrRequest(string method, string path, RrApiKind api, IReadOnlyList<KeyValuePair<string, string>> query, byte[] body, string idempotencyKey)
    {
        // Only relative controller/action paths: an absolute URL or '..' would send the credentials elsewhere.
        if (path == null || !SafePath.IsMatch(path))
            throw new ArgumentException($"'{path}' is not a valid API path. Use the form Controller/action, for example ReturnInventory/GetReturnInventory."); // no ParamName: its "(Parameter ...)" suffix would reach users
        Method = method;
        Path = path;
        Api = api;
        Query = query ?? new KeyValuePair<string, string>[0];
        Body = body;
        IdempotencyKey = idempotencyKey;
    }

    public static RrRequest Get(string path, IReadOnlyList<KeyValuePair<string, string>> query = null, RrApiKind api = RrApiKind.User)
        => new RrRequest("GET", path, api, query, null, null);

    /// <summary>A state-changing call: carries a fresh idempotency key, so it may be retried safely.</summary>
    public static RrRequest Write(string path, byte[] jsonBody, RrApiKind api = RrApiKind.User)
        => Write(path, jsonBody, NewIdempotencyKey(), api);

    /// <summary>The same logical write again (a batch the ledger recorded as sent but never answered): the key it was sent with.</summary>
    public static RrRequest Write(string path, byte[] jsonBody, string idempotencyKey, RrApiKind api = RrApiKind.User)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey)) throw new ArgumentException("An idempotency key is required.", nameof(idempotencyKey));
        return new RrRequest("POST", path, api, null, jsonBody ?? new byte[] { (byte)'{', (byte)'}' }, idempotencyKey);
    }

    public static string NewIdempotencyKey() => Guid.NewGuid().ToString();

    /// <summary>GETs are always safe to repeat; POSTs only when they carry an idempotency key.</summary>
    public bool IsRetrySafe => Method == "GET" || !string.IsNullOrEmpty(IdempotencyKey);

    public override string ToString() => Method + " " + Path;
}
