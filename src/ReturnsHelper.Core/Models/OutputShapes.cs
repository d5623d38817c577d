using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;

namespace ReturnsHelper;

/// <summary>The module's times: the service's UTC times with their offset (+00:00), so no view or CSV file loses the zone.</summary>
internal static class OutputTime
{
    public static DateTimeOffset? Utc(DateTime? utc)
        => utc.HasValue ? new DateTimeOffset(DateTime.SpecifyKind(utc.Value, DateTimeKind.Utc)) : (DateTimeOffset?)null;
}

/// <summary>
/// Return inventory ids as a read-only list whose text is the ids separated by <see cref="Recall.TextSeparator"/>.
/// Export-Csv writes a property's ToString(): for an array that is its type name (System.Int64[]), for this list
/// the ids ("100001;100002"). In PowerShell it is a list like any other (Count, indexing, the pipeline, -contains).
/// </summary>
public sealed class InventoryIdList : ReadOnlyCollection<long>
{
    public InventoryIdList(IList<long> ids) : base(ids) { }

    public override string ToString() => Text(this);

    internal static string Text(IEnumerable<long> ids) => string.Join(Recall.TextSeparator, ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));

    /// <summary>For code written when the ids were an array.</summary>
    public static implicit operator long[](InventoryIdList ids) => ids?.ToArray();
}

/// <summary>
/// The lines of a recall as a read-only list whose text is their return inventory ids separated by
/// <see cref="Recall.TextSeparator"/> (what Export-Csv writes, instead of ReturnsHelper.RecallInventory[]).
/// </summary>
public sealed class RecallInventoryCollection : ReadOnlyCollection<RecallInventory>
{
    internal static readonly RecallInventoryCollection Empty = new RecallInventoryCollection(new RecallInventory[0]);

    public RecallInventoryCollection(IList<RecallInventory> lines) : base(lines) { }

    /// <summary>Like an array's, for code written when the lines were one.</summary>
    public int Length => Count;

    public override string ToString() => InventoryIdList.Text(this.Select(i => i.ReturnInventoryId));

    public static implicit operator RecallInventoryCollection(RecallInventory[] lines)
        => lines == null ? null : new RecallInventoryCollection(lines);
}

/// <summary>Photo URLs as a read-only list whose text (what Export-Csv writes) is the URLs separated by <see cref="Recall.TextSeparator"/>.</summary>
public sealed class UrlList : ReadOnlyCollection<string>
{
    public UrlList(IList<string> urls) : base(urls) { }

    public override string ToString() => string.Join(Recall.TextSeparator, this);
}

/// <summary>Metadata keyed by "metaType.key", whose text (what Export-Csv writes) is "key=value" pairs separated by <see cref="Recall.TextSeparator"/>.</summary>
public sealed class MetaMap : Dictionary<string, string>
{
    public override string ToString() => string.Join(Recall.TextSeparator, this.Select(kv => kv.Key + "=" + kv.Value));
}
