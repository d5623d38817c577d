using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests.Fakes;

/// <summary>Records what the core would send to -Verbose / -Debug.</summary>
public sealed class TestLog : IRrLog
{
    private readonly List<string> verbose = new();
    private readonly List<string> debug = new();

    public TestLog(bool debugEnabled = false) => IsDebugEnabled = debugEnabled;

    public bool IsDebugEnabled { get; }
    public IReadOnlyList<string> VerboseLines { get { lock (verbose) return verbose.ToList(); } }
    public IReadOnlyList<string> DebugLines { get { lock (debug) return debug.ToList(); } }
    public IEnumerable<string> AllLines => VerboseLines.Concat(DebugLines);

    public void Verbose(string message) { lock (verbose) verbose.Add(message); }
    public void Debug(string message) { lock (debug) debug.Add(message); }
    public void Warning(string message) { lock (verbose) verbose.Add("WARNING: " + message); }
}
