using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ReturnsHelper.Batching;

/// <summary>
/// The one concurrency engine: every command that sends more than one request runs its requests as units of
/// work here (a recall batch, one inventory, one 62-day listing window). Units run on the thread pool; what
/// they produce (results, errors) is handed back to one consumer thread (the PowerShell pipeline thread) as
/// actions, in the order the units were started.
///
/// Why it is correct:
/// - Bounded concurrency and memory. The window holds the started units whose actions have not all run yet.
///   <see cref="Start"/> first runs the oldest units' actions until the window has room, so at most
///   <see cref="ThrottleLimit"/> units exist at once from the consumer's side; <see cref="TryStart"/> (a timer)
///   only starts a unit while fewer than ThrottleLimit are running, so requests in flight never exceed it.
///   A unit's own backlog is bounded by the unit: one request's answer (a batch, an inventory, a page).
/// - One writer. Actions only ever run inside <see cref="Start"/>, <see cref="RunReady"/>, <see cref="RunUntil"/>,
///   <see cref="RunAll"/> and <see cref="RunAllBestEffort"/>, which only the consumer calls; so WriteObject, ShouldProcess and
///   progress stay on the pipeline thread.
/// - Input order. Only the oldest unit's actions run; a newer unit's wait until every older unit has finished
///   and its actions ran. Log lines (<see cref="PostNow"/>) are diagnostics and run as soon as the consumer looks.
/// - Nothing lost, nothing twice. A unit is removed from the window only after it completed and its last action
///   ran (its failure, if any, is then rethrown to the consumer), and each unit is started exactly once by the
///   caller that created it. What a unit sends more than once (retries) is the HTTP core's business: the same
///   idempotency key per logical write.
/// - No lost wake-up. Every post releases <see cref="signal"/> after queueing its action, and every unit's
///   completion releases it from a continuation, i.e. after the task is marked complete; the consumer re-checks
///   state after every wake, and a counted semaphore cannot miss a release.
/// - Cancellation. All units share one token (Ctrl+C cancels every request at once), and a consumer waiting on
///   the queue wakes with <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class OrderedWorkQueue
{
    private readonly object gate = new object();            // the window and the running count: TryStart runs on a timer thread
    private readonly Queue<WorkUnit> window = new Queue<WorkUnit>();
    private readonly ConcurrentQueue<Action> immediate = new ConcurrentQueue<Action>();
    private readonly SemaphoreSlim signal = new SemaphoreSlim(0);
    private readonly CancellationToken cancellation;
    private int running;

    public OrderedWorkQueue(int throttleLimit, CancellationToken cancellation)
    {
        if (throttleLimit < 1) throw new ArgumentOutOfRangeException(nameof(throttleLimit), throttleLimit, "The throttle limit must be at least 1.");
        ThrottleLimit = throttleLimit;
        this.cancellation = cancellation;
    }

    /// <summary>How many units may exist (started and not yet fully written) at once, and so how many requests are in flight.</summary>
    public int ThrottleLimit { get; }

    /// <summary>Started units whose actions have not all run.</summary>
    public int Count { get { lock (gate) return window.Count; } }

    /// <summary>
    /// Consumer only: starts <paramref name="work"/> as the newest unit. When the window is full, first runs
    /// the oldest units' actions (waiting for them) until one finished; so a producer is slowed to the pace of
    /// the service instead of buffering without limit.
    /// </summary>
    public WorkUnit Start(Func<WorkUnit, CancellationToken, Task> work)
    {
        Pump(() => Count < ThrottleLimit, bestEffort: false);
        lock (gate) return StartLocked(work);
    }

    /// <summary>
    /// Any thread: starts <paramref name="work"/> only when fewer than <see cref="ThrottleLimit"/> units are
    /// running; otherwise returns null and the caller tries again later. Runs no action (a timer may call it).
    /// </summary>
    public WorkUnit TryStart(Func<WorkUnit, CancellationToken, Task> work)
    {
        lock (gate) return running < ThrottleLimit ? StartLocked(work) : null;
    }

    private WorkUnit StartLocked(Func<WorkUnit, CancellationToken, Task> work)
    {
        var unit = new WorkUnit(this);
        running++;
        window.Enqueue(unit);
        unit.Task = RunUnitAsync(unit, work);
        // Signalled by a continuation, so the consumer that wakes already sees the task completed.
        unit.Task.ContinueWith(_ => signal.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return unit;
    }

    private async Task RunUnitAsync(WorkUnit unit, Func<WorkUnit, CancellationToken, Task> work)
    {
        try
        {
            await Task.Run(() => work(unit, cancellation), cancellation).ConfigureAwait(false);
        }
        finally
        {
            lock (gate) running--;
        }
    }

    /// <summary>Any thread: an action for the consumer that does not wait for older units (log lines).</summary>
    public void PostNow(Action action)
    {
        immediate.Enqueue(action);
        signal.Release();
    }

    /// <summary>Consumer only: runs everything that can run now, in order, without waiting.</summary>
    public void RunReady() => Pump(() => true, bestEffort: false);

    /// <summary>
    /// Consumer only: runs actions (waiting for more) until <paramref name="condition"/> holds. The condition may
    /// look at something a unit sets before it posts or completes (both wake the consumer), e.g. the size a
    /// listing's first page reports, so the consumer learns it while older units' results are still written.
    /// </summary>
    public void RunUntil(Func<bool> condition) => Pump(condition, bestEffort: false);

    /// <summary>Consumer only: waits for every unit and runs all of their actions, in order. A unit's failure is rethrown when its turn comes.</summary>
    public void RunAll() => Pump(() => Count == 0, bestEffort: false);

    /// <summary>
    /// Consumer only, after the consumer failed (a terminating error, a downstream stop): waits for every unit
    /// still in the window and runs their remaining actions, ignoring what fails, so writes already sent are
    /// still reported as far as the pipeline accepts it. Stops at once when the token is cancelled.
    /// </summary>
    public void RunAllBestEffort() => Pump(() => Count == 0, bestEffort: true);

    private void Pump(Func<bool> done, bool bestEffort)
    {
        while (true)
        {
            while (immediate.TryDequeue(out var log)) Run(log, bestEffort);
            while (true)
            {
                WorkUnit head;
                lock (gate)
                {
                    if (window.Count == 0) break;
                    head = window.Peek();
                }
                // Completed is read before draining: an action posted before completion is then surely in the queue.
                var completed = head.Task.IsCompleted;
                while (head.TryTake(out var action)) Run(action, bestEffort);
                if (!completed) break;
                lock (gate) window.Dequeue();
                if (head.Task.IsFaulted || head.Task.IsCanceled)
                {
                    if (!bestEffort) head.Task.GetAwaiter().GetResult();
                    else _ = head.Task.Exception; // observed
                }
            }
            if (done()) return;
            signal.Wait(cancellation);
        }
    }

    private static void Run(Action action, bool bestEffort)
    {
        if (!bestEffort) { action(); return; }
        try { action(); }
        catch (Exception) { /* the pipeline is already failing: write what still can be written */ }
    }

    internal void Signal() => signal.Release();
}

/// <summary>One unit of work in an <see cref="OrderedWorkQueue"/>: what it posts runs on the consumer, in unit order.</summary>
internal sealed class WorkUnit
{
    private readonly OrderedWorkQueue owner;
    private readonly ConcurrentQueue<Action> posted = new ConcurrentQueue<Action>();

    internal WorkUnit(OrderedWorkQueue owner) => this.owner = owner;

    /// <summary>Completes when the work (not its actions) is done.</summary>
    public Task Task { get; internal set; }

    /// <summary>Any thread: queues an action for the consumer; it runs after every action of older units.</summary>
    public void Post(Action action)
    {
        posted.Enqueue(action);
        owner.Signal();
    }

    internal bool TryTake(out Action action) => posted.TryDequeue(out action);
}
