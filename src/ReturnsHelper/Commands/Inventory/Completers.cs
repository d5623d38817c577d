using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;

namespace ReturnsHelper.Commands;

/// <summary>
/// Shared by the completers: which session to use, and reference data that never blocks the prompt for
/// more than about two seconds. Cached data (even stale) is used at once; otherwise one fetch per session
/// and list is started and waited for at most <see cref="Budget"/>, once. It keeps running after that, so a
/// later Tab finds the cache filled (and does not wait for it again); a failed fetch is not retried for
/// <see cref="RetryAfterFailure"/>.
/// </summary>
internal static class CompletionSupport
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FetchLimit = TimeSpan.FromSeconds(30);

    private sealed class Fetch
    {
        public Task Task;
        public DateTime Started;
        /// <summary>Set once a Tab gave up waiting for it: later Tabs do not wait for the same fetch again.</summary>
        public volatile bool WaitedOut;
    }

    private static readonly ConditionalWeakTable<RrSession, ConcurrentDictionary<string, Fetch>> Fetches = new ConditionalWeakTable<RrSession, ConcurrentDictionary<string, Fetch>>();

    /// <summary>-Session as typed on the command line (when the completion engine could evaluate it), else the runspace default.</summary>
    public static RrSession SessionFrom(IDictionary fakeBoundParameters)
    {
        if (fakeBoundParameters != null)
            foreach (DictionaryEntry entry in fakeBoundParameters)
                if (string.Equals(entry.Key as string, "Session", StringComparison.OrdinalIgnoreCase))
                {
                    var value = entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
                    if (value is RrSession given) return given.IsDisposed ? null : given;
                }
        var current = SessionStore.Current(null);
        return current != null && !current.IsDisposed ? current : null;
    }

    /// <summary>The cached list, else what a fetch bounded by <see cref="Budget"/> returns, else null.</summary>
    public static IReadOnlyList<T> ReferenceList<T>(RrSession session, string key, Func<RrSession, CancellationToken, Task<IReadOnlyList<T>>> fetch) where T : class
    {
        if (session == null) return null;
        var cached = ReferenceApi.Cached<T>(session, key);
        if (cached != null) return cached;
        var fetches = Fetches.GetOrCreateValue(session);
        var now = DateTime.UtcNow;
        var current = fetches.AddOrUpdate(key,
            _ => Start(session, fetch, now),
            (_, old) => old.Task.IsFaulted || old.Task.IsCanceled ? (now - old.Started > RetryAfterFailure ? Start(session, fetch, now) : old)
                : old.Task.IsCompleted ? Start(session, fetch, now) // completed but the cache was cleared since
                : old);
        var task = (Task<IReadOnlyList<T>>)current.Task;
        try
        {
            if (task.Wait(current.WaitedOut ? TimeSpan.Zero : Budget)) return task.Result;
            current.WaitedOut = true;
            return null;
        }
        catch (AggregateException)
        {
            return null; // offline or refused: complete from what is known
        }
    }

    private static Fetch Start<T>(RrSession session, Func<RrSession, CancellationToken, Task<IReadOnlyList<T>>> fetch, DateTime now)
    {
        var cts = new CancellationTokenSource(FetchLimit);
        var task = Task.Run(() => fetch(session, cts.Token));
        // Observe the failure so it never surfaces as an unobserved task exception.
        task.ContinueWith(t => { _ = t.Exception; cts.Dispose(); }, TaskScheduler.Default);
        return new Fetch { Task = task, Started = now };
    }

    /// <summary>Completion text without the quotes a user may have started typing.</summary>
    public static string Word(string wordToComplete) => (wordToComplete ?? "").Trim('\'', '"');

    public static CompletionResult Result(string text, string listItem, string toolTip)
        => new CompletionResult(text, string.IsNullOrEmpty(listItem) ? text : listItem, CompletionResultType.ParameterValue,
            string.IsNullOrEmpty(toolTip) ? text : toolTip);
}

/// <summary>
/// Completes handling codes with their meanings: the session's handling types (handling/getAllHandlings)
/// when known, else the documented codes.
/// </summary>
public class HandlingCodeCompleter : IArgumentCompleter
{
    /// <summary>False for codes this parameter would refuse.</summary>
    protected virtual bool Offer(string code) => true;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = CompletionSupport.Word(wordToComplete);
        var session = CompletionSupport.SessionFrom(fakeBoundParameters);
        var types = CompletionSupport.ReferenceList(session, ReferenceApi.HandlingTypesKey,
            (s, ct) => ReferenceApi.GetHandlingTypesAsync(s, false, null, ct));
        var codes = types != null && types.Count > 0
            ? types.Where(t => !string.IsNullOrEmpty(t.HandlingCode))
                .Select(t => new KeyValuePair<string, string>(t.HandlingCode, t.HandlingDescription ?? InventoryInput.Meaning(t.HandlingCode)))
            : Codes.HandlingCodes;
        return codes
            .Where(c => Offer(c.Key) && c.Key.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(c => CompletionSupport.Result(c.Key, c.Key + (string.IsNullOrEmpty(c.Value) ? "" : " - " + c.Value), c.Value))
            .ToList();
    }
}

/// <summary>Handling codes Set-RrInventoryHandling can set: tbc, rsd and rtn are left out (each has its own way).</summary>
public sealed class SettableHandlingCodeCompleter : HandlingCodeCompleter
{
    protected override bool Offer(string code) => !Codes.ForbiddenHandlingUpdates.ContainsKey(code);
}

/// <summary>Completes the documented handling statuses.</summary>
public sealed class HandlingStatusCompleter : IArgumentCompleter
{
    private static readonly KeyValuePair<string, string>[] Statuses =
    {
        new KeyValuePair<string, string>("pending", "Decided, the warehouse has not started (can still be changed or cancelled)"),
        new KeyValuePair<string, string>("inProgress", "The warehouse is working on it"),
        new KeyValuePair<string, string>("completed", "The warehouse has finished"),
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = CompletionSupport.Word(wordToComplete);
        return Statuses.Where(s => s.Key.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(s => CompletionSupport.Result(s.Key, s.Key, s.Value)).ToList();
    }
}

/// <summary>Completes warehouse ids from the session's warehouses (cached, or fetched within about two seconds).</summary>
public sealed class WarehouseIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = CompletionSupport.Word(wordToComplete);
        var session = CompletionSupport.SessionFrom(fakeBoundParameters);
        var warehouses = CompletionSupport.ReferenceList(session, ReferenceApi.WarehousesKey,
            (s, ct) => ReferenceApi.GetWarehousesAsync(s, false, null, ct));
        if (warehouses == null) return new CompletionResult[0];
        return warehouses
            .Where(w => w.WarehouseId.ToString().StartsWith(word, StringComparison.Ordinal)
                        || (w.Description ?? "").StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .OrderBy(w => w.WarehouseId)
            .Select(w => CompletionSupport.Result(w.WarehouseId.ToString(), $"{w.WarehouseId} {w.Description}".Trim(), Describe(w)))
            .ToList();
    }

    private static string Describe(Warehouse w)
    {
        var place = string.Join(", ", new[] { w.City, w.CountryCode }.Where(s => !string.IsNullOrEmpty(s)));
        return string.Join(" - ", new[] { w.Description ?? $"Warehouse {w.WarehouseId}", place }.Where(s => !string.IsNullOrEmpty(s)));
    }
}
