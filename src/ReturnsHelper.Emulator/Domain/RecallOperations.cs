using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Domain;

/// <summary>
/// The recall rules. Every batch operation is all-or-nothing: each id is checked first, and nothing changes
/// unless every id passes; otherwise <paramref name="errors"/> holds one message per failing index.
/// Callers hold the state lock.
/// </summary>
internal static class RecallOperations
{
    /// <summary>Creates one recall per warehouse involved, in the order the warehouses first appear in the list.</summary>
    public static List<Recall>? Create(StateData data, Account owner, long?[] ids, ValidationErrors errors, DateTime now)
    {
        var spec = IdListSpec.ReturnInventories;
        var inventories = new Inventory[ids.Length];
        errors.CheckEach(spec, ids, (index, id) =>
        {
            var inventory = data.FindInventory(owner, id);
            if (inventory is null)
            {
                return Messages.NotFound(spec, id);
            }

            inventories[index] = inventory;
            return WhyNotRecallable(data, inventory);
        });
        if (errors.HasErrors)
        {
            return null;
        }

        // The fee is only known when the recall ships (and charged then): an account already out of money gets no recall.
        if (owner.Balance <= 0)
        {
            errors.Add(ResendOperations.BalanceProperty, ResendMessages.BalanceNotPositive(owner.Balance));
            return null;
        }

        var recalls = new List<Recall>();
        foreach (var warehouseGroup in inventories.GroupBy(i => i.WarehouseId))
        {
            var recall = data.AddRecall(owner.ApiId, warehouseGroup.Key, now);
            foreach (var inventory in warehouseGroup)
            {
                AddToRecall(data, recall, inventory, now);
            }

            recalls.Add(recall);
        }

        return recalls;
    }

    private static string? WhyNotRecallable(StateData data, Inventory inventory)
    {
        if (data.ActiveRecallOf(inventory) is { } recall)
        {
            return Messages.AlreadyInRecall(inventory.ReturnInventoryId, recall);
        }

        if (inventory.HandlingCode is not (HandlingCode.Tbc or HandlingCode.Ohd) || inventory.HandlingStatusCode != HandlingStatus.Pending)
        {
            return Messages.NotRecallable(inventory);
        }

        return inventory.HasPendingVas ? Messages.PendingVas(inventory.ReturnInventoryId) : null;
    }

    /// <summary>Puts an inventory in a recall: handling <c>rtn</c>, RMA locked, previous code remembered for a cancel.</summary>
    public static void AddToRecall(StateData data, Recall recall, Inventory inventory, DateTime now)
    {
        recall.RecallInventoryList.Add(new RecallInventory
        {
            RecallInventoryId = data.NewRecallInventoryId(),
            ReturnInventoryId = inventory.ReturnInventoryId,
            RecallInventoryStatusCode = RecallInventoryStatus.InProgress,
            Rma = inventory.Rma,
        });
        inventory.CodeBeforeRecall = inventory.HandlingCode;
        inventory.HandlingCode = HandlingCode.Rtn;
        inventory.HandlingStatusCode = HandlingStatus.Pending;
        inventory.RmaLocked = true;
        inventory.ActiveRecallId = recall.RecallId;
        inventory.HandlingUpdatedOn = now;
        inventory.ModifyOn = now;
        data.MarkChanged();
    }

    /// <summary>Cancels whole recalls; only pending ones can be cancelled.</summary>
    public static List<Recall>? Cancel(StateData data, Account owner, long?[] ids, ValidationErrors errors, DateTime now)
    {
        var spec = IdListSpec.Recalls;
        var recalls = new Recall[ids.Length];
        errors.CheckEach(spec, ids, (index, id) =>
        {
            var recall = data.FindRecall(owner, id);
            if (recall is null)
            {
                return Messages.NotFound(spec, id);
            }

            recalls[index] = recall;
            return recall.RecallStatusCode == RecallStatus.Pending ? null : Messages.RecallNotCancellable(recall);
        });
        if (errors.HasErrors)
        {
            return null;
        }

        foreach (var recall in recalls)
        {
            foreach (var item in recall.RecallInventoryList.Where(i => i.IsActive))
            {
                Release(data, item, now);
            }

            SetStatus(data, recall, RecallStatus.Canceled, now);
        }

        return [.. recalls];
    }

    /// <summary>
    /// Takes only the given inventories out of their pending recalls; a recall left without active inventories
    /// is cancelled. Answers with the affected recalls as they are now.
    /// </summary>
    public static List<Recall>? CancelByInventory(StateData data, Account owner, long?[] ids, ValidationErrors errors, DateTime now)
    {
        var spec = IdListSpec.ReturnInventories;
        var items = new (Recall Recall, RecallInventory Item)[ids.Length];
        errors.CheckEach(spec, ids, (index, id) =>
        {
            var inventory = data.FindInventory(owner, id);
            if (inventory is null)
            {
                return Messages.NotFound(spec, id);
            }

            var recall = data.ActiveRecallOf(inventory);
            if (recall is null)
            {
                return Messages.NotInRecall(id);
            }

            if (recall.RecallStatusCode != RecallStatus.Pending)
            {
                return Messages.RecallInventoryNotCancellable(id, recall);
            }

            items[index] = (recall, recall.RecallInventoryList.First(i => i.IsActive && i.ReturnInventoryId == id));
            return null;
        });
        if (errors.HasErrors)
        {
            return null;
        }

        var affected = new List<Recall>();
        foreach (var (recall, item) in items)
        {
            Release(data, item, now);
            if (!affected.Contains(recall))
            {
                affected.Add(recall);
            }
        }

        foreach (var recall in affected)
        {
            recall.ModifyOn = now;
            if (!recall.RecallInventoryList.Exists(i => i.IsActive))
            {
                SetStatus(data, recall, RecallStatus.Canceled, now);
            }
        }

        return affected;
    }

    /// <summary>Cancels a recall inventory and gives its inventory back the handling it had before the recall.</summary>
    private static void Release(StateData data, RecallInventory item, DateTime now)
    {
        item.RecallInventoryStatusCode = RecallInventoryStatus.Canceled;
        var inventory = data.FindInventory(item.ReturnInventoryId)!;
        inventory.HandlingCode = inventory.CodeBeforeRecall ?? HandlingCode.Tbc;
        inventory.CodeBeforeRecall = null;
        inventory.HandlingStatusCode = HandlingStatus.Pending;
        inventory.RmaLocked = false;
        inventory.ActiveRecallId = null;
        inventory.HandlingUpdatedOn = now;
        inventory.ModifyOn = now;
        data.MarkChanged();
    }

    private static void SetStatus(StateData data, Recall recall, RecallStatus status, DateTime now)
    {
        recall.RecallStatusCode = status;
        recall.ModifyOn = now;
        data.MarkChanged();
    }

    /// <summary>
    /// Moves a recall one step along the documented lifecycle (what the warehouse does) and returns the
    /// <c>recallUpdateTypeStatus</c> of the step, or null with <paramref name="error"/> when there is no next step.
    /// </summary>
    public static string? Advance(StateData data, Recall recall, string pickUpCode, DateTime now, out string? error)
    {
        error = null;
        var active = recall.RecallInventoryList.Where(i => i.IsActive).ToList();
        switch (recall.RecallStatusCode)
        {
            case RecallStatus.Pending:
                // The international leg leaves the warehouse: the inventories' handling is now in progress.
                foreach (var item in active)
                {
                    item.RecallInventoryStatusCode = RecallInventoryStatus.InTransit;
                    item.TrackingNumber = $"{recall.RecallNumber}-AWB";
                    SetInventoryStatus(data.FindInventory(item.ReturnInventoryId)!, HandlingStatus.InProgress, now);
                }

                SetStatus(data, recall, RecallStatus.InProgress, now);
                return "updateTrackingNumber";

            case RecallStatus.InProgress:
                // Arrived at the recall destination: the warehouse's part of the handling is done.
                foreach (var item in active)
                {
                    var inventory = data.FindInventory(item.ReturnInventoryId)!;
                    item.RecallInventoryStatusCode = RecallInventoryStatus.ReadyToPickUp;
                    item.ListName = $"{recall.RecallNumber}-ListName";
                    item.Weight = inventory.Weight;
                    item.Amount = inventory.Quantity;
                    SetInventoryStatus(inventory, HandlingStatus.Completed, now);
                }

                SetStatus(data, recall, RecallStatus.Completed, now);
                return "markReadyToPickUp";

            case RecallStatus.Completed when active.Exists(i => i.RecallInventoryStatusCode == RecallInventoryStatus.ReadyToPickUp):
                foreach (var item in active)
                {
                    item.RecallInventoryStatusCode = RecallInventoryStatus.PickedUp;
                    item.PickUpCode = pickUpCode;
                    item.PickUpOn = now;
                    item.CourierTrackingNumber = pickUpCode == PickUpCodes.CourierPickUp ? $"DHL {recall.RecallNumber}" : null;
                }

                recall.ModifyOn = now;
                data.MarkChanged();
                return pickUpCode switch
                {
                    PickUpCodes.CourierPickUp => "pickUpToCourierPickUp",
                    PickUpCodes.Others => "pickUpToOthers",
                    _ => "pickUpToSelfPickUp",
                };

            default:
                error = $"Recall {recall.RecallId} is '{recall.RecallStatusCode.Wire()}'" +
                    (recall.RecallStatusCode == RecallStatus.Completed ? " and already picked up" : "") + "; it cannot advance.";
                return null;
        }
    }

    /// <summary>
    /// Charges the account for a recall that just shipped (the fee is known then). Called by the control surface's
    /// advance, not by <see cref="Advance"/>: seeded recalls are history from before the balance the seed starts with.
    /// </summary>
    public static void ChargeShipping(StateData data, Recall recall)
    {
        data.Accounts.First(a => a.ApiId == recall.ApiId).Balance -= ResendRates.RecallFeePerInventory * recall.RecallInventoryList.Count(i => i.IsActive);
        data.MarkChanged();
    }

    private static void SetInventoryStatus(Inventory inventory, HandlingStatus status, DateTime now)
    {
        inventory.HandlingStatusCode = status;
        inventory.HandlingUpdatedOn = now;
        inventory.ModifyOn = now;
        if (status == HandlingStatus.Completed)
        {
            inventory.CompleteOn = now;
        }
    }
}
