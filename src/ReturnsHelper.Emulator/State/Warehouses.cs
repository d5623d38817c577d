namespace ReturnsHelper.Emulator.State;

internal sealed record Warehouse(
    int WarehouseId,
    string RmaPrefix,
    string Description,
    string CountryCode,
    string CompanyName,
    string ContactName,
    string Phone,
    string Email,
    string Street1,
    string City,
    string State,
    string PostalCode);

/// <summary>The sandbox warehouses named in the docs (ids and descriptions as seen there; addresses are made up).</summary>
internal static class Warehouses
{
    public static readonly IReadOnlyList<Warehouse> All =
    [
        new(2, "USE", "2-United States - NJ (DEV)", "usa", "Return Helper NJ", "Receiving Team", "+1 732-555-0102",
            "nj-dev@warehouse.example", "10 Distribution Way", "Edison", "NJ", "08817"),
        new(1034, "USW", "1034-United States-WA", "usa", "Return Helper WA", "Receiving Team", "+1 206-555-0134",
            "wa@warehouse.example", "1034 Logistics Blvd", "Tukwila", "WA", "98188"),
        new(20, "TWN", "20-Taiwan", "twn", "Return Helper Taiwan", "Receiving Team", "+886 3-555-0120",
            "tw@warehouse.example", "20 Dayuan Industrial Rd", "Taoyuan City", "Taoyuan", "337"),
        new(1005, "USE", "1005-United States-CA", "usa", "Return Helper CA", "Receiving Team", "+1 909-555-0105",
            "ca@warehouse.example", "1005 Inland Empire Pkwy", "Ontario", "CA", "91761"),
    ];

    public static Warehouse? Find(int warehouseId)
    {
        foreach (var warehouse in All)
        {
            if (warehouse.WarehouseId == warehouseId)
            {
                return warehouse;
            }
        }

        return null;
    }
}
