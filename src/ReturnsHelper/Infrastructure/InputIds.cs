using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Reads one id from whatever the pipeline carries: numbers, strings (Get-Content lines, CSV cells),
/// typed objects and CSV rows with any of the usual column names. Untrusted input: every problem is a
/// clear message, never an exception or a silent skip.
/// </summary>
internal sealed class InputIds
{
    /// <summary>
    /// The one list of names a record may carry a return inventory id under (CSV headers, properties, hashtable
    /// keys), matched ignoring case, spaces, underscores and hyphens: "Return Inventory ID", "return_inventory_id"
    /// and "inventory-id" all match. Every cmdlet's -ReturnInventoryId [Alias] list is this list minus its own
    /// name (a test holds them together).
    /// </summary>
    public static readonly string[] InventoryIdNames = { "ReturnInventoryId", "InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id" };

    private readonly Cmdlet cmdlet;
    private readonly string[] propertyNames;
    private readonly string idNoun;
    private readonly HashSet<long> seen;
    private bool firstRecordSeen;

    /// <param name="propertyNames">The accepted names, in order of preference.</param>
    /// <param name="idNoun">What the id is, for messages, e.g. "return inventory ID".</param>
    /// <param name="skipRepeats">An id met before is a warning and is not passed on again.</param>
    public InputIds(Cmdlet cmdlet, string[] propertyNames, string idNoun, bool skipRepeats)
    {
        this.cmdlet = cmdlet;
        this.propertyNames = propertyNames;
        this.idNoun = idNoun;
        seen = skipRepeats ? new HashSet<long>() : null;
    }

    /// <summary>
    /// Calls <paramref name="act"/> with every usable id in <paramref name="items"/> and the input it came from
    /// (the CSV row itself: the TargetObject of any later error about it). An unusable item is a per-item error
    /// (RrInvalidInput, the item as TargetObject) and is never sent. The first record (a CSV row, an object) with no
    /// id property at all stops the command: every later row would fail the same way.
    /// </summary>
    public void ForEach(IEnumerable<object> items, Action<long, object> act)
    {
        foreach (var item in items ?? new object[] { null })
        {
            if (!TryRead(item, propertyNames, out var id, out var problem, out var isRecord, out var propertyFound))
            {
                if (isRecord && !propertyFound && !firstRecordSeen) ThrowNoIdColumn(item);
                if (isRecord) firstRecordSeen = true;
                cmdlet.WriteError(new ErrorRecord(new ArgumentException(Sentence.End("Skipped input: " + problem)), "RrInvalidInput", ErrorCategory.InvalidArgument, item));
                continue;
            }
            if (isRecord) firstRecordSeen = true;
            if (seen != null && !seen.Add(id))
            {
                cmdlet.WriteWarning($"{id} appears more than once in the input; it is sent once.");
                continue;
            }
            act(id, item);
        }
    }

    private void ThrowNoIdColumn(object item)
    {
        var found = PropertyNamesOf(item);
        var message = found.Count == 0
            ? $"The input has no {idNoun}: the first input object has no properties. Give numbers, or objects with a column named {Alternatives()}."
            : $"The input has no {idNoun} column: the first input object has {Quote(found)}, and none is {Alternatives()} (case, spaces, underscores and hyphens are ignored).";
        if (found.Count == 1 && (found[0].IndexOf(';') >= 0 || found[0].IndexOf('\t') >= 0))
            message += $" Its one column name contains '{(found[0].IndexOf(';') >= 0 ? ";" : "\\t")}': was the file written with that delimiter? Read it with Import-Csv -Delimiter '{(found[0].IndexOf(';') >= 0 ? ";" : "`t")}'.";
        if (found.Any(n => Normalize(n) == "rma"))
            message += " To find inventories by their RMA column, give the column to Get-RrInventory -Rma, e.g. Get-RrInventory -Rma (Import-Csv ./rmas.csv).Rma.";
        cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), "RrNoIdProperty", ErrorCategory.InvalidArgument, item));
    }

    private string Alternatives() => string.Join(", ", propertyNames.Take(propertyNames.Length - 1).Select(n => "'" + n + "'")) + " or '" + propertyNames.Last() + "'";

    private static string Quote(IList<string> names)
    {
        const int shown = 8;
        var text = string.Join(", ", names.Take(shown).Select(n => "'" + Shorten(n) + "'"));
        return (names.Count == 1 ? "one property, " : $"the properties ") + text + (names.Count > shown ? $" (+{names.Count - shown} more)" : "");
    }

    private static List<string> PropertyNamesOf(object item)
    {
        var value = item is PSObject ps ? ps.BaseObject : item;
        if (value is IDictionary dictionary) return dictionary.Keys.Cast<object>().Select(k => k?.ToString() ?? "").ToList();
        return PSObject.AsPSObject(item).Properties.Where(p => p.IsGettable).Select(p => p.Name).ToList();
    }

    /// <summary>True when the record <paramref name="input"/> has a property with one of <paramref name="names"/> (normalized).</summary>
    public static bool HasProperty(object input, string[] names)
        => FindProperty(input, input is PSObject ps ? ps.BaseObject : input, names, out _, out _);

    /// <summary>"Return Inventory ID", "return_inventory_id" and "ReturnInventoryId" are one name.</summary>
    public static string Normalize(string name)
        => new string((name ?? "").Where(c => !char.IsWhiteSpace(c) && c != '_' && c != '-').Select(char.ToLowerInvariant).ToArray());

    private static bool TryRead(object input, string[] propertyNames, out long id, out string problem, out bool isRecord, out bool propertyFound)
    {
        id = 0;
        isRecord = false;
        propertyFound = false;
        var value = input is PSObject ps ? ps.BaseObject : input;
        if (value == null) { problem = "The value is null."; return false; }

        if (value is string text) return TryParseText(text, out id, out problem);
        if (TryConvertNumber(value, out id, out problem)) return CheckPositive(id, value, out problem);
        if (problem != null) return false;

        // A record: a CSV row (PSCustomObject), a hashtable, or a typed object such as Inventory.
        isRecord = true;
        propertyFound = FindProperty(input, value, propertyNames, out var propertyValue, out var propertyName);
        if (!propertyFound)
        {
            problem = $"The input has no usable id: expected a number or an object with one of the properties {string.Join(", ", propertyNames)}.";
            return false;
        }
        if (propertyValue is PSObject || propertyValue is string || IsNumber(propertyValue is PSObject p ? p.BaseObject : propertyValue) || propertyValue == null)
        {
            if (TryRead(propertyValue, new string[0], out id, out var inner, out _, out _)) { problem = null; return true; }
            problem = $"Property '{propertyName}': {inner}";
            return false;
        }
        problem = propertyValue is UnreadableProperty unreadable
            ? $"Property '{propertyName}' cannot be read: {Sentence.Of(unreadable.Error)}"
            : $"Property '{propertyName}' holds a {propertyValue.GetType().Name}, not an id.";
        return false;
    }

    private static bool TryParseText(string text, out long id, out string problem)
    {
        id = 0;
        var trimmed = text.Trim();
        if (trimmed.Length == 0) { problem = "The value is empty."; return false; }
        var control = -1;
        for (var i = 0; i < trimmed.Length && control < 0; i++) if (char.IsControl(trimmed[i])) control = i;
        if (control >= 0)
        {
            // .NET's number parsing ignores trailing NULs: "12\0" must not become 12.
            problem = $"'{Printable(trimmed)}' holds the control character U+{(int)trimmed[control]:X4}, so it is not an id.";
            return false;
        }
        if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out id))
            return CheckPositive(id, text, out problem);
        if (trimmed.TrimStart('-', '+').All(c => c >= '0' && c <= '9'))
        {
            problem = $"'{Shorten(trimmed)}' is out of range for an id.";
            return false;
        }
        problem = Rma.LooksLikeRma(trimmed)
            ? $"'{trimmed}' is an RMA, not a return inventory ID: find its inventory with Get-RrInventory -Rma '{trimmed}' and pipe that."
            : $"'{Shorten(trimmed)}' is not a whole number.";
        return false;
    }

    private static bool TryConvertNumber(object value, out long id, out string problem)
    {
        id = 0;
        problem = null;
        switch (value)
        {
            case long l: id = l; return true;
            case int i: id = i; return true;
            case short s: id = s; return true;
            case byte b: id = b; return true;
            case sbyte sb: id = sb; return true;
            case ushort us: id = us; return true;
            case uint ui: id = ui; return true;
            case ulong ul:
                if (ul > long.MaxValue) { problem = $"{ul} is out of range for an id."; return false; }
                id = (long)ul; return true;
            case double d: return FromDecimalLike(d, out id, out problem);
            case float f: return FromDecimalLike(f, out id, out problem);
            case decimal m: return FromDecimalLike((double)m, out id, out problem, m);
            case System.Numerics.BigInteger big:
                if (big > long.MaxValue || big < long.MinValue) { problem = $"{big} is out of range for an id."; return false; }
                id = (long)big; return true;
            default: return false;
        }
    }

    private static bool FromDecimalLike(double d, out long id, out string problem, decimal? exact = null)
    {
        id = 0;
        if (double.IsNaN(d) || double.IsInfinity(d) || Math.Abs(d) >= 9.2e18) { problem = $"{d.ToString(CultureInfo.InvariantCulture)} is out of range for an id."; return false; }
        var isWhole = exact.HasValue ? exact.Value == decimal.Truncate(exact.Value) : d == Math.Truncate(d);
        if (!isWhole) { problem = $"{(exact.HasValue ? exact.Value.ToString(CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture))} is not a whole number."; return false; }
        id = exact.HasValue ? (long)exact.Value : (long)d;
        problem = null;
        return true;
    }

    private static bool IsNumber(object value) => value is long || value is int || value is short || value is byte || value is sbyte || value is ushort
        || value is uint || value is ulong || value is double || value is float || value is decimal || value is System.Numerics.BigInteger;

    private static bool CheckPositive(long id, object original, out string problem)
    {
        problem = id > 0 ? null : $"{id} is not a valid id: ids are greater than 0.";
        return id > 0;
    }

    private static bool FindProperty(object input, object baseObject, string[] names, out object value, out string name)
    {
        value = null;
        name = null;
        var wanted = NormalizedNames.GetValue(names, list => list.Select(Normalize).ToArray());
        if (baseObject is IDictionary dictionary)
        {
            foreach (var candidate in wanted)
                foreach (DictionaryEntry entry in dictionary)
                    if (entry.Key is string key && Normalize(key) == candidate)
                    {
                        value = entry.Value;
                        name = key;
                        return true;
                    }
            return false;
        }
        var ps = input as PSObject ?? PSObject.AsPSObject(baseObject);
        List<PSPropertyInfo> all = null; // listed only when no name matches as written (the fast path for typed objects and usual headers)
        for (var i = 0; i < names.Length; i++)
        {
            var property = ps.Properties[names[i]]
                ?? (all ?? (all = ps.Properties.ToList())).FirstOrDefault(p => Normalize(p.Name) == wanted[i]);
            if (property == null) continue;
            try { value = property.Value; }
            catch (GetValueException e) { value = new UnreadableProperty(e.InnerException ?? e); }
            name = property.Name;
            return true;
        }
        return false;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string[], string[]> NormalizedNames
        = new System.Runtime.CompilerServices.ConditionalWeakTable<string[], string[]>();

    /// <summary>A property whose getter threw: reported with the getter's own message, not as "null".</summary>
    private sealed class UnreadableProperty
    {
        public UnreadableProperty(Exception error) { Error = error; }
        public Exception Error { get; }
    }

    /// <summary>The text with control characters shown as \uXXXX, shortened: safe to put in a message.</summary>
    private static string Printable(string s)
        => Shorten(string.Concat(s.Select(c => char.IsControl(c) ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString())));

    private static string Shorten(string s) => s.Length <= 40 ? s : s.Substring(0, 40) + "...";
}
