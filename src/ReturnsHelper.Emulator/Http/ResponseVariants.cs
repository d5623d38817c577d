namespace ReturnsHelper.Emulator.Http;

/// <summary>Where the docs disagree on a response shape, which form the emulator sends (POST /_emulator/config).</summary>
internal enum PayloadPlacement
{
    /// <summary>Each endpoint's payload where its docs put it (mostly top-level members next to meta).</summary>
    Documented,

    /// <summary>Every payload inside a top-level <c>data</c> object, e.g. <c>data.recallList</c>.</summary>
    Data,
}

internal enum RecallShape
{
    /// <summary><c>{apiId, recallId, ..., warehouseRemarks, recallInventoryList}</c> as in the current docs.</summary>
    Flat,

    /// <summary>The 2022 form <c>{"recall": {...}, "recallInventoryList": [...]}</c> with its <c>warehosueRemarks</c> spelling.</summary>
    Nested,
}

internal sealed record ResponseVariants(PayloadPlacement PayloadPlacement, RecallShape RecallShape)
{
    public static readonly ResponseVariants Default = new(PayloadPlacement.Documented, RecallShape.Flat);

    public static string Name(PayloadPlacement placement) => placement == PayloadPlacement.Data ? "data" : "documented";

    public static string Name(RecallShape shape) => shape == RecallShape.Nested ? "nested" : "flat";

    public static bool TryParse(string? text, out PayloadPlacement placement)
    {
        placement = text?.ToLowerInvariant() switch { "documented" => PayloadPlacement.Documented, "data" => PayloadPlacement.Data, _ => (PayloadPlacement)(-1) };
        return placement >= 0;
    }

    public static bool TryParse(string? text, out RecallShape shape)
    {
        shape = text?.ToLowerInvariant() switch { "flat" => RecallShape.Flat, "nested" => RecallShape.Nested, _ => (RecallShape)(-1) };
        return shape >= 0;
    }
}
