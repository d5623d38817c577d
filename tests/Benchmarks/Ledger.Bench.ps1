#Requires -Version 7.2
<#
.SYNOPSIS
Reading a recall ledger of 100,000 recalls: what New-RrRecall and Get-RrRecall pay at their start.

.DESCRIPTION
Writes a ledger of -Recalls recalls (each with -InventoriesPerRecall inventories, as New-RrRecall records them:
a pending line and a created line per batch, plus a webhook status line for every tenth recall) into a temporary
folder, then measures, in this process, -Runs rounds (round-robin, after a warm-up of each):
  (a) RecallLedger.Read(): the ledger folded into its state (goal: under 1 s);
  (b) Get-RrRecall -RecallNumber <one number> | Out-Null: the same read plus the cmdlet;
  (ref) reading the file's bytes and counting lines: the floor any reader of the file pays.
It also reports the file size and how compaction shrinks a ledger whose recalls were each cancelled and updated
twice (lines before and after). Reports only: exit code 0 whatever the numbers.
#>
[CmdletBinding()]
param(
    [ValidateRange(1000, 1000000)] [int] $Recalls = 100000,
    [ValidateRange(1, 100)] [int] $InventoriesPerRecall = 3,
    [ValidateRange(1, 20)] [int] $Runs = 5,
    [double] $GoalSeconds = 1.0
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSStyle.OutputRendering = 'PlainText'
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1')
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')
Import-Module (Get-RrModulePath)

$work = Join-Path ([IO.Path]::GetTempPath()) "rr-ledger-bench-$PID"
$null = New-Item -ItemType Directory -Path $work -Force
try {
    # Written directly in the ledger's line format (what the module appends one by one), for speed.
    $fileName = 'recalls-bench.jsonl'
    $path = Join-Path $work $fileName
    $writer = [IO.StreamWriter]::new($path, $false, [Text.UTF8Encoding]::new($false))
    $at = [datetime]::UtcNow.AddDays(-30).ToString('o')
    $inventory = 1000000
    for ($r = 1; $r -le $Recalls; $r++) {
        $key = [guid]::NewGuid().ToString()
        $ids = for ($i = 0; $i -lt $InventoriesPerRecall; $i++) { $inventory + $i }
        $writer.Write('{"v":1,"e":"pending","at":"' + $at + '","key":"' + $key + '","ids":[' + ($ids -join ',') + "]}`n")
        $items = for ($i = 0; $i -lt $InventoriesPerRecall; $i++) {
            '{"recallInventoryId":' + ($r * 100 + $i) + ',"returnInventoryId":' + $ids[$i] + ',"recallInventoryStatusCode":"in-progress","pickUpCode":"pending","rma":"USE-2-261030-D' + $r.ToString('00000') + '-0' + $i + '"}'
        }
        $number = 'RCL261030-' + $r.ToString('0000000')
        $writer.Write('{"v":1,"e":"created","at":"' + $at + '","key":"' + $key + '","recalls":[{"recallId":' + $r + ',"recallNumber":"' + $number +
            '","recallStatusCode":"pending","warehouseId":2,"createOn":"' + $at + '","recallInventoryList":[' + ($items -join ',') + ']}]}' + "`n")
        if ($r % 10 -eq 0) {
            $writer.Write('{"v":1,"e":"status","at":"' + $at + '","source":"webhook","eventTime":"' + $at + '","updateType":"updateTrackingNumber","recalls":[{"recallId":' + $r +
                ',"recallNumber":"' + $number + '","recallStatusCode":"in-progress","recallInventoryList":[{"returnInventoryId":' + $ids[0] + ',"trackingNumber":"TRK' + $r + '"}]}]}' + "`n")
        }
        $inventory += $InventoriesPerRecall
    }
    $writer.Dispose()
    $sizeMb = (Get-Item -LiteralPath $path).Length / 1MB

    # RecallLedger is internal to the module: reached through its assembly.
    $ledgerType = [ReturnsHelper.RrSession].Assembly.GetType('ReturnsHelper.Ledger.RecallLedger', $true)
    $ledger = $ledgerType::Open($work, $fileName, 'Custom')
    $emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0'
    try {
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -LedgerPath $work -PassThru
        # The session's own ledger file is named by a hash of key and base URI: point it at the benchmark's file.
        Copy-Item -LiteralPath $path -Destination $session.LedgerPath -Force
        $someNumber = 'RCL261030-' + [Math]::Floor($Recalls / 2).ToString('0000000')

        $ways = [ordered]@{
            '(a) RecallLedger.Read()'                 = { $state = $ledger.Read(); if ($state.Recalls.Count -ne $Recalls) { throw "Read $($state.Recalls.Count) recalls, expected $Recalls." } }
            '(b) Get-RrRecall -RecallNumber <number>' = { if (@(Get-RrRecall -RecallNumber $someNumber).Count -ne 1) { throw "Get-RrRecall did not find $someNumber." } }
            '(ref) read the lines, parse nothing'     = { if ([IO.File]::ReadAllLines($path).Length -lt $Recalls) { throw 'short file' } }
        }
        # Every way warms up first, then the runs go round-robin, so heap growth and the machine's drift hit all alike.
        foreach ($name in $ways.Keys) { & $ways[$name] }
        $times = @{}
        foreach ($name in $ways.Keys) { $times[$name] = [Collections.Generic.List[double]]::new() }
        foreach ($run in 1..$Runs) {
            foreach ($name in $ways.Keys) { $times[$name].Add((Measure-Command { & $ways[$name] }).TotalSeconds) }
        }
        $rows = foreach ($name in $ways.Keys) { [pscustomobject]@{ Way = $name; Seconds = Get-Median $times[$name] } }

        # Compaction: every recall cancelled (a changed line) and reported twice more: lines pile up, state does not.
        $compactName = 'recalls-compact.jsonl'
        Copy-Item -LiteralPath $path -Destination (Join-Path $work $compactName)
        $compactLedger = $ledgerType::Open($work, $compactName, 'Custom')
        $sample = @($compactLedger.Read().Recalls | Select-Object -First ([Math]::Min(2000, $Recalls)))
        foreach ($recall in $sample) { $one = [ReturnsHelper.Recall[]]@($recall); $compactLedger.RecallsChanged($one, 'cancel'); $compactLedger.RecallsChanged($one, 'cancel') }
        $linesBefore = $compactLedger.Read().Lines
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $compacted = $compactLedger.CompactIfWorthIt(10)
        $watch.Stop()
        $linesAfter = $compactLedger.Read().Lines
        $compactedRead = Get-Median @(foreach ($run in 1..$Runs) { (Measure-Command { $null = $compactLedger.Read() }).TotalSeconds })
    }
    finally { Stop-RrTestEmulator $emulator }

    Write-Host ''
    Write-Host ("A ledger of {0:N0} recalls ({1} inventories each, {2:N1} MB), median of {3} runs (this machine: {4} cores)" -f $Recalls, $InventoriesPerRecall, $sizeMb, $Runs, [Environment]::ProcessorCount)
    $floor = ($rows | Where-Object Way -like '(ref)*').Seconds
    $rows | Format-Table Way, @{ n = 'Seconds'; e = { '{0:N3}' -f $_.Seconds }; a = 'right' }, @{ n = 'x bytes'; e = { '{0:N1}' -f ($_.Seconds / $floor) }; a = 'right' } | Out-String | Write-Host
    $read = $rows[0].Seconds
    Write-Host ("Reading {0:N0} recalls takes {1:N2} s (goal < {2} s: {3})." -f $Recalls, $read, $GoalSeconds, $(if ($read -lt $GoalSeconds) { 'met' } else { 'NOT met' }))
    Write-Host ("The same {0:N0} recalls as compaction leaves them (one line each) read in {1:N2} s." -f $Recalls, $compactedRead)
    Write-Host ("Compaction: {0:N0} lines (after {1:N0} recalls were each cancelled twice) became {2:N0} lines in {3:N2} s (compacted: {4})." -f $linesBefore, $sample.Count, $linesAfter, $watch.Elapsed.TotalSeconds, $compacted)
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
