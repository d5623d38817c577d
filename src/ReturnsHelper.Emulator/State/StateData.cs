using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReturnsHelper.Emulator.State;

/// <summary>
/// Everything the emulated service knows, with its indexes. Not thread-safe by itself: all access goes through
/// <see cref="EmulatorState.Run{T}"/>, which holds one lock for the duration of a whole operation so multi-entity
/// changes (a recall over 100 inventories) are atomic.
/// </summary>
internal sealed class StateData
{
    public const long FirstSeedInventoryId = 100001;

    private readonly List<Account> _accounts = [];
    private readonly Dictionary<string, Account> _accountsByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Inventory> _inventories = [];
    private readonly Dictionary<int, InventoryTimeline> _timelines = [];
    private readonly Dictionary<long, Recall> _recalls = [];
    private readonly Dictionary<long, Resend> _resends = [];
    private readonly Dictionary<string, int> _sequences = new(StringComparer.Ordinal);

    private long _nextInventoryId = FirstSeedInventoryId;
    private long _nextRecallId = 1;
    private long _nextRecallInventoryId = 1;
    private long _nextChildId = 1;
    private long _nextResendId = 1;
    private long _nextResendShipmentId = 1;

    /// <summary>Bumped by every change, so the persister knows when a save is due.</summary>
    public long Version { get; private set; }

    public void MarkChanged() => Version++;

    public IReadOnlyList<Account> Accounts => _accounts;

    /// <summary>The account that the command-line credentials identify.</summary>
    public Account DefaultAccount => _accounts[0];

    public ICollection<Inventory> Inventories => _inventories.Values;

    public ICollection<Recall> Recalls => _recalls.Values;

    public ICollection<Resend> Resends => _resends.Values;

    public Account? FindAccount(string apiKey) => _accountsByKey.GetValueOrDefault(apiKey);

    /// <summary>The account with this key and token, or null.</summary>
    public Account? Authenticate(string? apiKey, string? apiToken) =>
        apiKey is not null && apiToken is not null && _accountsByKey.TryGetValue(apiKey, out var account)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(apiToken), Encoding.UTF8.GetBytes(account.ApiToken))
            ? account
            : null;

    /// <summary>Adds an account; throws <see cref="InvalidOperationException"/> when the key exists (see <see cref="ReplaceToken"/>).</summary>
    public Account AddAccount(string apiKey, string apiToken, string? apiName = null)
    {
        if (_accountsByKey.ContainsKey(apiKey))
        {
            throw new InvalidOperationException($"An account with the API key '{apiKey}' already exists.");
        }

        int apiId = _accounts.Count == 0 ? 1 : _accounts.Max(a => a.ApiId) + 1;
        var account = new Account
        {
            ApiId = apiId,
            ApiKey = apiKey,
            ApiToken = apiToken,
            ApiName = apiName ?? $"emulator-account-{apiId}",
            Balance = 2044.233m,
        };
        AddAccount(account);
        MarkChanged();
        return account;
    }

    /// <summary>Gives an existing account a new token (its id, name and data stay); null when the key is unknown.</summary>
    public Account? ReplaceToken(string apiKey, string apiToken)
    {
        if (!_accountsByKey.TryGetValue(apiKey, out var existing))
        {
            return null;
        }

        existing.ApiToken = apiToken;
        MarkChanged();
        return existing;
    }

    private void AddAccount(Account account)
    {
        _accounts.Add(account);
        _accountsByKey.Add(account.ApiKey, account);
        _timelines.Add(account.ApiId, new InventoryTimeline());
    }

    /// <summary>Gives the first account these credentials; false when another account already has the key.</summary>
    public bool TrySetDefaultCredentials(string apiKey, string apiToken)
    {
        var first = DefaultAccount;
        if (first.ApiKey != apiKey)
        {
            if (_accountsByKey.ContainsKey(apiKey))
            {
                return false;
            }

            _accountsByKey.Remove(first.ApiKey);
            first.ApiKey = apiKey;
            _accountsByKey.Add(apiKey, first);
        }

        first.ApiToken = apiToken;
        return true;
    }

    public Inventory? FindInventory(long returnInventoryId) => _inventories.GetValueOrDefault(returnInventoryId);

    /// <summary>Another account's inventory is reported exactly like one that does not exist.</summary>
    public Inventory? FindInventory(Account owner, long returnInventoryId) =>
        _inventories.TryGetValue(returnInventoryId, out var inventory) && inventory.ApiId == owner.ApiId ? inventory : null;

    public InventoryTimeline TimelineOf(Account owner) => _timelines[owner.ApiId];

    /// <summary>Adds an inventory; a zero id gets the next free one.</summary>
    public void AddInventory(Inventory inventory)
    {
        if (inventory.ReturnInventoryId == 0)
        {
            inventory.ReturnInventoryId = _nextInventoryId++;
        }
        else
        {
            _nextInventoryId = Math.Max(_nextInventoryId, inventory.ReturnInventoryId + 1);
        }

        _inventories.Add(inventory.ReturnInventoryId, inventory);
        _timelines[inventory.ApiId].Add(inventory);
        MarkChanged();
    }

    public Recall? FindRecall(long recallId) => _recalls.GetValueOrDefault(recallId);

    public Recall? FindRecall(Account owner, long recallId) =>
        _recalls.TryGetValue(recallId, out var recall) && recall.ApiId == owner.ApiId ? recall : null;

    public Recall? ActiveRecallOf(Inventory inventory) =>
        inventory.ActiveRecallId is long id ? _recalls.GetValueOrDefault(id) : null;

    /// <summary>Creates an empty pending recall numbered <c>RCL&lt;yyMMdd&gt;-&lt;7 digit daily sequence&gt;</c>.</summary>
    public Recall AddRecall(int apiId, int warehouseId, DateTime createOn)
    {
        string day = createOn.ToString("yyMMdd", CultureInfo.InvariantCulture);
        var recall = new Recall
        {
            RecallId = _nextRecallId++,
            ApiId = apiId,
            WarehouseId = warehouseId,
            RecallNumber = $"RCL{day}-{NextSequence("RCL" + day):D7}",
            CreateOn = createOn,
            ModifyOn = createOn,
        };
        _recalls.Add(recall.RecallId, recall);
        MarkChanged();
        return recall;
    }

    public long NewRecallInventoryId() => _nextRecallInventoryId++;

    public Resend? FindResend(long resendId) => _resends.GetValueOrDefault(resendId);

    public Resend? FindResend(Account owner, long resendId) =>
        _resends.TryGetValue(resendId, out var resend) && resend.ApiId == owner.ApiId ? resend : null;

    public Resend? ActiveResendOf(Inventory inventory) =>
        inventory.ActiveResendId is long id ? _resends.GetValueOrDefault(id) : null;

    /// <summary>Creates a pending resend numbered <c>RSD&lt;yyMMdd&gt;-&lt;7 digits&gt;</c>, its shipment <c>RSDS...</c>.</summary>
    public Resend AddResend(int apiId, int warehouseId, ResendShipment shipment, DateTime createOn)
    {
        string day = createOn.ToString("yyMMdd", CultureInfo.InvariantCulture);
        shipment.ResendShipmentId = _nextResendShipmentId++;
        shipment.ResendShipmentNumber = $"RSDS{day}-{NextSequence("RSDS" + day):D7}";
        var resend = new Resend
        {
            ResendId = _nextResendId++,
            ApiId = apiId,
            WarehouseId = warehouseId,
            ResendNumber = $"RSD{day}-{NextSequence("RSD" + day):D7}",
            CreateOn = createOn,
            ModifyOn = createOn,
            Shipment = shipment,
        };
        _resends.Add(resend.ResendId, resend);
        MarkChanged();
        return resend;
    }

    /// <summary>Ids of line-item children (images, VAS requests).</summary>
    public long NewChildId() => _nextChildId++;

    /// <summary>Warehouse RMA: <c>&lt;prefix&gt;-&lt;warehouse&gt;-&lt;yyMMdd&gt;-D&lt;5 digit daily sequence&gt;-&lt;2 check digits&gt;</c>.</summary>
    public string NewRma(Warehouse warehouse, DateTime receivedOn, int checkDigits)
    {
        string day = receivedOn.ToString("yyMMdd", CultureInfo.InvariantCulture);
        int sequence = NextSequence($"RMA{warehouse.WarehouseId}-{day}");
        return $"{warehouse.RmaPrefix}-{warehouse.WarehouseId}-{day}-D{sequence:D5}-{checkDigits:D2}";
    }

    /// <summary>Next value of a named counter (daily recall and RMA numbers, return request ids).</summary>
    public int NextSequence(string key)
    {
        int next = _sequences.GetValueOrDefault(key) + 1;
        _sequences[key] = next;
        return next;
    }

    public StateDocument ToDocument() => new()
    {
        NextInventoryId = _nextInventoryId,
        NextRecallId = _nextRecallId,
        NextRecallInventoryId = _nextRecallInventoryId,
        NextChildId = _nextChildId,
        NextResendId = _nextResendId,
        NextResendShipmentId = _nextResendShipmentId,
        Accounts = _accounts,
        Inventories = [.. _inventories.Values.OrderBy(i => i.ReturnInventoryId)],
        Recalls = [.. _recalls.Values.OrderBy(r => r.RecallId)],
        Resends = [.. _resends.Values.OrderBy(r => r.ResendId)],
        Sequences = _sequences,
    };

    /// <summary>Rebuilds the indexes from a loaded document; throws <see cref="InvalidDataException"/> when it does not hang together.</summary>
    public static StateData FromDocument(StateDocument document)
    {
        if (document.Accounts is not { Count: > 0 })
        {
            throw new InvalidDataException("it has no accounts.");
        }

        var data = new StateData();
        foreach (var account in document.Accounts)
        {
            if (string.IsNullOrEmpty(account.ApiKey) || data._accountsByKey.ContainsKey(account.ApiKey)
                || data._timelines.ContainsKey(account.ApiId))
            {
                throw new InvalidDataException($"account {account.ApiId} has an empty or repeated key or id.");
            }

            data.AddAccount(account);
        }

        foreach (var inventory in document.Inventories ?? [])
        {
            if (!data._timelines.ContainsKey(inventory.ApiId) || inventory.ReturnInventoryId <= 0
                || data._inventories.ContainsKey(inventory.ReturnInventoryId))
            {
                throw new InvalidDataException($"inventory {inventory.ReturnInventoryId} has a bad or repeated id or an unknown account.");
            }

            data.AddInventory(inventory);
        }

        foreach (var recall in document.Recalls ?? [])
        {
            if (recall.RecallId <= 0 || !data._recalls.TryAdd(recall.RecallId, recall))
            {
                throw new InvalidDataException($"recall {recall.RecallId} has a bad or repeated id.");
            }
        }

        foreach (var resend in document.Resends ?? [])
        {
            if (resend.ResendId <= 0 || !data._resends.TryAdd(resend.ResendId, resend))
            {
                throw new InvalidDataException($"resend {resend.ResendId} has a bad or repeated id.");
            }
        }

        foreach (var (key, value) in document.Sequences ?? [])
        {
            data._sequences[key] = value;
        }

        data.CheckRecallLines();
        data.CheckResendLines();
        data.CheckCounters(document);
        // A file without counters (written by hand, no ids in use) starts them where a fresh state does.
        data._nextInventoryId = Math.Max(data._nextInventoryId, document.NextInventoryId);
        data._nextRecallId = Math.Max(1, document.NextRecallId);
        data._nextRecallInventoryId = Math.Max(1, document.NextRecallInventoryId);
        data._nextChildId = Math.Max(1, document.NextChildId);
        data._nextResendId = Math.Max(1, document.NextResendId);
        data._nextResendShipmentId = Math.Max(1, document.NextResendShipmentId);
        return data;
    }

    /// <summary>
    /// Recalls and inventories must agree, or the emulator would answer for state that cannot exist: every line
    /// names an inventory of the recall's account, an inventory is in at most one active line, and an inventory's
    /// <see cref="Inventory.ActiveRecallId"/> is exactly the recall of its active line.
    /// </summary>
    private void CheckRecallLines()
    {
        var activeRecallOf = new Dictionary<long, Recall>();
        foreach (var recall in _recalls.Values.OrderBy(r => r.RecallId))
        {
            foreach (var line in recall.RecallInventoryList)
            {
                if (FindInventory(line.ReturnInventoryId) is not { } inventory || inventory.ApiId != recall.ApiId)
                {
                    throw new InvalidDataException(
                        $"recall {recall.RecallId} ({recall.RecallNumber}) lists inventory {line.ReturnInventoryId}, which does not exist in its account.");
                }

                if (line.IsActive && !activeRecallOf.TryAdd(inventory.ReturnInventoryId, recall))
                {
                    throw new InvalidDataException(
                        $"inventory {inventory.ReturnInventoryId} is in two active recalls, {activeRecallOf[inventory.ReturnInventoryId].RecallId} and {recall.RecallId}.");
                }
            }
        }

        foreach (var inventory in _inventories.Values)
        {
            long? listedIn = activeRecallOf.GetValueOrDefault(inventory.ReturnInventoryId)?.RecallId;
            if (inventory.ActiveRecallId != listedIn)
            {
                throw new InvalidDataException(
                    $"inventory {inventory.ReturnInventoryId} has activeRecallId {Describe(inventory.ActiveRecallId)}, but {(listedIn is null ? "no recall lists it as active" : $"recall {listedIn} lists it as active")}.");
            }
        }

        static string Describe(long? recallId) => recallId?.ToString(CultureInfo.InvariantCulture) ?? "null";
    }

    /// <summary>Like <see cref="CheckRecallLines"/>: an inventory's <see cref="Inventory.ActiveResendId"/> is exactly the active resend listing it.</summary>
    private void CheckResendLines()
    {
        var activeResendOf = new Dictionary<long, long>();
        foreach (var resend in _resends.Values.OrderBy(r => r.ResendId))
        {
            foreach (var line in resend.Lines)
            {
                if (FindInventory(line.ReturnInventoryId) is not { } inventory || inventory.ApiId != resend.ApiId)
                {
                    throw new InvalidDataException(
                        $"resend {resend.ResendId} ({resend.ResendNumber}) lists inventory {line.ReturnInventoryId}, which does not exist in its account.");
                }

                if (resend.IsActive && !activeResendOf.TryAdd(inventory.ReturnInventoryId, resend.ResendId))
                {
                    throw new InvalidDataException($"inventory {inventory.ReturnInventoryId} is in two active resends.");
                }
            }
        }

        foreach (var inventory in _inventories.Values)
        {
            long? listedIn = activeResendOf.TryGetValue(inventory.ReturnInventoryId, out long id) ? id : null;
            if (inventory.ActiveResendId != listedIn)
            {
                throw new InvalidDataException(
                    $"inventory {inventory.ReturnInventoryId} has activeResendId {inventory.ActiveResendId?.ToString(CultureInfo.InvariantCulture) ?? "null"}, but {(listedIn is null ? "no resend lists it as active" : $"resend {listedIn} lists it as active")}.");
            }
        }
    }

    /// <summary>
    /// Each counter must be past every id (and each daily recall sequence past every recall number of its day)
    /// already in use. A counter behind is a rolled-back file: raising it silently would hide that acknowledged
    /// data was lost, and a client may already hold the ids it would hand out again.
    /// </summary>
    private void CheckCounters(StateDocument document)
    {
        static void Require(long counter, string name, long? lastInUse, string what)
        {
            if (lastInUse is long last && counter <= last)
            {
                throw new InvalidDataException(
                    $"its counter {name} ({counter}) is not past {what} {last}, which is already in use: the counters were rolled back.");
            }
        }

        Require(document.NextInventoryId, "nextInventoryId", _inventories.Keys.Max(id => (long?)id), "inventory");
        Require(document.NextRecallId, "nextRecallId", _recalls.Keys.Max(id => (long?)id), "recall");
        Require(document.NextRecallInventoryId, "nextRecallInventoryId",
            _recalls.Values.SelectMany(r => r.RecallInventoryList).Max(ri => (long?)ri.RecallInventoryId), "recall inventory");
        Require(document.NextChildId, "nextChildId", _inventories.Values
            .SelectMany(i => (i.Images ?? []).Select(x => x.ReturnRequestLineItemImageId)
                .Concat((i.VasList ?? []).Select(v => v.ReturnRequestLineItemVasId)))
            .Max(id => (long?)id), "image or VAS id");
        Require(document.NextResendId, "nextResendId", _resends.Keys.Max(id => (long?)id), "resend");
        Require(document.NextResendShipmentId, "nextResendShipmentId", _resends.Values.Max(r => (long?)r.Shipment.ResendShipmentId), "resend shipment");
        foreach (var recall in _recalls.Values)
        {
            // RCL<yyMMdd>-<7-digit daily sequence>, counted in the sequence "RCL<yyMMdd>".
            if (recall.RecallNumber is { Length: 17 } number && number.StartsWith("RCL", StringComparison.Ordinal) && number[9] == '-'
                && int.TryParse(number.AsSpan(10), NumberStyles.None, CultureInfo.InvariantCulture, out int sequence)
                && _sequences.GetValueOrDefault(number[..9]) < sequence)
            {
                throw new InvalidDataException(
                    $"its sequence {number[..9]} ({_sequences.GetValueOrDefault(number[..9])}) is behind recall number {number}, which is already in use: the counters were rolled back.");
            }
        }
    }
}

/// <summary>The state file's content (see StateFile).</summary>
internal sealed class StateDocument
{
    public string Format { get; set; } = StateFile.FormatName;
    public int FormatVersion { get; set; } = StateFile.CurrentFormatVersion;
    public long NextInventoryId { get; set; }
    public long NextRecallId { get; set; }
    public long NextRecallInventoryId { get; set; }
    public long NextChildId { get; set; }
    public List<Account>? Accounts { get; set; }
    public List<Inventory>? Inventories { get; set; }
    public List<Recall>? Recalls { get; set; }
    public long NextResendId { get; set; }
    public long NextResendShipmentId { get; set; }
    public List<Resend>? Resends { get; set; }
    public Dictionary<string, int>? Sequences { get; set; }
}
