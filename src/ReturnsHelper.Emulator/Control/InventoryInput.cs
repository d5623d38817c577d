using System.Text.Json;
using ReturnsHelper.Emulator.Domain;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Control;

/// <summary>
/// Builds inventories from <c>POST /_emulator/inventories</c> items: wire field names, every field optional
/// (generated like the seed when absent), plus <c>apiKey</c> (owner, default the first account) and
/// <c>pendingVas</c>. Runs under the state lock; nothing is added until every item is valid.
/// </summary>
internal static class InventoryInput
{
    private const int DefaultWarehouseId = 2;

    public static List<Inventory> AddAll(StateData data, JsonElement root, DateTime now)
    {
        var items = root.ValueKind switch
        {
            JsonValueKind.Array => root.EnumerateArray().ToList(),
            JsonValueKind.Object => [root],
            _ => throw ControlException.BadRequest("Send a JSON array of inventories."),
        };

        var inventories = new List<Inventory>(items.Count);
        var ids = new HashSet<long>();
        for (int index = 0; index < items.Count; index++)
        {
            var inventory = Build(data, items[index], $"inventories[{index}]", now);
            if (inventory.ReturnInventoryId != 0 && (!ids.Add(inventory.ReturnInventoryId) || data.FindInventory(inventory.ReturnInventoryId) is not null))
            {
                throw new ControlException(409, $"inventories[{index}].returnInventoryId: {inventory.ReturnInventoryId} already exists.");
            }

            inventories.Add(inventory);
        }

        foreach (var inventory in inventories)
        {
            data.AddInventory(inventory);
        }

        return inventories;
    }

    private static Inventory Build(StateData data, JsonElement item, string path, DateTime now)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw ControlException.BadRequest($"{path} must be a JSON object.");
        }

        var fields = new JsonFields(item, path);
        var owner = data.DefaultAccount;
        if (fields.String("apiKey") is string apiKey)
        {
            owner = data.FindAccount(apiKey) ?? throw fields.Invalid("apiKey", $"no account has the key '{apiKey}'.");
        }

        int warehouseId = fields.Int("warehouseId") ?? DefaultWarehouseId;
        var warehouse = Warehouses.Find(warehouseId)
            ?? throw fields.Invalid("warehouseId", $"{warehouseId} is not a warehouse of the emulator ({string.Join(", ", Warehouses.All.Select(w => w.WarehouseId))}).");
        var createOn = fields.Date("createOn") ?? now;
        var inventory = InventoryFactory.Create(data, Random.Shared, owner, warehouse, createOn);

        if (fields.Long("returnInventoryId") is long id)
        {
            inventory.ReturnInventoryId = id > 0 ? id : throw fields.Invalid("returnInventoryId", "must be greater than 0.");
        }

        if (fields.Code("handlingCode") is string code)
        {
            inventory.HandlingCode = Codes.TryParseHandlingCode(code, out var parsed) ? parsed : throw fields.Invalid("handlingCode", $"'{code}' is not a handling code.");
        }

        if (fields.Code("handlingStatusCode") is string status)
        {
            inventory.HandlingStatusCode = Codes.TryParseHandlingStatus(status, out var parsed) ? parsed : throw fields.Invalid("handlingStatusCode", $"'{status}' is not a handling status.");
        }

        if (fields.Contains("sku"))
        {
            inventory.Sku = fields.String("sku");
        }

        inventory.ReturnRequestId = fields.Long("returnRequestId") ?? inventory.ReturnRequestId;
        inventory.ReturnRequestLineItemId = fields.Long("returnRequestLineItemId") ?? inventory.ReturnRequestLineItemId;
        inventory.Rma = fields.String("rma") ?? inventory.Rma;
        inventory.Description = fields.String("description") ?? inventory.Description;
        inventory.Quantity = fields.Int("quantity") ?? inventory.Quantity;
        inventory.Weight = fields.Decimal("weight") ?? inventory.Weight;
        inventory.Dimension1 = fields.Decimal("dimension1") ?? inventory.Dimension1;
        inventory.Dimension2 = fields.Decimal("dimension2") ?? inventory.Dimension2;
        inventory.Dimension3 = fields.Decimal("dimension3") ?? inventory.Dimension3;
        inventory.Value = fields.Decimal("value") ?? inventory.Value;
        inventory.ValueCurrencyCode = fields.String("valueCurrencyCode") ?? inventory.ValueCurrencyCode;
        inventory.WarehouseRemarks = fields.String("warehouseRemarks");
        inventory.HandlingUpdatedOn = fields.Date("handlingUpdatedOn") ?? inventory.HandlingUpdatedOn;
        inventory.CompleteOn = fields.Date("completeOn") ?? (inventory.HandlingStatusCode == HandlingStatus.Completed ? now : null);
        inventory.ModifyOn = fields.Date("modifyOn") ?? inventory.ModifyOn;
        // Like an update through the API: any decision but ohd/oth locks the RMA.
        inventory.RmaLocked = inventory.HandlingCode is not (HandlingCode.Tbc or HandlingCode.Ohd or HandlingCode.Oth);
        if (fields.Bool("pendingVas") == true)
        {
            inventory.VasList = [InventoryFactory.NewVas(data, Random.Shared, finished: false)];
        }

        return inventory;
    }
}
