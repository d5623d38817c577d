using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Batching;
using ReturnsHelper.Http;
using RmaFormat = ReturnsHelper.Rma;

namespace ReturnsHelper.Commands;

/// <summary>
/// Get-RrInventory: return inventories by id (one GetReturnInventory per id), or by creation time
/// (ReturnInventory/list walked in 62-day windows and pages), with the filters the service does not have
/// applied as records stream; -Rma narrows the listing to the receive dates its RMAs encode. Both run on the
/// <see cref="OrderedWorkQueue"/>: up to -ThrottleLimit requests at once, output in input (or creation) order.
/// </summary>
[Cmdlet(VerbsCommon.Get, "RrInventory", HelpUri = HelpLinks.Base + "Get-RrInventory.md", DefaultParameterSetName = ByTimeSet)]
[OutputType(typeof(Inventory))]
public sealed class GetRrInventoryCommand : PerItemCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByTimeSet = "ByTime";

    /// <summary>The period listed when neither -CreatedAfter nor -CreatedBefore is given (documented in the help).</summary>
    public const int DefaultDays = 30;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private long? first;
    private long skip;
    private InventoryFilter filter;
    private List<string> rmas;
    private bool listsAroundReceiveDates;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id")] // InputIds.InventoryIdNames (a test holds them together)
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] ReturnInventoryId { get; set; }

    [Parameter(ParameterSetName = ByTimeSet)]
    [OffsetTimeTransformation]
    public DateTime CreatedAfter { get; set; }

    [Parameter(ParameterSetName = ByTimeSet)]
    [OffsetTimeTransformation]
    public DateTime CreatedBefore { get; set; }

    /// <summary>RMAs or RMA wildcard patterns; a listing filter, whose dates may narrow the listed period.</summary>
    [Parameter(ParameterSetName = ByTimeSet)]
    [SupportsWildcards]
    [AllowNull, AllowEmptyString, AllowEmptyCollection] // a blank CSV cell, an empty CSV: reported, never a failed binding
    public string[] Rma { get; set; }

    [Parameter(ParameterSetName = ByTimeSet)]
    [ValidateRange(1, InventoryApi.MaxPageSize)]
    public int PageSize { get; set; } = InventoryApi.MaxPageSize;

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(HandlingCodeCompleter))]
    public string[] HandlingCode { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(HandlingStatusCompleter))]
    public string[] HandlingStatus { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WarehouseIdCompleter))]
    public int[] WarehouseId { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNull]
    public string[] Sku { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int First { get => (int)(first ?? int.MaxValue); set => first = value; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Skip { get => (int)skip; set => skip = value; }

    protected override void BeginProcessing()
    {
        _ = ActiveSession; // fail fast, before any input, when there is no session
        rmas = ReadRmas();
        filter = new InventoryFilter(HandlingCode, HandlingStatus, WarehouseId, Sku, rmas, skip, first ?? long.MaxValue);
        WarnAboutUnknownCodes();
        if (ParameterSetName == ByIdSet) BeginPerItem(first != null ? 1 : EffectiveThrottleLimit, skipRepeats: false);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByIdSet) GetById();
        else List();
    }

    /// <summary>One GetReturnInventory per id, up to -ThrottleLimit at once, written in input order.</summary>
    private void GetById()
    {
        var session = ActiveSession;
        SendPerItem(ReturnInventoryId, id =>
        {
            if (first != null) FinishItemsInFlight(); // -First: one at a time, so that nothing is fetched once it is reached
            return !filter.Done;
        }, async (unit, id, input, ct) =>
        {
            try
            {
                var inventory = await InventoryApi.GetAsync(session, id, ItemLog, ct).ConfigureAwait(false);
                unit.Post(() => { if (filter.Take(inventory)) WriteObject(inventory); });
            }
            catch (RrApiException e)
            {
                unit.Post(() => WriteApiError(InventoryInput.ItemError(e, id), input));
            }
        }, isWrite: false);
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == ByIdSet) EndPerItem(isWrite: false);
    }

    /// <summary>
    /// The listing: one unit of work per page, up to -ThrottleLimit at once, written in window and page order
    /// (creation order, as the service sorts). A window's first page tells its size (totalNumberOfRecords), so
    /// its other pages are then all known and started at once, while the pages already started keep flowing to
    /// the pipeline. Without a reported size, or with -First (no request that -First may not need), pages are
    /// read one after another until a short page. With exact RMAs only, no page is started once all were found
    /// (at most -ThrottleLimit - 1 pages in flight then are wasted: the price of reading in parallel).
    /// </summary>
    private void List()
    {
        var periods = Periods();
        if (filter.Done) return; // -First 0
        if (rmas != null && rmas.Count == 0) return; // -Rma without a usable value (reported): never an unfiltered listing
        var session = ActiveSession;
        var windows = periods.SelectMany(p => InventoryApi.Windows(p.Key, p.Value)).ToList();
        var queue = NewWorkQueue(first != null ? 1 : EffectiveThrottleLimit);
        var log = LogFor(queue);
        WriteVerbose($"Listing return inventories created {Describe(periods)} in {session.Environment}, {PageSize} per page, {windows.Count} window(s), {queue.ThrottleLimit} request(s) at once.");

        var listing = new Listing(this, session, queue, log, windows);
        try
        {
            Pump(queue, () =>
            {
                for (var w = 0; w < windows.Count && listing.StartWindow(w); w++) { }
                queue.RunAll();
            }, finishInFlight: false);
        }
        catch (RrApiException e)
        {
            // A page that fails after the client's retries leaves the listing incomplete: stop, loudly.
            ThrowTerminatingError(ErrorMapper.ToRecord(e, $"{InventoryApi.Iso(periods[0].Key)}/{InventoryApi.Iso(periods[periods.Count - 1].Value)}"));
        }
        finally
        {
            listing.CompleteProgress();
        }
        if (rmas != null && !filter.FirstReached) ReportRmasNotFound(periods); // after -First the rest was not looked for
    }

    /// <summary>One listing's pages on the work queue; every method runs on the pipeline thread.</summary>
    private sealed class Listing
    {
        private readonly GetRrInventoryCommand cmdlet;
        private readonly RrSession session;
        private readonly OrderedWorkQueue queue;
        private readonly IRrLog log;
        private readonly List<KeyValuePair<DateTime, DateTime>> windows;
        private readonly Stopwatch sinceProgress = Stopwatch.StartNew();
        private bool progressShown;

        public Listing(GetRrInventoryCommand cmdlet, RrSession session, OrderedWorkQueue queue, IRrLog log, List<KeyValuePair<DateTime, DateTime>> windows)
        {
            this.cmdlet = cmdlet;
            this.session = session;
            this.queue = queue;
            this.log = log;
            this.windows = windows;
        }

        private bool OnePageAtATime => cmdlet.first != null;

        /// <summary>Exact RMAs: a window's pages still go out at once, but none once the records written so far found them all.</summary>
        private bool StopsWhenAllRmasFound => cmdlet.filter.StopsWhenAllRmasFound;

        /// <summary>Starts every page of window <paramref name="w"/>; false when the listing must stop (-First reached, a page failed).</summary>
        public bool StartWindow(int w)
        {
            long offset = 0;
            for (var pageNumber = 1; ; pageNumber++)
            {
                // What was read so far decides whether -First, or the exact RMAs, still need this page.
                if (OnePageAtATime || StopsWhenAllRmasFound) queue.RunAll();
                if (cmdlet.filter.Done) return false;
                var size = StartPage(w, offset, pageNumber);
                queue.RunUntil(() => size.IsCompleted); // older pages are written meanwhile
                if (size.Status != TaskStatus.RanToCompletion) return false; // failed: rethrown in its turn
                var (count, total) = size.Result;
                if (InventoryApi.IsLastPage(offset, count, cmdlet.PageSize, total)) return true;
                if (total.HasValue && !OnePageAtATime)
                {
                    if (StopsWhenAllRmasFound) queue.RunAll(); // this first page may hold the last RMA
                    foreach (var next in InventoryApi.RemainingOffsets(cmdlet.PageSize, total.Value))
                    {
                        // Room first (older pages are written meanwhile), then the question whether the page is still needed.
                        queue.RunUntil(() => queue.Count < queue.ThrottleLimit);
                        if (cmdlet.filter.Done) return false;
                        StartPage(w, next, ++pageNumber);
                    }
                    return true;
                }
                offset += count;
            }
        }

        /// <summary>Starts one page request; its task gives the page's record count and the window's reported size.</summary>
        private Task<(int Count, long? Total)> StartPage(int w, long offset, int pageNumber)
        {
            var size = new TaskCompletionSource<(int, long?)>(TaskCreationOptions.RunContinuationsAsynchronously);
            var window = windows[w];
            queue.Start(async (unit, ct) =>
            {
                InventoryPage page;
                try
                {
                    page = await InventoryApi.ListPageAsync(session, window.Key, window.Value, cmdlet.PageSize, offset, log, ct).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    size.TrySetException(e);
                    throw;
                }
                size.TrySetResult((page.Items.Count, page.TotalNumberOfRecords));
                var position = new InventoryWalkPosition(w, windows.Count, window.Key, window.Value, pageNumber, offset + page.Items.Count, page.TotalNumberOfRecords);
                unit.Post(() => Write(page, position)); // after the size is set: this post wakes a consumer waiting for it
            });
            return size.Task;
        }

        /// <summary>Filtering, -Skip/-First and progress, in output order.</summary>
        private void Write(InventoryPage page, InventoryWalkPosition position)
        {
            if (position.PageNumber == 1 || sinceProgress.Elapsed >= ProgressInterval)
            {
                sinceProgress.Restart();
                cmdlet.WriteProgress(Progress(position));
                progressShown = true;
            }
            foreach (var inventory in page.Items)
                if (cmdlet.filter.Take(inventory)) cmdlet.WriteObject(inventory);
        }

        public void CompleteProgress()
        {
            if (progressShown)
                cmdlet.WriteProgress(new ProgressRecord(1, "Get-RrInventory", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>
    /// The creation-time periods to list: around the receive dates the -Rma values encode when every value has
    /// one and no -CreatedAfter/-CreatedBefore says otherwise (the rule is <see cref="RmaFormat.ListingPeriods"/>);
    /// else the one period of <see cref="Period"/>.
    /// </summary>
    private List<KeyValuePair<DateTime, DateTime>> Periods()
    {
        var bound = MyInvocation.BoundParameters;
        if (rmas != null && rmas.Count > 0 && !bound.ContainsKey(nameof(CreatedAfter)) && !bound.ContainsKey(nameof(CreatedBefore)))
        {
            var aroundReceiveDates = RmaFormat.ListingPeriods(rmas, DateTime.UtcNow);
            listsAroundReceiveDates = aroundReceiveDates != null;
            if (listsAroundReceiveDates) return aroundReceiveDates;
        }
        var (from, to) = Period();
        return new List<KeyValuePair<DateTime, DateTime>> { new KeyValuePair<DateTime, DateTime>(from, to) };
    }

    private static string Describe(List<KeyValuePair<DateTime, DateTime>> periods)
        => string.Join(", ", periods.Select(p => $"from {InventoryApi.Iso(p.Key)} to {InventoryApi.Iso(p.Value)}")) + " (ends excluded)";

    /// <summary>
    /// The -Rma values, trimmed (CSV cells) and without repeats; null without -Rma. A blank value is a per-value
    /// error; a value that is neither an RMA nor a pattern of one is looked for, with a warning.
    /// </summary>
    private List<string> ReadRmas()
    {
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(Rma))) return null;
        var values = new List<string>();
        if (Rma == null || Rma.Length == 0)
        {
            // -Rma (Import-Csv empty.csv).Rma: an unfiltered listing instead would feed every inventory downstream.
            WriteWarning("-Rma was given no value; nothing is listed.");
            return values;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in Rma)
        {
            var trimmed = value?.Trim();
            if (string.IsNullOrEmpty(trimmed))
            {
                WriteError(new ErrorRecord(new ArgumentException("Skipped -Rma value: it is empty."), "RrInvalidRma", ErrorCategory.InvalidArgument, value));
                continue;
            }
            if (!seen.Add(trimmed)) continue;
            values.Add(trimmed);
            if (!RmaFormat.HasWildcard(trimmed) && !RmaFormat.LooksLikeRma(trimmed))
                WriteWarning($"'{trimmed}' does not look like an RMA (such as USE-1034-260603-D00001-05); it is looked for anyway. An inventory id goes to -ReturnInventoryId.");
            var warehouse = RmaFormat.KnownParts(trimmed).WarehouseId;
            if (warehouse != null && WarehouseId != null && !WarehouseId.Contains(warehouse.Value))
                WriteWarning($"'{trimmed}' is an RMA of warehouse {warehouse}, which -WarehouseId leaves out; no inventory will match it.");
        }
        return values;
    }

    /// <summary>An exact RMA that no listed record had: one ObjectNotFound error each, in the order given.</summary>
    private void ReportRmasNotFound(List<KeyValuePair<DateTime, DateTime>> periods)
    {
        var hint = listsAroundReceiveDates
            ? "The period was taken from the receive dates in the RMAs; for an inventory created on another day (a swapped RMA), give -CreatedAfter and -CreatedBefore."
            : "An inventory created before that needs -CreatedAfter.";
        foreach (var rma in rmas.Where(r => !RmaFormat.HasWildcard(r) && !filter.Found(r)))
        {
            WriteError(new ErrorRecord(
                new ItemNotFoundException($"No return inventory has RMA '{rma}' among those created {Describe(periods)}. {hint}"),
                "RrRmaNotFound", ErrorCategory.ObjectNotFound, rma));
        }
    }

    /// <summary>[CreatedAfter, CreatedBefore) in UTC; a missing end is now, a missing start is <see cref="DefaultDays"/> before the end.</summary>
    private (DateTime, DateTime) Period()
    {
        var bound = MyInvocation.BoundParameters;
        // An unspecified kind is local time, as everywhere in PowerShell.
        var to = bound.ContainsKey(nameof(CreatedBefore)) ? CreatedBefore.ToUniversalTime() : DateTime.UtcNow;
        var from = bound.ContainsKey(nameof(CreatedAfter)) ? CreatedAfter.ToUniversalTime() : to.AddDays(-DefaultDays);
        if (from >= to)
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"-CreatedAfter ({from.ToString("u", CultureInfo.InvariantCulture)}) must be earlier than -CreatedBefore ({to.ToString("u", CultureInfo.InvariantCulture)})."),
                "RrInvalidPeriod", ErrorCategory.InvalidArgument, null));
        return (from, to);
    }

    private static ProgressRecord Progress(InventoryWalkPosition p)
    {
        var inWindow = p.TotalInWindow.HasValue && p.TotalInWindow.Value > 0 ? Math.Min(1.0, (double)p.RecordsRead / p.TotalInWindow.Value) : 1.0;
        var of = p.TotalInWindow.HasValue ? $" of {p.TotalInWindow.Value:N0}" : "";
        return new ProgressRecord(1, "Get-RrInventory",
            $"Window {p.WindowIndex + 1} of {p.WindowCount} ({p.WindowFrom:yyyy-MM-dd} to {p.WindowTo:yyyy-MM-dd}): page {p.PageNumber}, {p.RecordsRead:N0}{of} records")
        {
            PercentComplete = (int)Math.Min(100, 100 * (p.WindowIndex + inWindow) / p.WindowCount),
        };
    }

    /// <summary>A filter value no record can have is most likely a typo: say so instead of silently returning nothing.</summary>
    private void WarnAboutUnknownCodes()
    {
        var known = new HashSet<string>(Codes.HandlingCodes.Select(c => c.Key), StringComparer.OrdinalIgnoreCase);
        var types = ReferenceApi.Cached<HandlingType>(ActiveSession, ReferenceApi.HandlingTypesKey);
        if (types != null) known.UnionWith(types.Select(t => t.HandlingCode).Where(c => c != null));
        foreach (var code in filter.HandlingCodes.Where(c => !known.Contains(c)))
            WriteWarning($"'{code}' is not a known handling code ({string.Join(", ", known.OrderBy(c => c))}); no inventory will match it.");
        var statuses = new[] { "pending", "inProgress", "completed" };
        foreach (var status in filter.HandlingStatuses.Where(s => !statuses.Contains(s, StringComparer.OrdinalIgnoreCase)))
            WriteWarning($"'{status}' is not a known handling status ({string.Join(", ", statuses)}); no inventory will match it.");
    }
}
