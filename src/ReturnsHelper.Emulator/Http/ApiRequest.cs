using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ReturnsHelper.Emulator.Domain;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Http;

/// <summary>
/// One authenticated API call as a handler sees it, with the readers that turn query and body values into
/// typed values or soft-error messages worded like ASP.NET Core model binding and FluentValidation.
/// </summary>
internal sealed class ApiRequest : IDisposable
{
    public const int MaxPageSize = 50;

    private readonly byte[] _body;
    private JsonDocument? _document;
    private bool _bodyRead;

    public ApiRequest(EmulatorContext emulator, Account account, IQueryCollection query, byte[] body, string correlationId)
    {
        Emulator = emulator;
        Account = account;
        Query = query;
        _body = body;
        CorrelationId = correlationId;
        Variants = emulator.Variants;
    }

    public EmulatorContext Emulator { get; }

    public Account Account { get; }

    public IQueryCollection Query { get; }

    public string CorrelationId { get; }

    /// <summary>Fixed for the whole call, so a response never mixes two configurations.</summary>
    public ResponseVariants Variants { get; }

    public DateTime Now { get; } = DateTime.UtcNow;

    public T Run<T>(Func<StateData, T> operation) => Emulator.State.Run(operation);

    public ApiResult Ok(PayloadWriter? payload = null) => Envelope.Success(CorrelationId, Variants.PayloadPlacement, payload);

    /// <summary>For endpoints whose documented payload already is a top-level <c>data</c> member.</summary>
    public ApiResult OkDataPayload(PayloadWriter payload) => Envelope.Success(CorrelationId, PayloadPlacement.Documented, payload);

    public ApiResult Invalid(ValidationErrors errors) => Envelope.SoftError(CorrelationId, errors);

    /// <summary>The JSON body's root, or null (with a message) when the body is not JSON. An empty body reads as <c>{}</c>.</summary>
    private JsonElement? Body(ValidationErrors errors)
    {
        if (!_bodyRead)
        {
            _bodyRead = true;
            try
            {
                _document = JsonDocument.Parse(_body.Length == 0 ? "{}"u8.ToArray() : _body);
            }
            catch (JsonException)
            {
                errors.Add("request", Messages.BodyNotJson());
            }
        }

        return _document?.RootElement;
    }

    /// <summary>The body's root for endpoints with nested members (a resend's address); null when the body is not JSON.</summary>
    public JsonElement? BodyRoot(ValidationErrors errors) => Body(errors);

    /// <summary>
    /// Reads an id list. List-level problems (missing, empty, too long) return null. Otherwise every entry that
    /// is not a positive, first-seen long gets its own message and a null slot, and the caller checks the rest.
    /// </summary>
    public long?[]? ReadIdList(IdListSpec spec, ValidationErrors errors)
    {
        if (ReadBodyList(spec, errors) is not JsonElement list)
        {
            return null;
        }

        var ids = new long?[list.GetArrayLength()];
        var seen = new HashSet<long>();
        int index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (!item.TryGetId(out long id))
            {
                errors.Add(spec.ItemPath(index), Messages.NotValid(item.RawText()));
            }
            else if (id <= 0)
            {
                errors.Add(spec.ItemPath(index), Messages.ItemNotPositive(spec, index));
            }
            else if (!seen.Add(id))
            {
                errors.Add(spec.ItemPath(index), Messages.Duplicate(spec, id));
            }
            else
            {
                ids[index] = id;
            }

            index++;
        }

        return ids;
    }

    /// <summary>
    /// A required list in the JSON body, or null with one list-level message: missing, empty, not an array, or
    /// longer than <paramref name="spec"/> allows. The caller checks the entries.
    /// </summary>
    public JsonElement? ReadBodyList(IdListSpec spec, ValidationErrors errors)
    {
        if (Body(errors) is not JsonElement root)
        {
            return null;
        }

        if (!root.TryGetProperty(spec.Property, ignoreCase: true, out var list) || list.ValueKind == JsonValueKind.Null
            || (list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 0))
        {
            errors.Add(spec.Property, Messages.NotEmpty(spec.DisplayName));
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(spec.Property, Messages.NotValid(list.RawText()));
            return null;
        }

        if (list.GetArrayLength() > spec.MaxItems)
        {
            errors.Add(spec.Property, Messages.TooMany(spec));
            return null;
        }

        return list;
    }

    /// <summary>A required positive id in the JSON body.</summary>
    public long? ReadBodyId(string property, string displayName, ValidationErrors errors)
    {
        if (Body(errors) is not JsonElement root)
        {
            return null;
        }

        if (!root.TryGetProperty(property, ignoreCase: true, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(property, Messages.NotEmpty(displayName));
            return null;
        }

        return CheckId(value.TryGetId(out long id), id, value.RawText(), property, displayName, errors);
    }

    public string? ReadBodyString(string property, ValidationErrors errors)
    {
        return Body(errors) is JsonElement root && root.TryGetProperty(property, ignoreCase: true, out var value)
            && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>A required positive id in the query string.</summary>
    public long? ReadQueryId(string name, string displayName, ValidationErrors errors)
    {
        string? raw = Query[name];
        if (string.IsNullOrEmpty(raw))
        {
            errors.Add(name, Messages.NotEmpty(displayName));
            return null;
        }

        bool parsed = long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id);
        return CheckId(parsed, id, raw, name, displayName, errors);
    }

    private static long? CheckId(bool parsed, long id, string raw, string property, string displayName, ValidationErrors errors)
    {
        if (!parsed)
        {
            errors.Add(property, Messages.NotValid(raw));
            return null;
        }

        if (id <= 0)
        {
            // FluentValidation's NotEmpty treats 0 as empty.
            errors.Add(property, id == 0 ? Messages.NotEmpty(displayName) : Messages.NotPositive(displayName));
            return null;
        }

        return id;
    }

    /// <summary><c>pageSize</c> (1-50, default 50) and record <c>offset</c> (default 0); null when either is invalid.</summary>
    public (int PageSize, int Offset)? ReadPaging(ValidationErrors errors)
    {
        int? pageSize = ReadQueryInt("pageSize", MaxPageSize, errors);
        int? offset = ReadQueryInt("offset", 0, errors);
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors.Add("pageSize", Messages.PageSize(pageSize.Value, MaxPageSize));
        }

        if (offset < 0)
        {
            errors.Add("offset", Messages.Offset());
        }

        return pageSize is >= 1 and <= MaxPageSize && offset >= 0 ? (pageSize.Value, offset.Value) : null;
    }

    /// <summary>An optional integer query value; absent means <paramref name="defaultValue"/>.</summary>
    private int? ReadQueryInt(string name, int defaultValue, ValidationErrors errors)
    {
        string? raw = Query[name];
        if (string.IsNullOrEmpty(raw))
        {
            return defaultValue;
        }

        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        errors.Add(name, Messages.NotValid(raw));
        return null;
    }

    /// <summary>A required ISO 8601 date-time in the query string; values without a zone are UTC.</summary>
    public DateTime? ReadQueryDate(string name, string displayName, ValidationErrors errors)
    {
        string? raw = Query[name];
        if (string.IsNullOrEmpty(raw))
        {
            errors.Add(name, Messages.NotEmpty(displayName));
            return null;
        }

        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        // An unencoded '+' in an offset arrives as a space; accept it rather than fail on a client's encoding slip.
        if (DateTime.TryParse(raw, CultureInfo.InvariantCulture, styles, out var value)
            || DateTime.TryParse(raw.Replace(' ', '+'), CultureInfo.InvariantCulture, styles, out value))
        {
            return value;
        }

        errors.Add(name, Messages.NotValid(raw));
        return null;
    }

    public void Dispose() => _document?.Dispose();
}
