using System;
using System.IO;
using System.Net;
using System.Security;

namespace ReturnsHelper;

/// <summary>
/// The API token kept in a file (Connect-RrService -TokenPath), so a long-running service picks up a rotated
/// token without a restart: the session looks at the file's time and size before each request and re-reads it
/// when they changed, and re-reads it once more after a 401 (a change within the file system's time resolution
/// keeps both). The file holds the token alone; surrounding white space (a trailing newline) is ignored. Rotate
/// by writing a new file and renaming it over the old one, so no reader sees half a token. Messages name the file,
/// never its content.
/// </summary>
internal sealed class ApiTokenFile
{
    private const string What = "API token";
    private readonly object gate = new object();
    private readonly WatchedFile file;

    public string Path => file.Path;

    public ApiTokenFile(string path) => file = new WatchedFile(path);

    /// <summary>The token now in the file; IOException (naming the file only) when it cannot be read or is empty.</summary>
    public SecureString Read()
    {
        lock (gate)
        {
            var token = ReadToken(out var error);
            if (token == null) throw new IOException(error);
            return token;
        }
    }

    /// <summary>True when the file changed since the session last read it (its next request will use the new token).</summary>
    public bool HasChanged()
    {
        lock (gate) return file.HasChanged();
    }

    /// <summary>
    /// The token when the file changed since it was last read (or always, with <paramref name="force"/>), else null.
    /// A file that cannot be read or is empty gives null and, once per problem, a sentence in <paramref name="problemText"/>.
    /// </summary>
    public SecureString ReadIfChanged(bool force, out string problemText)
    {
        lock (gate)
        {
            var token = file.ReadIfChanged<SecureString>(force, ReadToken, out problemText);
            if (problemText != null) problemText += " The session keeps the token it has.";
            return token;
        }
    }

    private SecureString ReadToken(out string error)
    {
        var text = file.ReadText(What, out error);
        if (text == null) return null;
        if (text.Length == 0)
        {
            error = $"The {What} file '{Path}' is empty.";
            return null;
        }
        var token = new NetworkCredential(string.Empty, text).SecurePassword;
        token.MakeReadOnly();
        return token;
    }
}
