using System.Diagnostics;
using System.Net;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>Ctrl+C (StopProcessing) must end an in-flight request or a backoff wait at once.</summary>
public class CancellationTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Cancelling_during_an_in_flight_request_ends_at_once_with_OperationCanceledException()
    {
        using var h = new Harness(); // default per-attempt timeout is 20 s: only the cancellation can end this
        h.Handler.Hang().Ok(Wire.Ok());
        using var cts = new CancellationTokenSource();
        var arrived = h.Handler.RequestArrived.Task;
        var call = h.SendAsync(RrRequest.Get("Recall/list"), cts.Token);
        await arrived.WaitAsync(TimeSpan.FromSeconds(10));

        var watch = Stopwatch.StartNew();
        cts.Cancel();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        watch.Stop();

        Assert.True(watch.Elapsed < Prompt, $"took {watch.Elapsed}");
        Assert.Equal(1, h.Handler.Count); // not treated as a timeout and retried
        Assert.Empty(h.Delays);
    }

    [Fact]
    public async Task Cancelling_during_a_backoff_wait_ends_at_once_with_OperationCanceledException()
    {
        using var h = new Harness();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Client.Delay = (wait, ct) => { waiting.TrySetResult(); return Task.Delay(wait, ct); }; // really waits on the token
        h.Handler.Status(HttpStatusCode.ServiceUnavailable, retryAfterSeconds: 50).Ok(Wire.Ok());
        using var cts = new CancellationTokenSource();
        var call = h.SendAsync(RrRequest.Write("Recall/cancelRecall", null), cts.Token);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var watch = Stopwatch.StartNew();
        cts.Cancel();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        watch.Stop();

        Assert.True(watch.Elapsed < Prompt, $"took {watch.Elapsed}");
        Assert.Equal(1, h.Handler.Count); // the retry never went out
    }

    [Fact]
    public async Task An_already_cancelled_token_fails_fast_and_is_not_a_transport_error()
    {
        using var h = new Harness();
        h.Handler.Ok(Wire.Ok());
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.SendAsync(RrRequest.Get("Recall/list"), cts.Token));
        Assert.Equal(0, h.Handler.Count);
        Assert.Empty(h.Delays);
    }
}
