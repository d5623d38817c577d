using System;
using System.IO;
using System.Security;

namespace ReturnsHelper;

/// <summary>
/// A small file a long-running command re-reads when it changes (the API token file, the webhook signing key file):
/// a change is a different last-write time or size, which costs one file-system query to check.
/// </summary>
internal sealed class WatchedFile
{
    private DateTime lastWriteUtc;
    private long length = -1;
    private string problem; // the last problem reported by ReadIfChanged, until a read succeeds

    public string Path { get; }

    public WatchedFile(string path) => Path = path ?? throw new ArgumentNullException(nameof(path));

    /// <summary>True when the file's time or size differs from when it was last read (or it was never read).</summary>
    public bool HasChanged()
    {
        try
        {
            var info = new FileInfo(Path);
            return !info.Exists || info.LastWriteTimeUtc != lastWriteUtc || info.Length != length;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is SecurityException)
        {
            return true; // the read that follows reports it
        }
    }

    /// <summary>
    /// <paramref name="read"/>'s value when the file changed since it was last read (or always, with <paramref name="force"/>),
    /// else null. A read that fails (null, with its sentence) gives null and reports that sentence in
    /// <paramref name="problemText"/> once, not again until a read succeeds or another problem appears, so a bad file
    /// in a long-running service is warned about once. The caller serialises calls (the file's time and size are state).
    /// </summary>
    public T ReadIfChanged<T>(bool force, ReadFile<T> read, out string problemText) where T : class
    {
        problemText = null;
        if (!force && !HasChanged()) return null;
        var value = read(out var error);
        if (value == null && error != problem) problemText = error;
        problem = value == null ? error : null;
        return value;
    }

    /// <summary>Reads the file into a value, or null with a sentence naming the file (never its content).</summary>
    public delegate T ReadFile<T>(out string error);

    /// <summary>The file's text, trimmed, remembering its time and size; null with <paramref name="error"/> (naming the file, never its content) when it cannot be read.</summary>
    public string ReadText(string what, out string error)
    {
        error = null;
        try
        {
            var info = new FileInfo(Path);
            var stamp = info.LastWriteTimeUtc;
            var size = info.Exists ? info.Length : -1;
            var text = File.ReadAllText(Path).Trim();
            lastWriteUtc = stamp;
            length = size;
            return text;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is SecurityException)
        {
            // The exception's message names the file at most: it cannot contain content that was not read.
            error = $"The {what} file '{Path}' cannot be read ({e.GetType().Name}: {e.Message}).";
            return null;
        }
    }
}
