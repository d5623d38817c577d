using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
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
    public sealed class GetRrInventoryCommand : RrBulkCmdlet
    {
        const string ByIdSet = "ById";
        const string ByTimeSet = "ByTime";

        /// <summary>The period listed when neither -CreatedAfter nor -CreatedBefore is given (documented in the help).</summary>
        public const int DefaultDays = 30;

        /// <summary>
        /// How many fetched pages of one window may wait for the pipeline: enough to overlap fetching with downstream
        /// work, few enough that memory stays flat however slow the consumer is (at most this many per window in flight).
        /// </summary>
        const int PagesAhead = 4;

        static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

        long? first;
        long skip;
        InventoryFilter filter;
        OrderedWorkQueue byIdQueue;
        IRrLog byIdLog;
        ItemProgress byIdProgress;
        readonly QuietInput quietInput = new QuietInput();

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "InventoryId", "ReturnInventory", "returnInventoryIdList")]
        [AllowNull, AllowEmptyString, AllowEmptyCollection]
        public object[] ReturnInventoryId { get; set; }

        [Parameter(ParameterSetName = ByTimeSet)]
        public DateTime CreatedAfter { get; set; }

        [Parameter(ParameterSetName = ByTimeSet)]
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
            if (ParameterSetName == ByIdSet)
            {
                byIdQueue = NewWorkQueue(first != null ? 1 : EffectiveThrottleLimit);
                byIdLog = LogFor(byIdQueue);
                byIdProgress = new ItemProgress(this, "Get-RrInventory", "return inventories");
            }
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
            if (!MyInvocation.ExpectingInput && ReturnInventoryId != null) byIdProgress.Expect(ReturnInventoryId.Length);
            var afterSilence = quietInput.Arrived();
            Pump(byIdQueue, () =>
            {
                byIdQueue.RunReady();
                InputIds.ForEach(this, ReturnInventoryId, InputIds.InventoryIdNames, null, id =>
                {
                    if (first != null) byIdQueue.RunAll(); // -First: one at a time, so that nothing is fetched once it is reached
                    if (filter.Done) return;
                    byIdQueue.Start(async (unit, ct) =>
                    {
                        try
                        {
                            var inventory = await InventoryApi.GetAsync(session, id, byIdLog, ct).ConfigureAwait(false);
                            unit.Post(() => { if (filter.Take(inventory)) WriteObject(inventory); });
                        }
                        catch (RrApiException e)
                        {
                            unit.Post(() => WriteApiError(InventoryInput.ItemError(e), id));
                        }
                        unit.Post(byIdProgress.ItemDone);
                    });
                });
                if (afterSilence) byIdQueue.RunAll(); // an event stream: finish this input before the producer runs again
            }, finishInFlight: false);
            quietInput.Returned();
        }

        protected override void EndProcessing()
        {
            if (byIdQueue == null) return;
            Pump(byIdQueue, byIdQueue.RunAll, finishInFlight: false);
            byIdProgress.Complete();
        }

        /// <summary>
        /// The listing: one unit of work per 62-day window, up to -ThrottleLimit windows fetched at once, pages within
        /// a window in order, and records written in window order (so the output is in creation order, as the
        /// service sorts it). With -First the windows and pages are walked one request at a time, so no request is
        /// sent that -First does not need.
        /// </summary>
        void List()
        {
            var (fromUtc, toUtc) = Period();
            if (filter.Done) return; // -First 0
            var session = ActiveSession;
            var stopAtFirst = first != null;
            var windows = InventoryApi.Windows(fromUtc, toUtc).ToList();
            var queue = NewWorkQueue(stopAtFirst ? 1 : EffectiveThrottleLimit);
            var log = LogFor(queue);
            WriteVerbose($"Listing return inventories created from {InventoryApi.Iso(fromUtc)} to {InventoryApi.Iso(toUtc)} (end excluded) in {session.Environment}, {PageSize} per page, {windows.Count} window(s), {queue.ThrottleLimit} at once.");

            var sinceProgress = Stopwatch.StartNew();
            var progressShown = false;
            try
            {
                Pump(queue, () =>
                {
                    for (var w = 0; w < windows.Count; w++)
                    {
                        if (stopAtFirst) queue.RunAll(); // the previous window decides whether -First still needs this one
                        if (filter.Done) break;
                        var index = w;
                        queue.Start((unit, ct) => InventoryApi.WalkWindowAsync(session, index, windows.Count, windows[index].Key, windows[index].Value, PageSize,
                            readAhead: !stopAtFirst, async (page, position) =>
                            {
                                // Filtering, -Skip/-First and progress run on the pipeline thread, in output order.
                                await unit.PostAsync(() =>
                                {
                                    if (position.PageNumber == 1 || sinceProgress.Elapsed >= ProgressInterval)
                                    {
                                        sinceProgress.Restart();
                                        WriteProgress(Progress(position));
                                        progressShown = true;
                                    }
                                    foreach (var inventory in page.Items)
                                        if (filter.Take(inventory)) WriteObject(inventory);
                                }, PagesAhead, waitUntilRun: stopAtFirst, ct).ConfigureAwait(false);
                                return !stopAtFirst || !filter.Done;
                            }, log, ct));
                    }
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
                if (progressShown)
                    WriteProgress(new ProgressRecord(1, "Get-RrInventory", "Done") { RecordType = ProgressRecordType.Completed });
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
