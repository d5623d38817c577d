using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;

namespace ReturnsHelper.Commands;

/// <summary>JSON to and from PowerShell objects, for Invoke-RrApi and raw webhook bodies.</summary>
internal static class PSJson
{
    private const int MaxDepth = 64;

    /// <summary>JSON to PSCustomObject / object[] / primitives (the shape ConvertFrom-Json gives).</summary>
    public static object ToPSObject(JsonElement e, int depth = 0)
    {
        if (depth > MaxDepth) throw new InvalidDataException("The JSON is nested too deeply.");
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                return ToPSObject(e.EnumerateObject(), depth);
            case JsonValueKind.Array:
                return e.EnumerateArray().Select(x => ToPSObject(x, depth + 1)).ToArray();
            case JsonValueKind.String:
                return e.GetString();
            case JsonValueKind.Number:
                if (e.TryGetInt32(out var i)) return i;
                if (e.TryGetInt64(out var l)) return l;
                if (e.TryGetDecimal(out var m)) return m;
                return e.GetDouble();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            default: return null;
        }
    }

    /// <summary>Members of a JSON object to one PSCustomObject.</summary>
    public static object ToPSObject(IEnumerable<JsonProperty> members) => ToPSObject(members, 0);

    private static PSObject ToPSObject(IEnumerable<JsonProperty> members, int depth)
    {
        var o = new PSObject();
        foreach (var p in members) o.Properties.Add(new PSNoteProperty(p.Name, ToPSObject(p.Value, depth + 1)));
        return o;
    }

    /// <summary>
    /// A request body from what a user passes: a JSON string (checked, sent as is), a hashtable, a
    /// PSCustomObject, or an array of those.
    /// </summary>
    public static byte[] ToJsonBytes(object body)
    {
        var value = body is PSObject ps ? ps.BaseObject : body;
        if (value is string text)
        {
            using (JsonDocument.Parse(text)) { } // throws JsonException with the position of the problem
            return System.Text.Encoding.UTF8.GetBytes(text);
        }
        using (var stream = new MemoryStream())
        {
            using (var writer = new Utf8JsonWriter(stream)) Write(writer, body, 0);
            return stream.ToArray();
        }
    }

    private static void Write(Utf8JsonWriter w, object input, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException("The body is nested too deeply (or refers to itself).");
        var value = input is PSObject ps ? ps.BaseObject : input;
        switch (value)
        {
            case null: w.WriteNullValue(); return;
            case string s: w.WriteStringValue(s); return;
            case bool b: w.WriteBooleanValue(b); return;
            case char c: w.WriteStringValue(c.ToString()); return;
            case DateTime dt: w.WriteStringValue(dt.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)); return;
            case DateTimeOffset dto: w.WriteStringValue(dto.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)); return;
            case Enum en: w.WriteStringValue(en.ToString()); return;
            case IDictionary dict:
                w.WriteStartObject();
                foreach (DictionaryEntry entry in dict)
                {
                    w.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture));
                    Write(w, entry.Value, depth + 1);
                }
                w.WriteEndObject();
                return;
            case IEnumerable list:
                w.WriteStartArray();
                foreach (var item in list) Write(w, item, depth + 1);
                w.WriteEndArray();
                return;
        }
        if (value is IConvertible convertible && IsNumeric(convertible.GetTypeCode()))
        {
            w.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture));
            return;
        }
        // PSCustomObject and other objects: their properties.
        w.WriteStartObject();
        foreach (var property in PSObject.AsPSObject(input).Properties.Where(p => p.IsGettable))
        {
            w.WritePropertyName(property.Name);
            Write(w, property.Value, depth + 1);
        }
        w.WriteEndObject();
    }

    private static bool IsNumeric(TypeCode code) => code >= TypeCode.SByte && code <= TypeCode.Decimal;
}
