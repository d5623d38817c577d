namespace ReturnsHelper.Emulator.Domain;

/// <summary>
/// The <c>meta.error</c> map of a soft error: request property path to message, in the order found.
/// Several messages for one property are comma-joined, as the real validator does.
/// </summary>
internal sealed class ValidationErrors
{
    private readonly List<KeyValuePair<string, string>> _entries = [];

    public bool HasErrors => _entries.Count > 0;

    public IReadOnlyList<KeyValuePair<string, string>> Entries => _entries;

    public void Add(string property, string message)
    {
        int index = _entries.FindIndex(e => e.Key == property);
        if (index < 0)
        {
            _entries.Add(new(property, message));
        }
        else
        {
            _entries[index] = new(property, _entries[index].Value + ", " + message);
        }
    }

    /// <summary>
    /// Runs <paramref name="check"/> on every id that passed parsing (null entries were already reported) and
    /// records its message, if any, under <c>property[index]</c>.
    /// </summary>
    public void CheckEach(IdListSpec spec, long?[] ids, Func<int, long, string?> check)
    {
        for (int index = 0; index < ids.Length; index++)
        {
            if (ids[index] is long id && check(index, id) is string message)
            {
                Add(spec.ItemPath(index), message);
            }
        }
    }
}

/// <summary>How an id-list request property is named on the wire and in messages.</summary>
internal sealed record IdListSpec(string Property, string DisplayName, string Entity, int MaxItems = 100)
{
    public static readonly IdListSpec ReturnInventories = new("returnInventoryIdList", "Return Inventory Id List", "Return inventory");
    public static readonly IdListSpec Recalls = new("recallIdList", "Recall Id List", "Recall");

    public string ItemPath(int index) => $"{Property}[{index}]";
}
