using System;
using System.Globalization;
using System.IO;
using System.Text;
using ReturnsHelper.Http;

namespace ReturnsHelper.Webhooks;

/// <summary>
/// The log file of a webhook receiver run as a service (Receive-RrWebhook -LogPath): one line per entry,
/// "2026-01-31T12:00:00.123Z WARNING|INFO message", appended and flushed at once, so an operator can read it while
/// the service runs. Opened for appending with sharing, so readers and logrotate's copytruncate work while it is
/// open. Messages never hold a secret: the core never formats keys or tokens.
/// </summary>
internal sealed class WebhookLogFile : IDisposable
{
    private readonly FileStream stream;
    private readonly object gate = new object();

    public string Path { get; }

    public WebhookLogFile(string path)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
        stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    /// <summary>Appends one line; false when it could not be written (a full disk must not stop the service).</summary>
    public bool Append(string level, string message)
    {
        var line = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + " " + level + " "
            + message.Replace("\r", " ").Replace("\n", " ") + "\n";
        var bytes = Encoding.UTF8.GetBytes(line);
        lock (gate)
        {
            try
            {
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush();
                return true;
            }
            catch (Exception e) when (e is IOException || e is ObjectDisposedException)
            {
                return false;
            }
        }
    }

    public void Dispose()
    {
        lock (gate) stream.Dispose();
    }
}

/// <summary>
/// A log that also writes to a <see cref="WebhookLogFile"/>: every warning, and the lines said with
/// <see cref="WebhookServiceLogExtensions.Note"/> (start, refusal counts, processing failures). Everything still
/// goes on to the inner log (-Verbose, warnings).
/// </summary>
internal sealed class WebhookServiceLog : IRrLog
{
    private readonly IRrLog inner;

    public WebhookLogFile File { get; }

    public WebhookServiceLog(WebhookLogFile file, IRrLog inner)
    {
        File = file ?? throw new ArgumentNullException(nameof(file));
        this.inner = inner ?? NullLog.Instance;
    }

    public bool IsDebugEnabled => inner.IsDebugEnabled;
    public void Verbose(string message) => inner.Verbose(message);
    public void Debug(string message) => inner.Debug(message);

    public void Warning(string message)
    {
        Write("WARNING", message);
        inner.Warning(message);
    }

    /// <summary>A line for the log file (and -Verbose).</summary>
    public void Note(string message)
    {
        Write("INFO", message);
        inner.Verbose(message);
    }

    private void Write(string level, string message)
    {
        if (!File.Append(level, message)) inner.Verbose($"The log file {File.Path} could not be written.");
    }
}

internal static class WebhookServiceLogExtensions
{
    /// <summary>A line that belongs in the service's log file (-LogPath) when there is one; -Verbose otherwise.</summary>
    public static void Note(this IRrLog log, string message)
    {
        if (log is WebhookServiceLog service) service.Note(message);
        else log.Verbose(message);
    }
}
