using ReturnsHelper.Batching;

namespace ReturnsHelper.Core.Tests;

/// <summary>The concurrency engine: bounded concurrency and window, input order, one consumer, failures, cancellation.</summary>
public class OrderedWorkQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Units whose completion the test controls, counting how many run at once.</summary>
    private sealed class Gates
    {
        private readonly List<TaskCompletionSource<bool>> gates = new();
        private int running;
        public int MaxRunning;
        public int Started;

        public TaskCompletionSource<bool> this[int i] { get { lock (gates) { while (gates.Count <= i) gates.Add(new(TaskCreationOptions.RunContinuationsAsynchronously)); return gates[i]; } } }

        public Func<WorkUnit, CancellationToken, Task> Unit(int i, List<int> output) => async (unit, ct) =>
        {
            Interlocked.Increment(ref Started);
            var now = Interlocked.Increment(ref running);
            lock (gates) MaxRunning = Math.Max(MaxRunning, now);
            try
            {
                await this[i].Task.WaitAsync(ct);
                unit.Post(() => output.Add(i));
            }
            finally { Interlocked.Decrement(ref running); }
        };
    }

    private static void Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not become true in time.");
            Thread.Sleep(5);
        }
    }

    [Fact]
    public void Output_is_in_start_order_when_units_finish_in_reverse()
    {
        var queue = new OrderedWorkQueue(4, CancellationToken.None);
        var gates = new Gates();
        var output = new List<int>();
        for (var i = 0; i < 4; i++) queue.Start(gates.Unit(i, output));
        for (var i = 3; i >= 0; i--) gates[i].SetResult(true);
        queue.RunAll();
        Assert.Equal(new[] { 0, 1, 2, 3 }, output);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Newer_results_wait_for_the_oldest_unit()
    {
        var queue = new OrderedWorkQueue(3, CancellationToken.None);
        var gates = new Gates();
        var output = new List<int>();
        for (var i = 0; i < 3; i++) queue.Start(gates.Unit(i, output));
        gates[1].SetResult(true);
        gates[2].SetResult(true);
        Eventually(() => { queue.RunReady(); return queue.Count == 3; });
        Thread.Sleep(50);
        queue.RunReady();
        Assert.Empty(output); // 1 and 2 are done, but 0 is not
        gates[0].SetResult(true);
        queue.RunAll();
        Assert.Equal(new[] { 0, 1, 2 }, output);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    public void Never_more_units_in_flight_than_the_throttle_limit(int throttle)
    {
        var queue = new OrderedWorkQueue(throttle, CancellationToken.None);
        var running = 0;
        var maxRunning = 0;
        var output = new List<int>();
        for (var i = 0; i < 60; i++)
        {
            var n = i;
            queue.Start(async (unit, ct) =>
            {
                var now = Interlocked.Increment(ref running);
                lock (output) maxRunning = Math.Max(maxRunning, now);
                await Task.Delay(n % 3 == 0 ? 15 : 1, ct);
                Interlocked.Decrement(ref running);
                unit.Post(() => output.Add(n));
            });
            Assert.True(queue.Count <= throttle);
        }
        queue.RunAll();
        Assert.Equal(Enumerable.Range(0, 60), output);
        Assert.True(maxRunning <= throttle, $"{maxRunning} units ran at once with a limit of {throttle}");
        if (throttle > 1) Assert.True(maxRunning > 1, "the units never overlapped");
    }

    [Fact]
    public async Task Start_blocks_while_the_window_is_full_and_resumes_when_the_oldest_finishes()
    {
        var queue = new OrderedWorkQueue(2, CancellationToken.None);
        var gates = new Gates();
        var output = new List<int>();
        queue.Start(gates.Unit(0, output));
        queue.Start(gates.Unit(1, output));
        var third = Task.Run(() => queue.Start(gates.Unit(2, output)));
        Thread.Sleep(100);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, gates.Started);
        gates[0].SetResult(true);
        await third.WaitAsync(Patience);
        Assert.Equal(new[] { 0 }, output);
        gates[1].SetResult(true);
        gates[2].SetResult(true);
        queue.RunAll();
        Assert.Equal(new[] { 0, 1, 2 }, output);
    }

    [Fact]
    public void TryStart_refuses_when_every_slot_is_running_but_not_when_a_finished_unit_waits_for_the_consumer()
    {
        var queue = new OrderedWorkQueue(1, CancellationToken.None);
        var gates = new Gates();
        var output = new List<int>();
        queue.Start(gates.Unit(0, output));
        Assert.Null(queue.TryStart(gates.Unit(1, output)));
        gates[0].SetResult(true);
        WorkUnit started = null;
        Eventually(() => (started = queue.TryStart(gates.Unit(1, output))) != null);
        gates[1].SetResult(true);
        queue.RunAll();
        Assert.Equal(new[] { 0, 1 }, output);
    }

    [Fact]
    public void A_failed_unit_is_rethrown_in_its_turn_after_the_older_units_output()
    {
        var queue = new OrderedWorkQueue(3, CancellationToken.None);
        var output = new List<int>();
        queue.Start(async (unit, ct) => { await Task.Delay(50, ct); unit.Post(() => output.Add(0)); });
        queue.Start((unit, ct) => throw new InvalidOperationException("boom"));
        queue.Start((unit, ct) => { unit.Post(() => output.Add(2)); return Task.CompletedTask; });
        var e = Assert.Throws<InvalidOperationException>(() => queue.RunAll());
        Assert.Equal("boom", e.Message);
        Assert.Equal(new[] { 0 }, output);
        queue.RunAll(); // the rest is still there
        Assert.Equal(new[] { 0, 2 }, output);
    }

    [Fact]
    public void Best_effort_finish_writes_what_it_can_and_swallows_failures()
    {
        var queue = new OrderedWorkQueue(3, CancellationToken.None);
        var output = new List<int>();
        // The units post only after every Start: a Start pumps finished units itself (not best effort), and
        // whether one had finished by then would be a race.
        var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Start(async (unit, ct) => { await started.Task; unit.Post(() => throw new InvalidOperationException("a write fails")); unit.Post(() => output.Add(0)); });
        queue.Start(async (unit, ct) => { await started.Task; throw new InvalidOperationException("a unit fails"); });
        queue.Start(async (unit, ct) => { await started.Task; unit.Post(() => output.Add(2)); });
        started.SetResult(true);
        queue.RunAllBestEffort();
        Assert.Equal(new[] { 0, 2 }, output);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Cancellation_stops_every_unit_and_wakes_the_waiting_consumer()
    {
        using var cts = new CancellationTokenSource();
        var queue = new OrderedWorkQueue(4, cts.Token);
        var cancelled = 0;
        for (var i = 0; i < 4; i++)
            queue.Start(async (unit, ct) =>
            {
                try { await Task.Delay(Timeout.Infinite, ct); }
                catch (OperationCanceledException) { Interlocked.Increment(ref cancelled); throw; }
            });
        var consumer = Task.Run(() => queue.RunAll());
        Thread.Sleep(50);
        cts.Cancel();
        var e = Assert.ThrowsAny<AggregateException>(() => consumer.Wait(Patience));
        Assert.IsAssignableFrom<OperationCanceledException>(e.InnerException);
        Eventually(() => Volatile.Read(ref cancelled) == 4);
    }

    [Fact]
    public void Log_lines_do_not_wait_for_older_units()
    {
        var queue = new OrderedWorkQueue(2, CancellationToken.None);
        var gates = new Gates();
        var output = new List<string>();
        queue.Start(async (unit, ct) => { await gates[0].Task; unit.Post(() => output.Add("result 0")); });
        queue.Start((unit, ct) => { queue.PostNow(() => output.Add("log 1")); unit.Post(() => output.Add("result 1")); return Task.CompletedTask; });
        Eventually(() => { queue.RunReady(); return output.Contains("log 1"); });
        Assert.Equal(new[] { "log 1" }, output);
        gates[0].SetResult(true);
        queue.RunAll();
        Assert.Equal(new[] { "log 1", "result 0", "result 1" }, output);
    }

    [Fact]
    public void Actions_run_only_on_the_consumer_thread()
    {
        var queue = new OrderedWorkQueue(4, CancellationToken.None);
        var consumer = Environment.CurrentManagedThreadId;
        var threads = new List<int>();
        for (var i = 0; i < 20; i++)
            queue.Start(async (unit, ct) => { await Task.Yield(); unit.Post(() => threads.Add(Environment.CurrentManagedThreadId)); queue.PostNow(() => threads.Add(Environment.CurrentManagedThreadId)); });
        queue.RunAll();
        Assert.Equal(40, threads.Count);
        Assert.All(threads, t => Assert.Equal(consumer, t));
    }

    [Fact]
    public void RunUntil_returns_when_a_newer_unit_reports_while_older_results_are_written_in_order()
    {
        var queue = new OrderedWorkQueue(3, CancellationToken.None);
        var gates = new Gates();
        var output = new List<int>();
        var size = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Start(gates.Unit(0, output));
        queue.Start(async (unit, ct) => { size.SetResult(42); unit.Post(() => output.Add(1)); await Task.Yield(); });
        queue.RunUntil(() => size.Task.IsCompleted);
        Assert.True(size.Task.IsCompletedSuccessfully);
        Assert.Empty(output); // unit 0 still runs: unit 1's result waits for it
        gates[0].SetResult(true);
        queue.RunAll();
        Assert.Equal(new[] { 0, 1 }, output);
    }

    [Fact]
    public async Task Thousands_of_instant_units_never_leave_the_consumer_waiting()
    {
        // A unit that completes right after its last post is the race where a wake-up could be lost.
        var consumer = Task.Run(() =>
        {
            var queue = new OrderedWorkQueue(4, CancellationToken.None);
            var count = 0;
            for (var i = 0; i < 20000; i++)
            {
                // Most post nothing: then the completion is the only wake-up there is.
                if (i % 10 == 0) queue.Start((unit, ct) => { unit.Post(() => Interlocked.Increment(ref count)); return Task.CompletedTask; });
                else queue.Start((unit, ct) => { Interlocked.Increment(ref count); return Task.CompletedTask; });
            }
            queue.RunAll();
            return count;
        });
        Assert.Equal(20000, await consumer.WaitAsync(TimeSpan.FromSeconds(60))); // a TimeoutException: the consumer hung
    }

    [Fact]
    public void A_throttle_limit_below_one_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new OrderedWorkQueue(0, CancellationToken.None));
}
