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
    # Compiled with Roslyn under the name the module's InternalsVisibleTo grants (Await and IRrLog are internal to the
    # module; Add-Type always gives the assembly a random name).
    $script:awaitFolder = Join-Path ([IO.Path]::GetTempPath()) "rr-await-tests-$PID-$([guid]::NewGuid().ToString('n'))"
    $null = New-Item -ItemType Directory -Path $awaitFolder
    $awaitAssembly = Join-Path $awaitFolder 'ReturnsHelper.AwaitTests.dll'
    $source = @'
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
    $references = @(
        [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location } | ForEach-Object Location
        'netstandard', 'System.Runtime', 'System.Collections', 'System.Threading', 'System.Threading.Tasks', 'System.Diagnostics.Tracing' |
            ForEach-Object { Join-Path ([Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()) "$_.dll" }
        Join-Path $moduleFolder 'ReturnsHelper.dll'
        Join-Path $moduleFolder 'ReturnsHelper.Core.dll'
    ) | Sort-Object -Unique | ForEach-Object { [Microsoft.CodeAnalysis.MetadataReference]::CreateFromFile($_) }
    $compilation = [Microsoft.CodeAnalysis.CSharp.CSharpCompilation]::Create('ReturnsHelper.AwaitTests',
        [Microsoft.CodeAnalysis.SyntaxTree[]]@([Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree]::ParseText($source)),
        [Microsoft.CodeAnalysis.MetadataReference[]]$references,
        [Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions]::new([Microsoft.CodeAnalysis.OutputKind]::DynamicallyLinkedLibrary))
    $stream = [IO.File]::Create($awaitAssembly)
    try { $emitted = $compilation.Emit($stream) } finally { $stream.Dispose() }
    if (-not $emitted.Success) { throw "The Await test cmdlet does not compile: $(@($emitted.Diagnostics | Where-Object Severity -EQ 'Error') -join '; ')" }
    Import-Module $awaitAssembly
}

AfterAll {
    Remove-Item -LiteralPath $awaitFolder -Recurse -Force -ErrorAction Ignore # a loaded dll stays on Windows: best effort
}

Describe 'Await' {
    It 'accepts a Post made before the pipeline thread has returned from starting the work' {
        $output = Test-RrEarlyPost
        $output | Should -Be 'posted', 'returned', 'pipeline thread was held'
    }
}
