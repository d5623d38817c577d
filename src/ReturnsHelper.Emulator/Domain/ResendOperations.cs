using System.Globalization;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Domain;

/// <summary>
/// The resend rules (API notes 4.6, 6.2). Create is all-or-nothing like a recall: every id and the address are
/// checked first and nothing changes unless all pass. Callers hold the state lock.
/// </summary>
internal static class ResendOperations
{
    public const string ResendIdProperty = "resendId";
    public const string ShipmentProperty = "resendShipment";
    public const string BalanceProperty = "apiBalance";

    public static readonly IdListSpec Inventories = new("returnInventoryIdList", "Return Inventory Id List", "Return inventory", ResendRates.GroupMaxCount);

    public static Resend? Create(
        StateData data, Account owner, long?[] ids, ResendShipment shipment, string? description, string? remarks, ValidationErrors errors, DateTime now)
    {
        var inventories = new Inventory?[ids.Length];
        errors.CheckEach(Inventories, ids, (index, id) =>
        {
            var inventory = data.FindInventory(owner, id);
            if (inventory is null)
            {
                return Messages.NotFound(Inventories, id);
            }

            inventories[index] = inventory;
            return WhyNotResendable(data, inventory);
        });

        // One warehouse per resend: the first inventory found decides, every other one is named.
        var warehouse = inventories.FirstOrDefault(i => i is not null) is { } first ? Warehouses.Find(first.WarehouseId) : null;
        for (int index = 0; index < inventories.Length; index++)
        {
            if (inventories[index] is { } other && warehouse is not null && other.WarehouseId != warehouse.WarehouseId)
            {
                errors.Add(Inventories.ItemPath(index), ResendMessages.OtherWarehouse(other, warehouse.WarehouseId));
            }
        }

        if (warehouse is not null)
        {
            CheckServiceType(warehouse, shipment, errors);
        }

        if (errors.HasErrors || warehouse is null)
        {
            return null;
        }

        var items = inventories.Select(i => i!).ToList();
        shipment.ChargeableWeight = ResendRates.ChargeableWeight(items);
        decimal fee = ResendRates.Find(warehouse, shipment.ShipmentServiceType)!.FeeFor(shipment.ChargeableWeight);
        if (owner.Balance < fee)
        {
            errors.Add(BalanceProperty, ResendMessages.BalanceTooLow(owner.Balance, fee));
            return null;
        }

        owner.Balance -= fee;
        var resend = data.AddResend(owner.ApiId, warehouse.WarehouseId, shipment, now);
        resend.Fee = fee;
        resend.Description = description;
        resend.Remarks = remarks;
        foreach (var inventory in items)
        {
            resend.Lines.Add(new ResendLine { ReturnInventoryId = inventory.ReturnInventoryId, CodeBeforeResend = inventory.HandlingCode });
            inventory.ActiveResendId = resend.ResendId;
            inventory.RmaLocked = true;
            SetHandling(inventory, HandlingCode.Rsd, HandlingStatus.Pending, now);
        }

        data.MarkChanged();
        return resend;
    }

    /// <summary>The same rules as a recall (6.2: "recall/resend only from tbc/ohd with status pending"), first failing rule only.</summary>
    private static string? WhyNotResendable(StateData data, Inventory inventory)
    {
        if (data.ActiveResendOf(inventory) is { } resend)
        {
            return ResendMessages.AlreadyInResend(inventory.ReturnInventoryId, resend);
        }

        if (data.ActiveRecallOf(inventory) is { } recall)
        {
            return Messages.AlreadyInRecall(inventory.ReturnInventoryId, recall);
        }

        if (inventory.HandlingCode is not (HandlingCode.Tbc or HandlingCode.Ohd) || inventory.HandlingStatusCode != HandlingStatus.Pending)
        {
            return ResendMessages.NotResendable(inventory);
        }

        return inventory.HasPendingVas ? Messages.PendingVas(inventory.ReturnInventoryId) : null;
    }

    private static void CheckServiceType(Warehouse warehouse, ResendShipment shipment, ValidationErrors errors)
    {
        if (shipment.ShipmentServiceType.Length == 0)
        {
            return; // already reported as empty
        }

        var serviceType = ResendRates.Find(warehouse, shipment.ShipmentServiceType);
        if (serviceType is null)
        {
            errors.Add($"{ShipmentProperty}.shipmentServiceType", ResendMessages.UnknownServiceType(shipment.ShipmentServiceType, warehouse.WarehouseId));
        }
        else if (serviceType.IsOthers)
        {
            errors.Add($"{ShipmentProperty}.shipmentServiceType", ResendMessages.OthersNeedsCustomerService());
        }
        else if (shipment.ShipmentCountryCode.Length > 0 && !string.Equals(serviceType.ToCountryCode, shipment.ShipmentCountryCode, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{ShipmentProperty}.shipmentCountryCode", ResendMessages.WrongDestination(serviceType));
        }
        else
        {
            shipment.ShipmentServiceType = serviceType.Code;
        }
    }

    /// <summary>Only a pending resend (no label yet) can be cancelled.</summary>
    public static Resend? Cancel(StateData data, Account owner, long resendId, ValidationErrors errors, DateTime now)
    {
        var resend = data.FindResend(owner, resendId);
        if (resend is null)
        {
            errors.Add(ResendIdProperty, ResendMessages.NotFound(resendId));
            return null;
        }

        if (resend.ResendStatusCode != ResendStatus.Pending)
        {
            errors.Add(ResendIdProperty, ResendMessages.NotCancellable(resend));
            return null;
        }

        Release(data, resend, ResendStatus.Canceled, now);
        return resend;
    }

    /// <summary>
    /// The warehouse's next step: pending → in progress (label and tracking number) → completed; or failed, from pending
    /// (no label) or in progress, with <paramref name="failure"/> as the shipment's error. Null with
    /// <paramref name="error"/> when there is no such step.
    /// </summary>
    public static bool Advance(StateData data, Resend resend, string? failure, DateTime now, out string? error)
    {
        error = null;
        if (resend.ResendStatusCode is not (ResendStatus.Pending or ResendStatus.InProgress))
        {
            error = $"Resend {resend.ResendId} is '{Wire(resend.ResendStatusCode)}'; it cannot advance.";
            return false;
        }

        if (failure is not null)
        {
            resend.Shipment.Error = failure;
            Release(data, resend, ResendStatus.Failed, now);
            return true;
        }

        var status = resend.ResendStatusCode == ResendStatus.Pending ? HandlingStatus.InProgress : HandlingStatus.Completed;
        if (status == HandlingStatus.InProgress)
        {
            resend.Shipment.ShipmentLabelId = Guid.NewGuid().ToString();
            resend.Shipment.TrackingNumber = $"9200{resend.ResendId:D18}";
        }

        foreach (var line in resend.Lines)
        {
            var inventory = data.FindInventory(line.ReturnInventoryId)!;
            SetHandling(inventory, HandlingCode.Rsd, status, now);
            if (status == HandlingStatus.Completed)
            {
                inventory.CompleteOn = now;
            }
        }

        resend.ResendStatusCode = status == HandlingStatus.InProgress ? ResendStatus.InProgress : ResendStatus.Completed;
        resend.ModifyOn = now;
        data.MarkChanged();
        return true;
    }

    /// <summary>Cancelled or failed: the fee goes back to the balance, each inventory back to its handling before the resend.</summary>
    private static void Release(StateData data, Resend resend, ResendStatus status, DateTime now)
    {
        data.Accounts.First(a => a.ApiId == resend.ApiId).Balance += resend.Fee;
        foreach (var line in resend.Lines)
        {
            var inventory = data.FindInventory(line.ReturnInventoryId)!;
            inventory.ActiveResendId = null;
            inventory.RmaLocked = false;
            SetHandling(inventory, line.CodeBeforeResend, HandlingStatus.Pending, now);
        }

        resend.ResendStatusCode = status;
        resend.ModifyOn = now;
        data.MarkChanged();
    }

    private static void SetHandling(Inventory inventory, HandlingCode code, HandlingStatus status, DateTime now)
    {
        inventory.HandlingCode = code;
        inventory.HandlingStatusCode = status;
        inventory.HandlingUpdatedOn = now;
        inventory.ModifyOn = now;
    }

    /// <summary>
    /// Fees of every usable service type from the inventories' warehouse to the destination, cheapest first. The
    /// inventories must exist and share a warehouse; their handling does not matter (a quote changes nothing).
    /// </summary>
    public static List<(ResendServiceType ServiceType, decimal Fee, decimal ChargeableWeight)>? Quote(
        StateData data, Account owner, long?[] ids, string toCountryCode, ValidationErrors errors)
    {
        var inventories = new List<Inventory>();
        errors.CheckEach(Inventories, ids, (_, id) =>
        {
            var inventory = data.FindInventory(owner, id);
            if (inventory is null)
            {
                return Messages.NotFound(Inventories, id);
            }

            if (inventories.Count > 0 && inventories[0].WarehouseId != inventory.WarehouseId)
            {
                return ResendMessages.OtherWarehouse(inventory, inventories[0].WarehouseId);
            }

            inventories.Add(inventory);
            return null;
        });
        if (errors.HasErrors)
        {
            return null;
        }

        decimal weight = ResendRates.ChargeableWeight(inventories);
        return [.. ResendRates.For(Warehouses.Find(inventories[0].WarehouseId)!)
            .Where(s => !s.IsOthers && string.Equals(s.ToCountryCode, toCountryCode, StringComparison.OrdinalIgnoreCase))
            .Select(s => (s, s.FeeFor(weight), weight))
            .OrderBy(q => q.Item2)];
    }

    public static int Wire(ResendStatus status) => (int)status;

    public static string Name(ResendStatus status) => status switch
    {
        ResendStatus.Pending => "pending",
        ResendStatus.Canceled => "canceled",
        ResendStatus.InProgress => "inProgress",
        ResendStatus.Completed => "completed",
        _ => "failed",
    };
}

/// <summary>The resend refusals, worded like <see cref="Messages"/>.</summary>
internal static class ResendMessages
{
    public static string NotFound(long id) => $"Resend {id} was not found.";

    public static string NotResendable(Inventory inventory) =>
        $"Return inventory {inventory.ReturnInventoryId} cannot be resent: handling is '{inventory.HandlingCode.Wire()}' with status " +
        $"'{inventory.HandlingStatusCode.Wire()}'; only 'tbc' or 'ohd' with status 'pending' can be resent.";

    public static string AlreadyInResend(long id, Resend resend) => $"Return inventory {id} cannot be resent: it is already in active resend {resend.ResendNumber}.";

    public static string OtherWarehouse(Inventory inventory, int firstWarehouseId) =>
        $"Return inventory {inventory.ReturnInventoryId} is in warehouse {inventory.WarehouseId}; all inventories of one resend must be in one warehouse (the first is in {firstWarehouseId}).";

    public static string UnknownServiceType(string code, int warehouseId) =>
        $"'{code}' is not a resend service type of warehouse {warehouseId}; see Shipment/getAvailableShipmentServiceType.";

    public static string OthersNeedsCustomerService() => "Service type 'others' needs customer service to arrange the shipment first.";

    public static string WrongDestination(ResendServiceType serviceType) =>
        $"Service type '{serviceType.Code}' only ships to '{serviceType.ToCountryCode}'.";

    public static string BalanceTooLow(decimal balance, decimal fee) =>
        string.Create(CultureInfo.InvariantCulture, $"The balance ({balance:0.00} usd) is less than the resend fee ({fee:0.00} usd); top up the account first.");

    public static string BalanceNotPositive(decimal balance) =>
        string.Create(CultureInfo.InvariantCulture, $"The balance ({balance:0.00} usd) is not positive; top up the account first.");

    public static string NotCancellable(Resend resend) =>
        $"Resend {resend.ResendId} cannot be cancelled: its status is '{ResendOperations.Name(resend.ResendStatusCode)}'.";

    public static string TooLong(string displayName, int max, int length) =>
        $"'{displayName}' must be {max} characters or fewer. You entered {length} characters.";

    public static string CountryCode() => "'Shipment Country Code' must be an ISO 3166 alpha-3 code, e.g. 'usa'.";
}
