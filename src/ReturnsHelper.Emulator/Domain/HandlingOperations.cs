using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Domain;

/// <summary>
/// Handling decisions: the documented rules (no <c>rsd</c>/<c>tbc</c>, pending VAS blocks, nothing once the
/// warehouse has started) plus the emulator's own where the docs are silent (see the README).
/// Callers hold the state lock; a refused change adds a message under <c>returnInventoryId</c>.
/// </summary>
internal static class HandlingOperations
{
    public const string IdProperty = "returnInventoryId";
    public const string CodeProperty = "handlingCode";

    /// <summary>Checks a requested code against getAllHandlings and the codes this endpoint refuses.</summary>
    public static HandlingCode? ParseRequestedCode(string? text, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(CodeProperty, Messages.NotEmpty("Handling Code"));
            return null;
        }

        if (!Codes.TryParseHandlingCode(text, out var code) || int.TryParse(text, out _))
        {
            errors.Add(CodeProperty, Messages.UnknownHandlingCode(text));
            return null;
        }

        if (code is HandlingCode.Tbc or HandlingCode.Rsd or HandlingCode.Rtn)
        {
            errors.Add(CodeProperty, Messages.HandlingCodeNotSettable(code));
            return null;
        }

        return code;
    }

    public static void Update(StateData data, Account owner, long id, HandlingCode code, ValidationErrors errors, DateTime now)
    {
        var inventory = data.FindInventory(owner, id);
        // Status first: once the warehouse acted (a shipped recall included) nothing else matters.
        string? problem = inventory is null ? Messages.InventoryNotFound(id)
            : inventory.HandlingStatusCode != HandlingStatus.Pending ? Messages.HandlingNotPending(inventory)
            : data.ActiveRecallOf(inventory) is { } recall ? Messages.InRecallCancelItInstead(id, recall)
            : inventory.HasPendingVas ? Messages.PendingVas(id)
            : null;
        if (problem is not null)
        {
            errors.Add(IdProperty, problem);
            return;
        }

        // The docs: the RMA mapping is locked unless the new code is ohd or oth.
        SetPendingHandling(data, inventory!, code, rmaLocked: code is not (HandlingCode.Ohd or HandlingCode.Oth), now);
    }

    public static void Cancel(StateData data, Account owner, long id, ValidationErrors errors, DateTime now)
    {
        var inventory = data.FindInventory(owner, id);
        string? problem = inventory is null ? Messages.InventoryNotFound(id)
            : inventory.HandlingStatusCode != HandlingStatus.Pending ? Messages.HandlingNotPending(inventory)
            : data.ActiveRecallOf(inventory) is { } recall ? Messages.InRecallCancelItInstead(id, recall)
            : inventory.HandlingCode == HandlingCode.Tbc ? Messages.NothingToCancel(id)
            : inventory.HasPendingVas ? Messages.PendingVas(id)
            : null;
        if (problem is not null)
        {
            errors.Add(IdProperty, problem);
            return;
        }

        SetPendingHandling(data, inventory!, HandlingCode.Tbc, rmaLocked: false, now);
    }

    private static void SetPendingHandling(StateData data, Inventory inventory, HandlingCode code, bool rmaLocked, DateTime now)
    {
        inventory.HandlingCode = code;
        inventory.HandlingStatusCode = HandlingStatus.Pending;
        inventory.RmaLocked = rmaLocked;
        inventory.HandlingUpdatedOn = now;
        inventory.ModifyOn = now;
        data.MarkChanged();
    }

    /// <summary>
    /// The warehouse acts on a pending decision (control surface): <c>inProgress</c>, or <c>completed</c> with
    /// <c>completeOn</c>. Recalled inventories move with their recall instead. Returns an error or null.
    /// </summary>
    public static string? WarehouseProgress(StateData data, Inventory inventory, HandlingStatus target, DateTime now)
    {
        long id = inventory.ReturnInventoryId;
        if (inventory.HandlingCode == HandlingCode.Tbc)
        {
            return $"Return inventory {id} has no handling decision ('tbc') for the warehouse to act on.";
        }

        if (data.ActiveRecallOf(inventory) is { } recall)
        {
            return $"Return inventory {id} is in recall {recall.RecallNumber}; advance the recall instead.";
        }

        if (inventory.HandlingStatusCode >= target)
        {
            return $"Return inventory {id} is already '{inventory.HandlingStatusCode.Wire()}'.";
        }

        inventory.HandlingStatusCode = target;
        inventory.HandlingUpdatedOn = now;
        inventory.ModifyOn = now;
        if (target == HandlingStatus.Completed)
        {
            inventory.CompleteOn = now;
        }

        data.MarkChanged();
        return null;
    }
}
