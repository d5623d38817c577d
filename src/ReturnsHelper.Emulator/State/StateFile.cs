using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReturnsHelper.Emulator.State;

/// <summary>
/// Reads and writes the <c>--state-file</c>. A file that exists but cannot be read or understood is a startup
/// error, never a silent reset; writes go to a temporary file that is then renamed over the old one.
/// </summary>
internal static class StateFile
{
    public const string FormatName = "ReturnsHelper.Emulator.State";
    public const int CurrentFormatVersion = 1;

    public static StateData Load(string path)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmulatorStartupException($"The state file '{path}' cannot be read: {e.Message}", e);
        }

        StateDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(content, StateJsonContext.Default.StateDocument);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw Corrupt(path, $"it is not valid JSON ({e.Message})", e);
        }

        if (document is null || document.Format != FormatName)
        {
            throw Corrupt(path, $"it is not an emulator state file (\"format\" must be \"{FormatName}\")");
        }

        if (document.FormatVersion != CurrentFormatVersion)
        {
            throw Corrupt(path, $"its format version {document.FormatVersion} is not supported (expected {CurrentFormatVersion})");
        }

        try
        {
            return StateData.FromDocument(document);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, e.Message.TrimEnd('.'), e);
        }
    }

    /// <summary>Serializes under the caller's state lock; the bytes are written later, outside it.</summary>
    public static byte[] Serialize(StateData data) =>
        JsonSerializer.SerializeToUtf8Bytes(data.ToDocument(), StateJsonContext.Default.StateDocument);

    public static void Write(string path, byte[] content)
    {
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string temporary = fullPath + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, fullPath, overwrite: true);
    }

    private static EmulatorStartupException Corrupt(string path, string reason, Exception? inner = null) =>
        new($"The state file '{path}' is corrupt: {reason}. Fix or delete it, or start without --state-file.", inner);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StateDocument))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
