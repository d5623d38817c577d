#Requires -Version 7.2
<#
.SYNOPSIS
Receive-RrWebhook starting on a 300 MB journal: peak memory above the idle pwsh, and start-up time.

.DESCRIPTION
Writes a -Path journal of about -JournalMB MB in the exact line format Receive-RrWebhook appends (records of
newInventoryCreated bodies of about 2 KB, each with its own notificationId), as a receiver that never rotated would
have left it. Then, in a child pwsh whose working set is sampled against its idle working set (module imported),
Receive-RrWebhook -Path <journal> -Timeout <1 s> starts, remembers the journal's recent deliveries for deduplication,
listens for a second and stops; no delivery arrives, so nothing is appended and the journal is not rotated. It runs
twice: with the default -MaxJournalMB 100 (the last 100 MB are read) and with -MaxJournalMB 1024 (the whole file is
read): memory is bounded by the dedupe set (100,000 keys), not by what is read. Start-up is the run's time minus the
timeout. Then ConvertFrom-RrWebhook -Path reads the whole journal back (Measure-Object), in another measured child.
Goal: under 150 MB above idle. Reports only: exit code 0 whatever the numbers.
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 4096)] [int] $JournalMB = 300,
    [int] $GoalMegabytes = 150
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSStyle.OutputRendering = 'PlainText'
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1')
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')


$work = Join-Path ([IO.Path]::GetTempPath()) "rr-journal-bench-$PID"
$null = New-Item -ItemType Directory -Path $work -Force
try {
    $journal = Join-Path $work 'events.jsonl'
    # A record line: the body as a JSON string (quotes escaped), as WebhookRecord writes it.
    $description = 'x' * 1500
    $head = '{"rrWebhookRecord":1,"receivedAt":"' + [datetime]::UtcNow.AddDays(-3).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'") +
        '","endpointUri":"https://hooks.example.com/returnhelper","timestamp":"2026-11-28T01:00:00.0000000Z","signature":"3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs=","body":"'
    $writer = [IO.StreamWriter]::new($journal, $false, [Text.UTF8Encoding]::new($false), 1MB)
    $records = 0
    while ($writer.BaseStream.Length -lt $JournalMB * 1MB) {
        for ($i = 0; $i -lt 1000; $i++) {
            $id = 1000000 + $records
            $writer.Write($head + '{\"category\":\"newInventoryCreated\",\"action\":\"newInventoryCreated\",\"eventTime\":\"2026-11-28T01:00:00Z\",\"version\":\"202407\",\"notificationId\":\"BENCH-' +
                $id + '\",\"returnInventory\":{\"returnInventoryId\":' + $id + ',\"handlingCode\":\"tbc\",\"handlingStatusCode\":\"pending\",\"description\":\"' + $description +
                '\"},\"shipment\":{\"shipmentId\":' + $id + ',\"trackingNumber\":\"T' + $id + '\"}}"}' + "`n")
            $records++
        }
        $writer.Flush()
    }
    $writer.Dispose()
    $sizeMb = (Get-Item -LiteralPath $journal).Length / 1MB

    $child = Join-Path $work 'journal-child.ps1'
    Set-Content -LiteralPath $child -Value @'
param([string] $ModulePath, [string] $Journal, [int] $Port, [int] $MaxJournalMB)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$key = ConvertTo-SecureString 'dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm' -AsPlainText -Force
# Warm-up on an empty journal, so JIT and listener set-up are part of the idle state, not of the measurement.
Receive-RrWebhook -Port $Port -SigningKey $key -EndpointUri 'https://hooks.example.com/returnhelper' -Path "$Journal.warmup" -Timeout '00:00:00.200' | Out-Null
[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
Start-Sleep -Milliseconds 200
[Console]::Out.WriteLine("IDLE $([Diagnostics.Process]::GetCurrentProcess().WorkingSet64)")
[Console]::Out.Flush()
Start-Sleep -Milliseconds 200
$timeout = [TimeSpan]::FromSeconds(1)
$watch = [Diagnostics.Stopwatch]::StartNew()
$verbose = Receive-RrWebhook -Port $Port -SigningKey $key -EndpointUri 'https://hooks.example.com/returnhelper' -Path $Journal -MaxJournalMB $MaxJournalMB -Timeout $timeout -Verbose 4>&1 |
    Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like 'Appending to*' }
$watch.Stop()
[Console]::Out.WriteLine('RESULT ' + (@{ startupSeconds = ($watch.Elapsed - $timeout).TotalSeconds; message = "$verbose" } | ConvertTo-Json -Compress))
'@
    Write-Host ''
    Write-Host ("Receive-RrWebhook starting on a {0:N0} MB journal of {1:N0} records (this machine: {2} cores)" -f $sizeMb, $records, [Environment]::ProcessorCount)
    $rows = foreach ($window in 100, 1024) {
        $measured = Invoke-MeasuredChild -ScriptPath $child -ArgumentList (Get-RrModulePath), $journal, (Get-RrTestFreePort), $window
        $overMb = ($measured.PeakBytes - $measured.IdleBytes) / 1MB
        [pscustomobject]@{
            'MaxJournalMB'     = $window
            'Idle (MB)'        = [Math]::Round($measured.IdleBytes / 1MB, 0)
            'Peak (MB)'        = [Math]::Round($measured.PeakBytes / 1MB, 0)
            'Above idle (MB)'  = [Math]::Round($overMb, 1)
            'Start-up (s)'     = [Math]::Round($measured.Results[0].startupSeconds, 2)
            "Goal < $GoalMegabytes MB" = $(if ($overMb -lt $GoalMegabytes) { 'met' } else { 'NOT met' })
            'Receiver says'    = $measured.Results[0].message
        }
    }
    $rows | Format-List | Out-String | Write-Host

    # Reading the same journal back: ConvertFrom-RrWebhook -Path reads a file this large line by line.
    $reader = Join-Path $work 'convert-child.ps1'
    Set-Content -LiteralPath $reader -Value @'
param([string] $ModulePath, [string] $Journal)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
'{"category":"rsl"}' | ConvertFrom-RrWebhook | Out-Null
[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
Start-Sleep -Milliseconds 200
[Console]::Out.WriteLine("IDLE $([Diagnostics.Process]::GetCurrentProcess().WorkingSet64)")
[Console]::Out.Flush()
Start-Sleep -Milliseconds 200
$watch = [Diagnostics.Stopwatch]::StartNew()
$events = (ConvertFrom-RrWebhook -Path $Journal | Measure-Object).Count
$watch.Stop()
[Console]::Out.WriteLine('RESULT ' + (@{ seconds = $watch.Elapsed.TotalSeconds; events = $events } | ConvertTo-Json -Compress))
'@
    $measured = Invoke-MeasuredChild -ScriptPath $reader -ArgumentList (Get-RrModulePath), $journal
    $overMb = ($measured.PeakBytes - $measured.IdleBytes) / 1MB
    Write-Host ("ConvertFrom-RrWebhook -Path <journal> | Measure-Object: {0:N0} events in {1:N1} s, {2:N1} MB above idle (goal < {3} MB: {4})." -f
        $measured.Results[0].events, $measured.Results[0].seconds, $overMb, $GoalMegabytes, $(if ($overMb -lt $GoalMegabytes) { 'met' } else { 'NOT met' }))
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
