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
