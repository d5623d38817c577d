using System;
using System.Collections.Generic;
using System.IO;

namespace ReturnsHelper.Webhooks;

/// <summary>
/// Webhook signing keys kept in a file (Receive-RrWebhook -SigningKeyPath), one Base64 key per line (blank lines and
/// lines starting with # ignored), re-read when the file changes, so a running receiver accepts a rotated key without
/// a restart: during a rotation the file holds the old and the new key and a delivery signed with either is accepted.
/// A file that becomes unreadable, empty or invalid keeps the keys read before (with one warning). Messages name the
/// file and a line number, never a key.
/// </summary>
internal sealed class WebhookSigningKeyFile
{
    private const string What = "webhook signing key";
    private readonly object gate = new object();
    private readonly WatchedFile file;

    public string Path => file.Path;

    public WebhookSigningKeyFile(string path) => file = new WatchedFile(path);

    /// <summary>The keys now in the file; <see cref="WebhookFormatException"/> (SigningKey) when there are none or one is not Base64.</summary>
    public IReadOnlyList<byte[]> Read()
    {
        lock (gate)
        {
            var keys = ReadKeys(out var error);
            if (keys == null) throw new WebhookFormatException(WebhookField.SigningKey, error);
            return keys;
        }
    }

    /// <summary>The keys when the file changed since it was last read, else null; a bad file gives null and, once per problem, <paramref name="problemText"/>.</summary>
    public IReadOnlyList<byte[]> ReadIfChanged(out string problemText)
    {
        lock (gate)
        {
            var keys = file.ReadIfChanged<List<byte[]>>(force: false, ReadKeys, out problemText);
            if (problemText != null) problemText += " The receiver keeps the keys it has.";
            return keys;
        }
    }

    private List<byte[]> ReadKeys(out string error)
    {
        var text = file.ReadText(What, out error);
        if (text == null) return null;
        var keys = new List<byte[]>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal)) continue;
            try { keys.Add(WebhookSignature.DecodeSigningKey(line)); }
            catch (WebhookFormatException e)
            {
                error = $"Line {i + 1} of the {What} file '{Path}': {e.Message}";
                return null;
            }
        }
        if (keys.Count == 0) error = $"The {What} file '{Path}' holds no key (one Base64 key per line).";
        return keys.Count == 0 ? null : keys;
    }
}
