using System.Globalization;
using ReturnsHelper.Emulator.Domain;

namespace ReturnsHelper.Emulator.State;

/// <summary>
/// Makes realistic received parcels: an RMA in the warehouse's format, a product with plausible SKU, weight,
/// dimensions and value, and sometimes photos. Used by the seed and for every field the control surface leaves out.
/// </summary>
internal static class InventoryFactory
{
    private sealed record Product(string Sku, string Description, int MinGrams, int MaxGrams, int Length, int Width, int Height, int MinUsd, int MaxUsd);

    private static readonly Product[] Catalog =
    [
        new("EB-200", "Wireless earbuds with charging case", 60, 120, 10, 8, 4, 25, 89),
        new("SW-40", "Smart watch 40mm", 90, 180, 12, 9, 7, 79, 249),
        new("PH-CASE", "Phone case, shock absorbing", 40, 90, 18, 10, 2, 9, 29),
        new("TS-COT", "Cotton T-shirt", 150, 260, 30, 22, 3, 12, 35),
        new("JK-DWN", "Down jacket", 600, 1200, 45, 35, 10, 89, 299),
        new("SN-RUN", "Running shoes", 700, 1100, 34, 22, 13, 59, 179),
        new("BT-SPK", "Bluetooth speaker", 400, 900, 22, 10, 10, 39, 149),
        new("KB-MECH", "Mechanical keyboard", 800, 1400, 46, 16, 5, 69, 189),
        new("MS-WL", "Wireless mouse", 80, 140, 13, 8, 5, 15, 59),
        new("LP-STD", "Aluminium laptop stand", 900, 1600, 30, 25, 6, 29, 79),
        new("BK-PAN", "Non-stick frying pan 28cm", 1100, 1900, 50, 30, 8, 25, 69),
        new("TY-BLK", "Building blocks set", 500, 2200, 38, 26, 8, 19, 99),
        new("CM-ACT", "Action camera", 120, 220, 12, 9, 8, 99, 349),
        new("BG-BP", "Travel backpack 30L", 700, 1300, 50, 32, 20, 49, 159),
        new("LM-DSK", "LED desk lamp", 600, 1000, 40, 15, 12, 25, 79),
        new("CH-USB", "USB-C charger 65W", 100, 200, 9, 7, 4, 19, 59),
    ];

    private static readonly string[] Variants = ["BLK", "WHT", "GRY", "BLU", "RED", "S", "M", "L", "XL"];

    /// <summary>A new <c>tbc</c>/<c>pending</c> inventory received at <paramref name="receivedOn"/>; its id is assigned when added.</summary>
    public static Inventory Create(StateData data, Random random, Account owner, Warehouse warehouse, DateTime receivedOn)
    {
        var product = Catalog[random.Next(Catalog.Length)];
        int returnRequest = data.NextSequence("returnRequest");
        var inventory = new Inventory
        {
            ApiId = owner.ApiId,
            WarehouseId = warehouse.WarehouseId,
            ReturnRequestId = 50000 + returnRequest,
            ReturnRequestLineItemId = 70000 + returnRequest,
            Rma = data.NewRma(warehouse, receivedOn, random.Next(100)),
            // About one parcel in six has no SKU yet: sellers assign SKUs after arrival.
            Sku = random.Next(6) == 0 ? null : $"{product.Sku}-{Variants[random.Next(Variants.Length)]}",
            Description = product.Description,
            Quantity = random.Next(10) == 0 ? 2 : 1,
            Weight = random.Next(product.MinGrams, product.MaxGrams + 1),
            Dimension1 = Jitter(random, product.Length),
            Dimension2 = Jitter(random, product.Width),
            Dimension3 = Jitter(random, product.Height),
            Value = random.Next(product.MinUsd, product.MaxUsd + 1) + 0.99m,
            HandlingCode = HandlingCode.Tbc,
            HandlingStatusCode = HandlingStatus.Pending,
            HandlingUpdatedOn = receivedOn,
            CreateOn = receivedOn,
            ModifyOn = receivedOn,
        };

        if (random.Next(10) < 4)
        {
            inventory.Images = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => NewImage(data, random, inventory))];
        }

        return inventory;
    }

    private static decimal Jitter(Random random, int centimetres) => centimetres + random.Next(0, 10) / 2m;

    private static InventoryImage NewImage(StateData data, Random random, Inventory inventory)
    {
        string month = inventory.CreateOn.ToString("yyyyMM", CultureInfo.InvariantCulture);
        string name = $"{inventory.Rma}-{RandomToken(random, 8)}.jpg";
        string folder = $"images/returns/{month}";
        return new InventoryImage
        {
            ReturnRequestLineItemImageId = data.NewChildId(),
            Filename = name,
            FileExt = "jpg",
            S3OriginalFileKey = $"{folder}/{name}",
            S3SmallFileKey = $"{folder}/small/{name}",
            S3MediumFileKey = $"{folder}/medium/{name}",
            S3LargeFileKey = $"{folder}/large/{name}",
        };
    }

    public static InventoryVas NewVas(StateData data, Random random, bool finished) => new()
    {
        ReturnRequestLineItemVasId = data.NewChildId(),
        VasCode = VasCodes[random.Next(VasCodes.Length)],
        IsFinished = finished,
    };

    private static readonly string[] VasCodes = ["prd-inspec", "req-pic", "repack", "mobi-imei"];

    private static string RandomToken(Random random, int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, random, (span, r) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }
}
