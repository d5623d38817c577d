using ReturnsHelper.Api;
using ReturnsHelper.Core.Tests.Fakes;

namespace ReturnsHelper.Core.Tests;

/// <summary>The listing's protocol rules: 62-day windows, the last page of a window, the offsets of the rest, one page.</summary>
public class InventoryListingTests
{
    private static readonly DateTime From = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Splits_a_period_into_62_day_windows_with_shared_edges()
    {
        var windows = InventoryApi.Windows(From, From.AddDays(200)).ToList();
        Assert.Equal(4, windows.Count);
        Assert.Equal(From, windows[0].Key);
        Assert.Equal(From.AddDays(200), windows[3].Value);
        for (var i = 1; i < windows.Count; i++) Assert.Equal(windows[i - 1].Value, windows[i].Key);
        Assert.All(windows, w => Assert.True(w.Value - w.Key <= InventoryApi.MaxWindow));
        Assert.Equal(From.AddDays(186), windows[3].Key);
    }

    [Fact]
    public void An_empty_or_inverted_period_has_no_window()
    {
        Assert.Empty(InventoryApi.Windows(From, From));
        Assert.Empty(InventoryApi.Windows(From, From.AddDays(-1)));
        Assert.Single(InventoryApi.Windows(From, From.AddDays(62)));
    }

    [Theory]
    [InlineData(0, 50, 50, null, false)]   // full page, size unknown: there may be more
    [InlineData(0, 49, 50, null, true)]    // short page
    [InlineData(0, 0, 50, null, true)]     // empty window
    [InlineData(0, 50, 50, 50L, true)]     // the reported size is reached exactly
    [InlineData(50, 50, 50, 120L, false)]
    [InlineData(100, 20, 50, 120L, true)]
    [InlineData(100, 50, 50, 120L, true)]  // a size that shrank meanwhile: still the end
    public void Knows_the_last_page_of_a_window(long offset, int count, int pageSize, long? total, bool last)
        => Assert.Equal(last, InventoryApi.IsLastPage(offset, count, pageSize, total));

    [Fact]
    public void Once_the_size_is_known_every_other_page_offset_is_known()
    {
        Assert.Equal(new long[] { 50, 100 }, InventoryApi.RemainingOffsets(50, 120));
        Assert.Equal(new long[] { 50 }, InventoryApi.RemainingOffsets(50, 100));
        Assert.Empty(InventoryApi.RemainingOffsets(50, 50));
        Assert.Equal(Enumerable.Range(1, 61).Select(i => (long)i * 2), InventoryApi.RemainingOffsets(2, 123));
    }

    [Fact]
    public async Task Reads_one_page_with_its_window_size_and_sends_the_paging_parameters()
    {
        using var h = new Harness();
        var rows = string.Join(",", Enumerable.Range(1, 2).Select(id => $"{{\"returnInventoryId\":{id},\"handlingCode\":\"tbc\"}}"));
        h.Handler.Ok(Wire.Ok($"\"data\":[{rows}],\"totalNumberOfRecords\":7"));
        var page = await InventoryApi.ListPageAsync(h.Session, From, From.AddDays(10), 2, 4, h.Log, CancellationToken.None);
        Assert.Equal(new long[] { 1, 2 }, page.Items.Select(i => i.ReturnInventoryId));
        Assert.Equal(7, page.TotalNumberOfRecords);
        var request = Assert.Single(h.Handler.Requests);
        Assert.Equal("2", request.QueryValue("pageSize"));
        Assert.Equal("4", request.QueryValue("offset"));
    }

    [Fact]
    public async Task A_bad_page_size_is_refused_before_any_request()
    {
        using var h = new Harness();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => InventoryApi.ListPageAsync(h.Session, From, From.AddDays(1), 51, 0, h.Log, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => InventoryApi.ListPageAsync(h.Session, From, From.AddDays(1), 0, 0, h.Log, CancellationToken.None));
        Assert.Equal(0, h.Handler.Count);
    }

    [Fact]
    public async Task A_page_without_a_data_list_is_an_invalid_response()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok("\"rows\":[]"));
        var e = await Assert.ThrowsAsync<ReturnsHelper.Http.RrApiException>(() => InventoryApi.ListPageAsync(h.Session, From, From.AddDays(1), 10, 0, h.Log, CancellationToken.None));
        Assert.Equal(ReturnsHelper.Http.RrErrorKind.InvalidResponse, e.Kind);
    }
}
