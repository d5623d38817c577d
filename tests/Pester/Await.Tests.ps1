# RrCmdlet.Await: work may Post to the pipeline thread from its very first instruction, even before the pipeline
# thread has returned from starting it (under load the thread pool often runs the work first).
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $module = Import-RrTestModule
    $moduleFolder = Split-Path $module.Path

    # A test cmdlet that Posts first thing, while its pipeline thread is held inside Await right after the work was
    # queued: the task runtime's event source reports, on the pipeline thread, that it now waits for the work's task
    # (TaskWaitBegin), and the hold there lasts until the work has posted. So the Post surely happens before the
    # pipeline thread gets past starting the work: no timing luck involved.
    Add-Type -IgnoreWarnings -WarningAction Ignore -ReferencedAssemblies @(
        (Join-Path $moduleFolder 'ReturnsHelper.dll')
        (Join-Path $moduleFolder 'ReturnsHelper.Core.dll')
        [psobject].Assembly.Location
        'System.Diagnostics.Tracing', 'System.Threading', 'System.Threading.Tasks', 'System.Collections', 'System.Runtime', 'netstandard'
    ) -TypeDefinition @'
using System;
using System.Diagnostics.Tracing;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

/// <summary>Holds one thread in its next task wait until released.</summary>
public sealed class TaskWaitHold : EventListener
{
    public readonly ManualResetEventSlim Held = new ManualResetEventSlim();
    public readonly ManualResetEventSlim Released = new ManualResetEventSlim();
    volatile int heldThread = -1;

    public void Arm(int threadId) => heldThread = threadId;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "System.Threading.Tasks.TplEventSource") EnableEvents(source, EventLevel.Informational, (EventKeywords)2 /* Tasks */);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "TaskWaitBegin" || Environment.CurrentManagedThreadId != heldThread) return;
        heldThread = -1;
        Held.Set();
        Released.Wait(TimeSpan.FromMinutes(1)); // a bound only so that a broken test cannot hang the suite
    }
}

[Cmdlet("Test", "RrEarlyPost")]
public sealed class TestRrEarlyPostCommand : ReturnsHelper.Commands.RrCmdlet
{
    protected override void EndProcessing()
    {
        using (var hold = new TaskWaitHold())
        {
            var wasHeld = false;
            hold.Arm(Environment.CurrentManagedThreadId);
            var result = Await((log, ct) =>
            {
                try
                {
                    wasHeld = hold.Held.Wait(TimeSpan.FromMinutes(1));
                    Post(() => WriteObject("posted"));
                }
                finally { hold.Released.Set(); }
                return Task.FromResult("returned");
            });
            WriteObject(result);
            WriteObject(wasHeld ? "pipeline thread was held" : "pipeline thread was never held");
        }
    }
}
'@
    Import-Module -Assembly ([TestRrEarlyPostCommand].Assembly)
}

Describe 'Await' {
    It 'accepts a Post made before the pipeline thread has returned from starting the work' {
        $output = Test-RrEarlyPost
        $output | Should -Be 'posted', 'returned', 'pipeline thread was held'
    }
}
