namespace ReturnsHelper.Emulator.State;

/// <summary>
/// One account's inventories kept sorted by (createOn, returnInventoryId), the order of <c>ReturnInventory/list</c>,
/// so a list window is two binary searches and a page is a slice.
/// </summary>
internal sealed class InventoryTimeline
{
    private readonly List<Inventory> _items = [];

    public int Count => _items.Count;

    public Inventory this[int index] => _items[index];

    public void Add(Inventory inventory)
    {
        // Seeded and newly received inventories arrive in order, so appending is the common case.
        if (_items.Count == 0 || Compare(_items[^1], inventory) <= 0)
        {
            _items.Add(inventory);
            return;
        }

        int lo = 0, hi = _items.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Compare(_items[mid], inventory) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        _items.Insert(lo, inventory);
    }

    /// <summary>Index of the first inventory created at or after <paramref name="instant"/>.</summary>
    public int LowerBound(DateTime instant)
    {
        long ticks = instant.Ticks;
        int lo = 0, hi = _items.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_items[mid].CreateOn.Ticks < ticks)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int Compare(Inventory a, Inventory b)
    {
        int byTime = a.CreateOn.Ticks.CompareTo(b.CreateOn.Ticks);
        return byTime != 0 ? byTime : a.ReturnInventoryId.CompareTo(b.ReturnInventoryId);
    }
}
