using ReturnsHelper.Emulator.Domain;

namespace ReturnsHelper.Emulator.State;

/// <summary>
/// The starting data: the docs' example inventory 123, then <c>count</c> inventories with ids from 100001 spread
/// over the 180 days before <c>anchor</c> (today's midnight UTC unless a test fixes it), in every state the rules
/// care about. The same seed, count and anchor give exactly the same data.
/// </summary>
internal static class Seeder
{
    /// <summary>The id in the docs' curl sample of <c>Recall/createRecallByReturnInventoryId</c>.</summary>
    public const long DocsExampleInventoryId = 123;

    private const int SeedDays = 180;

    // Share of each warehouse in the seed, in percent, in Warehouses.All order (2, 1034, 20, 1005).
    private static readonly int[] WarehouseWeights = [45, 30, 15, 10];

    public static StateData Create(int seed, int count, string apiKey, string apiToken, DateTime anchorUtc)
    {
        var random = new Random(seed);
        var data = new StateData();
        var owner = data.AddAccount(apiKey, apiToken, "emulator");

        var example = InventoryFactory.Create(data, random, owner, Warehouses.Find(2)!, anchorUtc.AddDays(-SeedDays - 1));
        example.ReturnInventoryId = DocsExampleInventoryId;
        data.AddInventory(example);

        // Receive times first, sorted, so ids grow with time as they do in the real service.
        var receivedTicks = new long[count];
        for (int i = 0; i < count; i++)
        {
            receivedTicks[i] = anchorUtc.Ticks - random.NextInt64(1, SeedDays * 86_400L) * TimeSpan.TicksPerSecond;
        }

        Array.Sort(receivedTicks);
        var toRecall = new List<Inventory>();
        foreach (long ticks in receivedTicks)
        {
            var inventory = InventoryFactory.Create(data, random, owner, PickWarehouse(random), new DateTime(ticks, DateTimeKind.Utc));
            ApplyScenario(data, random, inventory, anchorUtc, toRecall);
            data.AddInventory(inventory);
        }

        SeedRecalls(data, random, owner, toRecall, anchorUtc);
        return data;
    }

    private static Warehouse PickWarehouse(Random random)
    {
        int roll = random.Next(100);
        for (int i = 0; i < WarehouseWeights.Length; i++)
        {
            roll -= WarehouseWeights[i];
            if (roll < 0)
            {
                return Warehouses.All[i];
            }
        }

        return Warehouses.All[0];
    }

    /// <summary>
    /// 70% tbc/pending, 10% ohd/pending (a third with pending VAS), 6% in a recall, 3% dis/pending,
    /// 5% dis/inProgress, 5% dis/completed, 1% oth/pending.
    /// </summary>
    private static void ApplyScenario(StateData data, Random random, Inventory inventory, DateTime anchorUtc, List<Inventory> toRecall)
    {
        int roll = random.Next(100);
        var decidedOn = Min(inventory.CreateOn.AddHours(random.Next(1, 72)), anchorUtc);
        switch (roll)
        {
            case < 70:
                return;
            case < 80:
                Decide(inventory, HandlingCode.Ohd, HandlingStatus.Pending, decidedOn, rmaLocked: false);
                if (random.Next(3) == 0)
                {
                    inventory.VasList = [InventoryFactory.NewVas(data, random, finished: false)];
                }
                else if (random.Next(5) == 0)
                {
                    inventory.VasList = [InventoryFactory.NewVas(data, random, finished: true)];
                }

                return;
            case < 86:
                if (random.Next(5) == 0)
                {
                    Decide(inventory, HandlingCode.Ohd, HandlingStatus.Pending, decidedOn, rmaLocked: false);
                }

                toRecall.Add(inventory);
                return;
            case < 89:
                Decide(inventory, HandlingCode.Dis, HandlingStatus.Pending, decidedOn, rmaLocked: true);
                return;
            case < 94:
                Decide(inventory, HandlingCode.Dis, HandlingStatus.InProgress, decidedOn, rmaLocked: true);
                return;
            case < 99:
                Decide(inventory, HandlingCode.Dis, HandlingStatus.Completed, decidedOn, rmaLocked: true);
                inventory.CompleteOn = decidedOn;
                return;
            default:
                Decide(inventory, HandlingCode.Oth, HandlingStatus.Pending, decidedOn, rmaLocked: false);
                return;
        }
    }

    private static void Decide(Inventory inventory, HandlingCode code, HandlingStatus status, DateTime on, bool rmaLocked)
    {
        inventory.HandlingCode = code;
        inventory.HandlingStatusCode = status;
        inventory.HandlingUpdatedOn = on;
        inventory.ModifyOn = on;
        inventory.RmaLocked = rmaLocked;
    }

    /// <summary>Groups the recall candidates per warehouse into recalls of 1-5; half of them already shipped.</summary>
    private static void SeedRecalls(StateData data, Random random, Account owner, List<Inventory> toRecall, DateTime anchorUtc)
    {
        var batches = new List<(DateTime CreateOn, Inventory[] Items)>();
        foreach (var warehouseGroup in toRecall.GroupBy(i => i.WarehouseId))
        {
            var items = warehouseGroup.ToArray();
            for (int start = 0; start < items.Length;)
            {
                var batch = items[start..Math.Min(items.Length, start + random.Next(1, 6))];
                start += batch.Length;
                var createOn = Min(batch[^1].CreateOn.AddMinutes(random.Next(30, 2880)), anchorUtc.AddMinutes(-1));
                batches.Add((createOn, batch));
            }
        }

        // Create in time order so the daily recall numbers are in time order too.
        foreach (var (createOn, items) in batches.OrderBy(b => b.CreateOn))
        {
            var recall = data.AddRecall(owner.ApiId, items[0].WarehouseId, createOn);
            foreach (var inventory in items)
            {
                RecallOperations.AddToRecall(data, recall, inventory, createOn);
            }

            if (random.Next(2) == 0)
            {
                RecallOperations.Advance(data, recall, PickUpCodes.Pending, Min(createOn.AddHours(6), anchorUtc), out _);
            }
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
