using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace ReturnsHelper.Json;

/// <summary>
/// Tolerant readers for server JSON. The API is inconsistent about representation (ids as numbers or
/// strings, codes as strings or integers, times with or without a zone), so every read goes through here.
/// A wrong type never throws: it reads as missing.
/// </summary>
internal static class JsonRead
{
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        if (obj.ValueKind != JsonValueKind.Object) return false;
        if (!obj.TryGetProperty(name, out value)) return false;
        return value.ValueKind != JsonValueKind.Null && value.ValueKind != JsonValueKind.Undefined;
    }

    public static long? Long(JsonElement obj, string name)
        => TryGet(obj, name, out var v) ? AsLong(v) : null;

    public static long? AsLong(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                if (v.TryGetInt64(out var l)) return l;
                if (v.TryGetDecimal(out var d) && d == Math.Truncate(d) && d >= long.MinValue && d <= long.MaxValue) return (long)d;
                return null;
            case JsonValueKind.String:
                return long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : (long?)null;
            default:
                return null;
        }
    }

    public static int? Int(JsonElement obj, string name)
        => TryGet(obj, name, out var v) ? AsInt(v) : null;

    public static int? AsInt(JsonElement v)
    {
        var l = AsLong(v);
        return l.HasValue && l.Value >= int.MinValue && l.Value <= int.MaxValue ? (int)l.Value : (int?)null;
    }

    public static decimal? Decimal(JsonElement obj, string name)
        => TryGet(obj, name, out var v) ? AsDecimal(v) : null;

    public static decimal? AsDecimal(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d)) return d;
        if (v.ValueKind == JsonValueKind.String && decimal.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)) return s;
        return null;
    }

    public static bool? Bool(JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.True) return true;
        if (v.ValueKind == JsonValueKind.False) return false;
        if (v.ValueKind == JsonValueKind.String && bool.TryParse(v.GetString(), out var b)) return b;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i != 0;
        return null;
    }

    /// <summary>Strings, and numbers/booleans rendered invariantly (a code sent as 3 reads as "3").</summary>
    public static string String(JsonElement obj, string name)
        => TryGet(obj, name, out var v) ? AsString(v) : null;

    public static string AsString(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.String: return v.GetString();
            case JsonValueKind.Number: return v.GetRawText();
            case JsonValueKind.True: return "true";
            case JsonValueKind.False: return "false";
            default: return null;
        }
    }

    /// <summary>ISO 8601 times; values without a zone are UTC (the API's own convention).</summary>
    public static DateTime? Time(JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out var v)) return null;
        // Fast path: ISO 8601 (what the service and the ledger write), read straight from the UTF-8 bytes.
        if (v.ValueKind == JsonValueKind.String && v.TryGetDateTime(out var iso))
            return iso.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(iso, DateTimeKind.Utc) : iso.ToUniversalTime();
        var s = AsString(v);
        if (string.IsNullOrEmpty(s)) return null;
        return DateTime.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : (DateTime?)null;
    }

    public static IEnumerable<JsonElement> Array(JsonElement obj, string name)
    {
        if (TryGet(obj, name, out var v) && v.ValueKind == JsonValueKind.Array)
            foreach (var e in v.EnumerateArray()) yield return e;
    }

    public static Dictionary<string, string> StringMap(JsonElement obj, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (TryGet(obj, name, out var v) && v.ValueKind == JsonValueKind.Object)
            foreach (var p in v.EnumerateObject())
                map[p.Name] = p.Value.ValueKind == JsonValueKind.Object || p.Value.ValueKind == JsonValueKind.Array
                    ? p.Value.GetRawText() : AsString(p.Value);
        return map;
    }
}
