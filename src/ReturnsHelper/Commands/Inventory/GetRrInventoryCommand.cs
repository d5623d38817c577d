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

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Get-RrInventory: return inventories by id (one GetReturnInventory per id), or by creation time
    /// (ReturnInventory/list walked in 62-day windows and pages), with the filters the service does not have
    /// applied as records stream. Both run on the <see cref="OrderedWorkQueue"/>: up to -ThrottleLimit requests
    /// at once, output in input (or creation) order.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RrInventory", DefaultParameterSetName = ByTimeSet)]
    [OutputType(typeof(Inventory))]
    public sealed class GetRrInventoryCommand : PerItemCmdlet
    {
        const string ByIdSet = "ById";
        const string ByTimeSet = "ByTime";

        /// <summary>The period listed when neither -CreatedAfter nor -CreatedBefore is given (documented in the help).</summary>
        public const int DefaultDays = 30;

        static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

        long? first;
        long skip;
        InventoryFilter filter;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "InventoryId", "ReturnInventory", "returnInventoryIdList")]
        [AllowNull, AllowEmptyString, AllowEmptyCollection]
        public object[] ReturnInventoryId { get; set; }

        [Parameter(ParameterSetName = ByTimeSet)]
        [OffsetTimeTransformation]
        public DateTime CreatedAfter { get; set; }

        [Parameter(ParameterSetName = ByTimeSet)]
        [OffsetTimeTransformation]
        public DateTime CreatedBefore { get; set; }

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
            filter = new InventoryFilter(HandlingCode, HandlingStatus, WarehouseId, Sku, skip, first ?? long.MaxValue);
            WarnAboutUnknownCodes();
            if (ParameterSetName == ByIdSet) BeginPerItem(first != null ? 1 : EffectiveThrottleLimit);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ByIdSet) GetById();
            else List();
        }

        /// <summary>One GetReturnInventory per id, up to -ThrottleLimit at once, written in input order.</summary>
        void GetById()
        {
            var session = ActiveSession;
            SendPerItem(ReturnInventoryId, null, id =>
            {
                if (first != null) FinishItemsInFlight(); // -First: one at a time, so that nothing is fetched once it is reached
                return !filter.Done;
            }, async (unit, id, ct) =>
            {
                try
                {
                    var inventory = await InventoryApi.GetAsync(session, id, ItemLog, ct).ConfigureAwait(false);
                    unit.Post(() => { if (filter.Take(inventory)) WriteObject(inventory); });
                }
                catch (RrApiException e)
                {
                    unit.Post(() => WriteApiError(InventoryInput.ItemError(e), id));
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
        /// read one after another until a short page.
        /// </summary>
        void List()
        {
            var (fromUtc, toUtc) = Period();
            if (filter.Done) return; // -First 0
            var session = ActiveSession;
            var windows = InventoryApi.Windows(fromUtc, toUtc).ToList();
            var queue = NewWorkQueue(first != null ? 1 : EffectiveThrottleLimit);
            var log = LogFor(queue);
            WriteVerbose($"Listing return inventories created from {InventoryApi.Iso(fromUtc)} to {InventoryApi.Iso(toUtc)} (end excluded) in {session.Environment}, {PageSize} per page, {windows.Count} window(s), {queue.ThrottleLimit} request(s) at once.");

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
                ThrowTerminatingError(ErrorMapper.ToRecord(e, $"{InventoryApi.Iso(fromUtc)}/{InventoryApi.Iso(toUtc)}"));
            }
            finally
            {
                listing.CompleteProgress();
            }
        }

        /// <summary>One listing's pages on the work queue; every method runs on the pipeline thread.</summary>
        sealed class Listing
        {
            readonly GetRrInventoryCommand cmdlet;
            readonly RrSession session;
            readonly OrderedWorkQueue queue;
            readonly IRrLog log;
            readonly List<KeyValuePair<DateTime, DateTime>> windows;
            readonly Stopwatch sinceProgress = Stopwatch.StartNew();
            bool progressShown;

            public Listing(GetRrInventoryCommand cmdlet, RrSession session, OrderedWorkQueue queue, IRrLog log, List<KeyValuePair<DateTime, DateTime>> windows)
            {
                this.cmdlet = cmdlet;
                this.session = session;
                this.queue = queue;
                this.log = log;
                this.windows = windows;
            }

            bool OnePageAtATime => cmdlet.first != null;

            /// <summary>Starts every page of window <paramref name="w"/>; false when the listing must stop (-First reached, a page failed).</summary>
            public bool StartWindow(int w)
            {
                long offset = 0;
                for (var pageNumber = 1; ; pageNumber++)
                {
                    if (OnePageAtATime)
                    {
                        queue.RunAll(); // the previous page decides whether -First still needs this one
                        if (cmdlet.filter.Done) return false;
                    }
                    var size = StartPage(w, offset, pageNumber);
                    queue.RunUntil(() => size.IsCompleted); // older pages are written meanwhile
                    if (size.Status != TaskStatus.RanToCompletion) return false; // failed: rethrown in its turn
                    var (count, total) = size.Result;
                    if (InventoryApi.IsLastPage(offset, count, cmdlet.PageSize, total)) return true;
                    if (total.HasValue && !OnePageAtATime)
                    {
                        foreach (var next in InventoryApi.RemainingOffsets(cmdlet.PageSize, total.Value))
                            StartPage(w, next, ++pageNumber);
                        return true;
                    }
                    offset += count;
                }
            }

            /// <summary>Starts one page request; its task gives the page's record count and the window's reported size.</summary>
            Task<(int Count, long? Total)> StartPage(int w, long offset, int pageNumber)
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
            void Write(InventoryPage page, InventoryWalkPosition position)
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

        /// <summary>[CreatedAfter, CreatedBefore) in UTC; a missing end is now, a missing start is <see cref="DefaultDays"/> before the end.</summary>
        (DateTime, DateTime) Period()
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

        static ProgressRecord Progress(InventoryWalkPosition p)
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
        void WarnAboutUnknownCodes()
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
}
