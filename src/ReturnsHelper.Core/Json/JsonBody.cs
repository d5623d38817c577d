using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace ReturnsHelper.Json;

/// <summary>Request bodies, written once as UTF-8 bytes (every retry must send identical bytes).</summary>
internal static class JsonBody
{
    public static byte[] IdList(string propertyName, IReadOnlyList<long> ids)
        => Write(w =>
        {
            w.WriteStartArray(propertyName);
            foreach (var id in ids) w.WriteNumberValue(id);
            w.WriteEndArray();
        });

    public static byte[] Write(System.Action<Utf8JsonWriter> members)
    {
        using (var stream = new MemoryStream())
        {
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                members(writer);
                writer.WriteEndObject();
            }
            return stream.ToArray();
        }
    }
}
