using System.Globalization;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Domain;

/// <summary>One service of a <c>createVasList</c> entry, as read from the request (its code is a catalogue code).</summary>
internal sealed record VasDetail(string Code, int? MetaQuantity, string? Notes);

/// <summary>
/// One <c>createVasList</c> entry as read from the request: a null id or null details were refused while reading
/// (the message is already in the errors), and the entry's state is then not checked.
/// </summary>
internal sealed record VasEntry(long? ReturnInventoryId, IReadOnlyList<VasDetail>? Details);

/// <summary>
/// The VAS rules: requests only for inventories on hold (<c>ohd</c>/<c>pending</c>) without a pending request, all
/// or nothing; the warehouse finishes or fails a request (control surface), and a finished split-parcel request
/// creates one inventory per parcel. Callers hold the state lock.
/// </summary>
internal static class VasOperations
{
    public static readonly IdListSpec Entries = new("createVasList", "Create Vas List", "Return inventory");

    public static string EntryPath(int index) => Entries.ItemPath(index);

    public static string IdPath(int index) => EntryPath(index) + ".returnInventoryId";

    /// <summary>Checks every readable entry against the state; adds the requests only when no entry (read or checked) failed.</summary>
    public static List<(Inventory Inventory, List<InventoryVas> Requests)>? Create(
        StateData data, Account owner, VasEntry[] entries, ValidationErrors errors, DateTime now)
    {
        var inventories = new Inventory[entries.Length];
        for (int index = 0; index < entries.Length; index++)
        {
            if (entries[index].ReturnInventoryId is not long id)
            {
                continue;
            }

            var inventory = data.FindInventory(owner, id);
            string? problem = inventory is null ? Messages.InventoryNotFound(id)
                : inventory.HandlingCode != HandlingCode.Ohd || inventory.HandlingStatusCode != HandlingStatus.Pending ? NotOnHold(inventory)
                : inventory.HasPendingVas ? Messages.PendingVas(id)
                : null;
            if (problem is null)
            {
                inventories[index] = inventory!;
            }
            else
            {
                errors.Add(IdPath(index), problem);
            }
        }

        if (errors.HasErrors)
        {
            return null;
        }

        var created = new List<(Inventory, List<InventoryVas>)>(entries.Length);
        for (int index = 0; index < entries.Length; index++)
        {
            var inventory = inventories[index];
            var requests = entries[index].Details!.Select(detail => new InventoryVas
            {
                ReturnRequestLineItemVasId = data.NewChildId(),
                VasCode = detail.Code,
                MetaQuantity = VasCatalog.TakesQuantity(detail.Code) ? detail.MetaQuantity : null,
                Notes = detail.Notes,
                CreateOn = now,
                ModifyOn = now,
            }).ToList();
            (inventory.VasList ??= []).AddRange(requests);
            inventory.ModifyOn = now;
            created.Add((inventory, requests));
        }

        data.MarkChanged();
        return created;
    }

    /// <summary>Worded without "VAS": the client reads a refusal that says VAS as "pending VAS" (README decision 37).</summary>
    private static string NotOnHold(Inventory inventory) =>
        $"Return inventory {inventory.ReturnInventoryId} cannot take value-added services: handling is '{inventory.HandlingCode.Wire()}' " +
        $"with status '{inventory.HandlingStatusCode.Wire()}'; only 'ohd' with status 'pending' can.";

    /// <summary>The request with this id and its inventory, in any account.</summary>
    public static (Inventory Inventory, InventoryVas Vas)? Find(StateData data, long vasId)
    {
        foreach (var inventory in data.Inventories)
        {
            if (inventory.VasList?.Find(v => v.ReturnRequestLineItemVasId == vasId) is { } vas)
            {
                return (inventory, vas);
            }
        }

        return null;
    }

    /// <summary>
    /// The warehouse finishes a pending request: <paramref name="succeeded"/> with <paramref name="photos"/> photos
    /// (a split-parcel also makes its parcels, returned in <paramref name="parcels"/>), or failed. Returns an error
    /// (the request is not pending) or null.
    /// </summary>
    public static string? Finish(StateData data, Inventory inventory, InventoryVas vas, bool succeeded, string? result, int photos,
        Random random, DateTime now, out List<Inventory> parcels)
    {
        parcels = [];
        if (vas.IsFinished)
        {
            return $"VAS request {vas.ReturnRequestLineItemVasId} is already '{vas.Status.Wire()}'.";
        }

        vas.IsFinished = true;
        vas.IsFailed = !succeeded;
        vas.VasResult = result ?? (succeeded ? "Done." : "The warehouse could not carry out the service.");
        vas.ModifyOn = now;
        if (succeeded)
        {
            string folder = $"images/vas/{now.ToString("yyyyMM", CultureInfo.InvariantCulture)}";
            vas.PhotoKeys = [.. Enumerable.Range(1, photos).Select(n => $"{folder}/{inventory.Rma}-vas{vas.ReturnRequestLineItemVasId}-{n}.jpg")];
            if (vas.VasCode == VasCatalog.SplitParcel)
            {
                parcels = Split(data, inventory, vas.MetaQuantity ?? 1, random, now);
                vas.SplitReturnInventoryIds = [.. parcels.Select(p => p.ReturnInventoryId)];
            }
        }

        inventory.ModifyOn = now;
        data.MarkChanged();
        return null;
    }

    /// <summary>
    /// One new <c>tbc</c>/<c>pending</c> inventory per parcel, each its own line item with the split form of the RMA
    /// (<c>...-D00001-01-37</c>) and its share of weight and value; the split inventory is done (<c>oth</c>/<c>completed</c>).
    /// </summary>
    private static List<Inventory> Split(StateData data, Inventory original, int count, Random random, DateTime now)
    {
        string rmaBase = original.Rma.LastIndexOf('-') is int dash and > 0 ? original.Rma[..dash] : original.Rma;
        var parcels = new List<Inventory>(count);
        for (int n = 1; n <= count; n++)
        {
            var parcel = new Inventory
            {
                ApiId = original.ApiId,
                WarehouseId = original.WarehouseId,
                ReturnRequestId = original.ReturnRequestId,
                ReturnRequestLineItemId = 70000 + data.NextSequence("returnRequest"),
                Rma = $"{rmaBase}-{n:D2}-{random.Next(100):D2}",
                Sku = original.Sku,
                Description = original.Description,
                Quantity = 1,
                Weight = Math.Round(original.Weight / count, 2),
                Dimension1 = original.Dimension1,
                Dimension2 = original.Dimension2,
                Dimension3 = original.Dimension3,
                Value = Math.Round(original.Value / count, 2),
                ValueCurrencyCode = original.ValueCurrencyCode,
                HandlingCode = HandlingCode.Tbc,
                HandlingStatusCode = HandlingStatus.Pending,
                HandlingUpdatedOn = now,
                CreateOn = now,
                ModifyOn = now,
            };
            data.AddInventory(parcel);
            parcels.Add(parcel);
        }

        original.HandlingCode = HandlingCode.Oth;
        original.HandlingStatusCode = HandlingStatus.Completed;
        original.HandlingUpdatedOn = now;
        original.CompleteOn = now;
        original.RmaLocked = true;
        original.WarehouseRemarks = $"Split into return inventories {string.Join(", ", parcels.Select(p => p.ReturnInventoryId))}.";
        return parcels;
    }
}
