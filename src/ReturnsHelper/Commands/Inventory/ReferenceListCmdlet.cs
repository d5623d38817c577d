using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Base of the reference-data cmdlets: one cached list per session (-Refresh reads it again), optionally
/// narrowed by key. A key without wildcards that matches nothing is an ObjectNotFound error, as in Get-Process -Name.
/// </summary>
public abstract class ReferenceListCmdlet<T> : RrApiCmdlet where T : class
{
    [Parameter]
    public SwitchParameter Refresh { get; set; }

    /// <summary>The -key values given, as text (null when none).</summary>
    protected abstract IEnumerable<string> Keys { get; }
    /// <summary>The item's key as text.</summary>
    protected abstract string KeyOf(T item);
    /// <summary>What the list is, for messages, e.g. "warehouse".</summary>
    protected abstract string Noun { get; }
    private protected abstract Task<IReadOnlyList<T>> FetchAsync(RrSession session, bool refresh, IRrLog log, CancellationToken ct);

    // Keys from every pipeline record (Get-RrInventory | Get-RrWarehouse), distinct, in order of arrival.
    private List<string> keys;
    private readonly HashSet<string> seenKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    protected override void ProcessRecord()
    {
        if (Keys == null) return;
        keys = keys ?? new List<string>();
        foreach (var key in Keys) if (seenKeys.Add(key)) keys.Add(key);
    }

    protected override void EndProcessing()
    {
        var session = ActiveSession;
        IReadOnlyList<T> items;
        try
        {
            items = Await((log, ct) => FetchAsync(session, Refresh, log, ct));
        }
        catch (RrApiException e)
        {
            WriteApiError(e, Noun);
            return;
        }
        var patterns = keys?.Select(k => new { Text = k, Pattern = new WildcardPattern(k, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant) }).ToList();
        var matched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            if (patterns != null)
            {
                var hits = patterns.Where(p => p.Pattern.IsMatch(KeyOf(item) ?? "")).ToList();
                if (hits.Count == 0) continue;
                foreach (var hit in hits) matched.Add(hit.Text);
            }
            WriteObject(item);
        }
        if (patterns == null) return;
        foreach (var missing in patterns.Where(p => !WildcardPattern.ContainsWildcardCharacters(p.Text) && !matched.Contains(p.Text)))
            WriteError(new ErrorRecord(new ItemNotFoundException($"There is no {Noun} '{missing.Text}' in {session.Environment}."),
                "RrReferenceNotFound", ErrorCategory.ObjectNotFound, missing.Text));
    }
}
