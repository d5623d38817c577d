namespace ReturnsHelper.Core.Tests;

/// <summary>Reading RMAs and RMA patterns (API notes §9): the shape, the warehouse and date they fix, the periods to list.</summary>
public class RmaTests
{
    private static readonly DateTime Now = new(2026, 7, 1, 12, 0, 0, DateTimeKind.Utc);

    private static DateTime Day(int year, int month, int day) => new(year, month, day, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("USE-1034-260603-D00001-05")]
    [InlineData("TWN-20-230101-D12345-36")]
    [InlineData("TWN-20-230101-D12345-01-36")]   // after a split
    [InlineData("USE-2-240906-D00013-0")]        // a one-digit check seen in the sandbox
    [InlineData("  use-2-240517-d00026-56\t")]   // a CSV cell: case and white space do not matter
    [InlineData("USW-1034-261399-P7-99")]        // the date and check digits are not validated
    public void Recognises_RMA_shaped_values(string value) => Assert.True(Rma.LooksLikeRma(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("USE-1034-260603")]
    [InlineData("USE-1034-26063-D00001-05")]     // a five-digit date
    [InlineData("USE-1034-260603-00001-05")]     // no environment letter
    [InlineData("USE-1034-260603-D00001-123")]   // three check digits
    [InlineData("USE-1034-260603-D00001-05 x")]
    [InlineData("USE-1034-260603-D*")]
    [InlineData("RCL260603-0000001")]            // a recall number
    public void Rejects_values_that_are_not_RMAs(string value) => Assert.False(Rma.LooksLikeRma(value));

    [Theory]
    [InlineData("USE-1034-260603-D00001-05", 1034, "2026-06-03", false)]
    [InlineData(" USE-1034-260603-D00001-05 ", 1034, "2026-06-03", false)]
    [InlineData("TWN-20-230101-D12345-01-36", 20, "2023-01-01", true)]
    [InlineData("USE-1034-260603-*", 1034, "2026-06-03", false)]   // a wildcard may also match a split: not marked
    [InlineData("USE-1034-260603-D0000?-05", 1034, "2026-06-03", false)]
    [InlineData("USE-1034-2606*", 1034, null, false)]               // the date is cut short by the wildcard
    [InlineData("USE-1034-260603*", 1034, null, false)]             // '*' may continue the date part
    [InlineData("USE-1034*", null, null, false)]
    [InlineData("*-260603-*", null, null, false)]                   // '*' may span dashes: nothing is fixed
    [InlineData("U?E-1034-260603-*", null, null, false)]
    [InlineData("USE-x-260603-*", null, null, false)]
    [InlineData("USE-2-261399-D00001-05", 2, null, false)]          // not a date
    [InlineData("12345", null, null, false)]
    public void Reads_the_warehouse_and_date_a_pattern_fixes(string pattern, int? warehouseId, string date, bool split)
    {
        var parts = Rma.KnownParts(pattern);
        Assert.Equal(warehouseId, parts.WarehouseId);
        Assert.Equal(date == null ? null : DateTime.Parse(date + "T00:00:00Z").ToUniversalTime(), parts.ReceivedOn);
        if (parts.ReceivedOn != null) Assert.Equal(DateTimeKind.Utc, parts.ReceivedOn.Value.Kind);
        Assert.Equal(split, parts.IsSplit);
    }

    [Fact]
    public void Lists_from_the_day_before_to_the_end_of_the_day_after_the_receive_date()
    {
        var period = Assert.Single(Rma.ListingPeriods(new[] { "USE-1034-260603-D00001-05" }, Now));
        Assert.Equal(Day(2026, 6, 2), period.Key);
        Assert.Equal(Day(2026, 6, 5), period.Value);
    }

    [Fact]
    public void Merges_overlapping_and_touching_periods_and_keeps_distant_dates_apart()
    {
        var periods = Rma.ListingPeriods(new[]
        {
            "USE-2-260610-D00001-05",
            "USE-2-260603-D00001-05",
            "USE-2-260604-*",            // overlaps 06-03's period
            "USE-1034-260606-D00002-11", // overlaps 06-04's
            "USE-2-260301-D00007-40",
        }, Now);
        Assert.Equal(new[]
        {
            new KeyValuePair<DateTime, DateTime>(Day(2026, 2, 28), Day(2026, 3, 3)),
            new KeyValuePair<DateTime, DateTime>(Day(2026, 6, 2), Day(2026, 6, 8)),
            new KeyValuePair<DateTime, DateTime>(Day(2026, 6, 9), Day(2026, 6, 12)),
        }, periods);
    }

    [Fact]
    public void Merges_periods_that_only_touch()
    {
        // 06-03's period ends at 06-05 00:00, where 06-06's begins.
        var period = Assert.Single(Rma.ListingPeriods(new[] { "USE-2-260603-D00001-05", "USE-2-260606-D00001-05" }, Now));
        Assert.Equal(Day(2026, 6, 2), period.Key);
        Assert.Equal(Day(2026, 6, 8), period.Value);
    }

    [Fact]
    public void A_split_RMA_is_listed_up_to_now_because_the_split_is_created_after_the_receive_date()
    {
        var period = Assert.Single(Rma.ListingPeriods(new[] { "USE-2-260603-D00001-01-05" }, Now));
        Assert.Equal(Day(2026, 6, 2), period.Key);
        Assert.Equal(Now, period.Value);
    }

    [Fact]
    public void A_split_RMA_dated_today_still_gets_its_whole_period()
    {
        var period = Assert.Single(Rma.ListingPeriods(new[] { "USE-2-260701-D00001-01-05" }, Now));
        Assert.Equal(Day(2026, 7, 3), period.Value);
    }

    [Fact]
    public void No_narrowing_when_any_pattern_fixes_no_date()
        => Assert.Null(Rma.ListingPeriods(new[] { "USE-2-260603-D00001-05", "USE-2-*" }, Now));

    [Theory]
    [InlineData("USE-2-*", true)]
    [InlineData("USE-2-26060?-D00001-05", true)]
    [InlineData("USE-2-2606[01]3-D00001-05", true)]
    [InlineData("USE-2-260603-D00001-05`*", true)]   // an escape is pattern syntax too
    [InlineData("USE-2-260603-D00001-05", false)]
    public void Tells_patterns_from_exact_RMAs(string value, bool wildcard) => Assert.Equal(wildcard, Rma.HasWildcard(value));
}
