using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Batching;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Base of the commands that send one request per inventory (Get-RrInventory by ID, Set- and
/// Undo-RrInventoryHandling): each usable id is checked on the pipeline thread, then sent as one unit of the
/// <see cref="OrderedWorkQueue"/> (up to -ThrottleLimit at once, output in input order), with progress; an input
/// that follows a quiet spell (an event stream) is finished before the producer runs again.
/// </summary>
public abstract class PerItemCmdlet : RrBulkCmdlet
{
    private readonly QuietInput quietInput = new QuietInput();
    private OrderedWorkQueue queue;
    private ItemProgress progress;
    private InputIds reader;

    /// <summary>The -Verbose/-Debug sink of the per-item requests.</summary>
    private protected IRrLog ItemLog { get; private set; }

    /// <summary>Call in BeginProcessing. With <paramref name="skipRepeats"/>, an id met before is a warning and is not sent again.</summary>
    protected void BeginPerItem(int throttleLimit, bool skipRepeats)
    {
        reader = new InputIds(this, InputIds.InventoryIdNames, "return inventory ID", skipRepeats);
        queue = NewWorkQueue(throttleLimit);
        ItemLog = LogFor(queue);
        progress = new ItemProgress(this, MyInvocation.MyCommand.Name, "return inventories");
    }

    /// <summary>
    /// Reads the ids in <paramref name="items"/> and sends <paramref name="send"/> for each one that
    /// <paramref name="shouldSend"/> accepts (pipeline thread: ShouldProcess, -First); <paramref name="send"/> gets the
    /// input the id came from, the TargetObject of its errors. With <paramref name="isWrite"/>, requests already sent
    /// are finished and reported if the command fails (see <see cref="RrCmdlet.Pump"/>).
    /// </summary>
    private protected void SendPerItem(object[] items, Func<long, bool> shouldSend,
        Func<WorkUnit, long, object, CancellationToken, Task> send, bool isWrite)
    {
        if (!MyInvocation.ExpectingInput && items != null) progress.Expect(items.Length);
        var afterSilence = quietInput.Arrived();
        Pump(queue, () =>
        {
            queue.RunReady();
            reader.ForEach(items, (id, input) =>
            {
                if (!shouldSend(id)) return;
                queue.Start(async (unit, ct) =>
                {
                    await send(unit, id, input, ct).ConfigureAwait(false);
                    unit.Post(progress.ItemDone);
                });
            });
            if (afterSilence) queue.RunAll(); // an event stream: finish this input before the producer runs again
        }, finishInFlight: isWrite);
        quietInput.Returned();
    }

    /// <summary>Waits for the requests in flight and writes what they did (pipeline thread).</summary>
    protected void FinishItemsInFlight() => queue.RunAll();

    /// <summary>Call in EndProcessing.</summary>
    protected void EndPerItem(bool isWrite)
    {
        Pump(queue, queue.RunAll, finishInFlight: isWrite);
        progress.Complete();
    }
}
