using ReturnsHelper.Api;
using ReturnsHelper.Core.Tests.Fakes;

namespace ReturnsHelper.Core.Tests
{
    /// <summary>InventoryApi.WalkAsync: windows, pages, stopping rules and read-ahead, against the fake server.</summary>
    public class InventoryWalkTests
    {
        static readonly DateTime From = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        static string Page(int firstId, int count, long? total)
        {
            var rows = string.Join(",", Enumerable.Range(firstId, count).Select(id => $"{{\"returnInventoryId\":{id},\"handlingCode\":\"tbc\"}}"));
            return Wire.Ok($"\"data\":[{rows}]" + (total.HasValue ? $",\"totalNumberOfRecords\":{total}" : ""));
        }

        static async Task<List<(InventoryPage Page, InventoryWalkPosition Position)>> Walk(Harness h, DateTime from, DateTime to, int pageSize, bool readAhead, Func<int, bool> keepGoing = null)
        {
            var seen = new List<(InventoryPage, InventoryWalkPosition)>();
            await InventoryApi.WalkAsync(h.Session, from, to, pageSize, readAhead, (page, position) =>
            {
                seen.Add((page, position));
                return Task.FromResult(keepGoing?.Invoke(seen.Count) ?? true);
            }, h.Log, CancellationToken.None);
            return seen;
        }

        [Fact]
        public async Task Pages_through_a_window_until_the_total_is_reached()
        {
            using var h = new Harness();
            h.Handler.Ok(Page(1, 2, 5)).Ok(Page(3, 2, 5)).Ok(Page(5, 1, 5));
            var seen = await Walk(h, From, From.AddDays(10), 2, readAhead: false);

            Assert.Equal(new[] { 1, 2, 3, 4, 5 }, seen.SelectMany(s => s.Page.Items).Select(i => (int)i.ReturnInventoryId));
            Assert.Equal(new[] { "0", "2", "4" }, h.Handler.Requests.Select(r => r.QueryValue("offset")));
            Assert.All(h.Handler.Requests, r => Assert.Equal("2", r.QueryValue("pageSize")));
            Assert.Equal(new[] { 1, 2, 3 }, seen.Select(s => s.Position.PageNumber));
        }

        [Fact]
        public async Task Stops_a_window_at_a_short_page_when_no_total_is_given()
        {
            using var h = new Harness();
            h.Handler.Ok(Page(1, 3, null)).Ok(Page(4, 1, null));
            var seen = await Walk(h, From, From.AddDays(1), 3, readAhead: false);
            Assert.Equal(4, seen.Sum(s => s.Page.Items.Count));
            Assert.Equal(2, h.Handler.Count);
        }

        [Fact]
        public async Task Walks_every_62_day_window_with_shared_edges()
        {
            using var h = new Harness();
            h.Handler.Ok(Page(1, 1, 1)).Ok(Page(2, 1, 1)).Ok(Page(3, 1, 1)).Ok(Page(4, 1, 1));
            var seen = await Walk(h, From, From.AddDays(200), 50, readAhead: false);

            var windows = h.Handler.Requests.Select(r => (From: DateTime.Parse(r.QueryValue("createFrom")).ToUniversalTime(), To: DateTime.Parse(r.QueryValue("createTo")).ToUniversalTime())).ToList();
            Assert.Equal(4, windows.Count);
            Assert.Equal(From, windows[0].From);
            Assert.Equal(From.AddDays(200), windows[3].To);
            for (var i = 1; i < windows.Count; i++) Assert.Equal(windows[i - 1].To, windows[i].From);
            Assert.All(windows, w => Assert.True(w.To - w.From <= InventoryApi.MaxWindow));
            Assert.Equal(new[] { 0, 1, 2, 3 }, seen.Select(s => s.Position.WindowIndex));
            Assert.All(seen, s => Assert.Equal(4, s.Position.WindowCount));
        }

        [Fact]
        public async Task Stopping_without_read_ahead_never_sends_another_request()
        {
            using var h = new Harness();
            h.Handler.Ok(Page(1, 2, 10));
            var seen = await Walk(h, From, From.AddDays(5), 2, readAhead: false, keepGoing: _ => false);
            Assert.Single(seen);
            Assert.Equal(1, h.Handler.Count);
        }

        [Fact]
        public async Task Read_ahead_requests_the_next_page_before_the_current_one_is_handed_over()
        {
            using var h = new Harness();
            h.Handler.Ok(Page(1, 2, 4)).Ok(Page(3, 2, 4));
            var requestsWhenFirstPageArrived = -1;
            await InventoryApi.WalkAsync(h.Session, From, From.AddDays(5), 2, readAhead: true, async (page, position) =>
            {
                if (requestsWhenFirstPageArrived < 0)
                {
                    // The read-ahead request was started before onPage ran; give it a moment to reach the handler.
                    for (var i = 0; i < 100 && h.Handler.Count < 2; i++) await Task.Delay(10);
                    requestsWhenFirstPageArrived = h.Handler.Count;
                }
                return true;
            }, h.Log, CancellationToken.None);
            Assert.Equal(2, requestsWhenFirstPageArrived);
            Assert.Equal(2, h.Handler.Count);
        }

        [Fact]
        public async Task An_empty_range_sends_nothing_and_a_bad_page_size_is_refused()
        {
            using var h = new Harness();
            var seen = await Walk(h, From, From, 10, readAhead: false);
            Assert.Empty(seen);
            Assert.Equal(0, h.Handler.Count);
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Walk(h, From, From.AddDays(1), 51, readAhead: false));
        }

        [Fact]
        public async Task A_page_without_a_data_list_is_an_invalid_response()
        {
            using var h = new Harness();
            h.Handler.Ok(Wire.Ok("\"rows\":[]"));
            var e = await Assert.ThrowsAsync<ReturnsHelper.Http.RrApiException>(() => Walk(h, From, From.AddDays(1), 10, readAhead: false));
            Assert.Equal(ReturnsHelper.Http.RrErrorKind.InvalidResponse, e.Kind);
        }
    }
}
