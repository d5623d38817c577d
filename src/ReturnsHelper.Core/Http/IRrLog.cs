namespace ReturnsHelper.Http;

/// <summary>
/// Where the HTTP core reports what it does. Cmdlets forward these to -Verbose / -Debug on the pipeline
/// thread. Messages never contain the API key or token: the core never formats headers.
/// </summary>
internal interface IRrLog
{
    public void Verbose(string message);
    public void Debug(string message);
    /// <summary>Something the user must see even without -Verbose (written as a warning).</summary>
    public void Warning(string message);
    public bool IsDebugEnabled { get; }
}

internal sealed class NullLog : IRrLog
{
    public static readonly NullLog Instance = new NullLog();
    public void Verbose(string message) { }
    public void Debug(string message) { }
    public void Warning(string message) { }
    public bool IsDebugEnabled => false;
}
