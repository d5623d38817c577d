using System;
using System.Diagnostics;
using System.Management.Automation;

namespace ReturnsHelper.Commands;

/// <summary>
/// Progress of a command that sends one request per item: "N of M done" (M known when the ids came as a
/// parameter) written on the pipeline thread, first after a quarter of a second and then at most that often,
/// so a short run shows nothing and a long one is never silent.
/// </summary>
internal sealed class ItemProgress
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly Cmdlet cmdlet;
    private readonly string activity;
    private readonly string noun;
    private readonly Stopwatch sinceShown = Stopwatch.StartNew();
    private long expected;
    private long done;
    private bool shown;

    public ItemProgress(Cmdlet cmdlet, string activity, string noun)
    {
        this.cmdlet = cmdlet;
        this.activity = activity;
        this.noun = noun;
    }

    /// <summary>More items whose count is known up front (a parameter array).</summary>
    public void Expect(int count) => expected += count;

    /// <summary>One more item finished (its result or error was written).</summary>
    public void ItemDone()
    {
        done++;
        if (sinceShown.Elapsed < Interval) return;
        sinceShown.Restart();
        shown = true;
        var record = new ProgressRecord(1, activity, expected >= done ? $"{done:N0} of {expected:N0} {noun} done" : $"{done:N0} {noun} done");
        if (expected >= done && expected > 0) record.PercentComplete = (int)(100 * done / expected);
        cmdlet.WriteProgress(record);
    }

    public void Complete()
    {
        if (shown) cmdlet.WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
