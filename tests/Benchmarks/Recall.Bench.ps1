#Requires -Version 7.2
<#
.SYNOPSIS
Recalling 10,000 ids read from a CSV: New-RrRecall against what admins write by hand and a minimal C# floor; and
the peak memory of New-RrRecall for 100,000 ids.

.DESCRIPTION
Against the emulator, in one run, each way recalls the same number of fresh eligible inventories read from a CSV:
  (a) Import-Csv | New-RrRecall
  (b) a PowerShell loop calling Invoke-RestMethod once per id (what admins write today)
  (c) a PowerShell script calling Invoke-RestMethod with 100 ids per call
  (d) a minimal C# HttpClient loop sending the same 100-id requests (the floor; reads the CSV too)
Each way runs in this process -Runs times after a full warm-up run (JIT tiering needs it), is checked to
have recalled every id each time, and its median is reported. Then (a) runs in pairs with the session's recall ledger
and with a -NoLedger session: the difference is what the ledger costs (goal: under 10%). The table shows wall time, ratio to the floor, and the emulator's CPU time as a share of the wall time (the emulator must not be the
bottleneck). Then (a) runs for -MemoryIds ids in a child pwsh whose working set is sampled against its idle
working set with the module imported. Goals: (a) within 1.25x of (d) and faster than (c); memory under 100 MB.
Reports only: exit code 0 whatever the numbers.
#>
[CmdletBinding()]
param(
    [ValidateRange(100, 1000000)] [int] $Ids = 10000,
    [ValidateRange(100, 10000000)] [int] $MemoryIds = 100000,
    [ValidateRange(1, 20)] [int] $Runs = 5,
    [double] $GoalRatio = 1.25,
    [int] $GoalMegabytes = 100
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSStyle.OutputRendering = 'PlainText'
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1')
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')

Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;

public static class RrRecallFloor
{
    /// <summary>Reads ids from the CSV's first column and recalls them 100 per request; returns the ids recalled.</summary>
    public static int Run(string csvPath, string userApiBase, string apiKey, string apiToken)
    {
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Add("x-rr-apikey", apiKey);
            http.DefaultRequestHeaders.Add("x-rr-apitoken", apiToken);
            var url = userApiBase.TrimEnd('/') + "/Recall/createRecallByReturnInventoryId";
            var ids = File.ReadLines(csvPath).Skip(1).Select(line => long.Parse(line.Split(',')[0].Trim('"'))).ToList();
            var recalled = 0;
            for (var i = 0; i < ids.Count; i += 100)
            {
                var body = JsonSerializer.Serialize(new { returnInventoryIdList = ids.Skip(i).Take(100) });
                using (var content = new StringContent(body, Encoding.UTF8, "application/json"))
                using (var response = http.PostAsync(url, content).GetAwaiter().GetResult())
                using (var doc = JsonDocument.Parse(response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult()))
                    foreach (var recall in doc.RootElement.GetProperty("recallList").EnumerateArray())
                        recalled += recall.GetProperty("recallInventoryList").GetArrayLength();
            }
            return recalled;
        }
    }
}
'@

$emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0' -TimeoutSeconds 120
$work = Join-Path ([IO.Path]::GetTempPath()) "rr-recall-bench-$PID"
$null = New-Item -ItemType Directory -Path $work -Force
$token = [Net.NetworkCredential]::new('', $emulator.ApiToken).Password
$headers = @{ 'x-rr-apikey' = $emulator.ApiKey; 'x-rr-apitoken' = $token }
$createUrl = "$($emulator.UserApiBase)/Recall/createRecallByReturnInventoryId"

# Fresh eligible inventories over three warehouses, written to a CSV like an export: "ReturnInventoryId","Note".
function New-RecallCsv([int] $Count, [string] $Name) {
    $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 0 }
    $ids = [Collections.Generic.List[long]]::new()
    for ($done = 0; $done -lt $Count; $done += 10000) {
        $chunk = [Math]::Min(10000, $Count - $done)
        $items = foreach ($i in 1..$chunk) { @{ warehouseId = @(2, 1034, 20)[$i % 3]; handlingCode = 'tbc'; handlingStatusCode = 'pending' } }
        foreach ($created in (Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'inventories' -Body @($items))) { $ids.Add($created.returnInventoryId) }
    }
    $path = Join-Path $work "$Name.csv"
    $lines = [Collections.Generic.List[string]]::new()
    $lines.Add('"ReturnInventoryId","Note"')
    foreach ($id in $ids) { $lines.Add("""$id"",""bench""") }
    [IO.File]::WriteAllLines($path, $lines)
    $path
}

function Get-RecalledCount {
    @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'recalls' | ForEach-Object { $_.recallInventoryList } | Where-Object recallInventoryStatusCode -ne 'canceled').Count
}

$ways = [ordered]@{
    '(a) Import-Csv | New-RrRecall'          = { param($csv) Import-Csv -LiteralPath $csv | New-RrRecall | Out-Null }
    '(b) Invoke-RestMethod, one id per call' = { param($csv)
        foreach ($row in Import-Csv -LiteralPath $csv) {
            $null = Invoke-RestMethod -Method Post -Uri $createUrl -Headers $headers -ContentType 'application/json' -Body "{""returnInventoryIdList"":[$($row.ReturnInventoryId)]}"
        }
    }
    '(c) Invoke-RestMethod, 100 ids per call' = { param($csv)
        $ids = @((Import-Csv -LiteralPath $csv).ReturnInventoryId)
        for ($i = 0; $i -lt $ids.Count; $i += 100) {
            $batch = $ids[$i..([Math]::Min($i + 99, $ids.Count - 1))]
            $null = Invoke-RestMethod -Method Post -Uri $createUrl -Headers $headers -ContentType 'application/json' -Body (ConvertTo-Json -Compress @{ returnInventoryIdList = @($batch | ForEach-Object { [long]$_ }) })
        }
    }
    '(d) C# HttpClient, 100 ids per call (floor)' = { param($csv) $null = [RrRecallFloor]::Run($csv, $emulator.UserApiBase, $emulator.ApiKey, $token) }
    # Not a way to recall: what reading the CSV into the PowerShell pipeline costs before any cmdlet does anything.
    '(ref) Import-Csv | Out-Null, no recall'  = { param($csv) Import-Csv -LiteralPath $csv | Out-Null }
}
$floorName = '(d) C# HttpClient, 100 ids per call (floor)'

try {
    Import-Module (Get-RrModulePath)
    $noLedger = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -NoLedger -PassThru
    Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
    $rows = foreach ($name in $ways.Keys) {
        & $ways[$name] (New-RecallCsv $Ids 'warmup')   # a full run first: JIT tiering and connections, not measured
        $times = [Collections.Generic.List[double]]::new()
        $cpus = [Collections.Generic.List[double]]::new()
        foreach ($run in 1..$Runs) {
            $csv = New-RecallCsv $Ids 'measured'
            $emulator.Process.Refresh()
            $emulatorCpu = $emulator.Process.TotalProcessorTime
            $watch = [Diagnostics.Stopwatch]::StartNew()
            & $ways[$name] $csv
            $watch.Stop()
            $emulator.Process.Refresh()
            $cpus.Add(($emulator.Process.TotalProcessorTime - $emulatorCpu).TotalSeconds / $watch.Elapsed.TotalSeconds)
            $times.Add($watch.Elapsed.TotalSeconds)
            $recalled = Get-RecalledCount
            $expected = if ($name -like '(ref)*') { 0 } else { $Ids }
            if ($recalled -ne $expected) { throw "$name recalled $recalled of $expected ids." }
        }
        [pscustomobject]@{ Way = $name; Seconds = (Get-Median $times); EmulatorShare = (Get-Median $cpus) }
    }
    $floor = ($rows | Where-Object Way -eq $floorName).Seconds
    Write-Host ''
    Write-Host "Recalling $Ids ids read from a CSV, median of $Runs runs (emulator on 127.0.0.1, this machine: $([Environment]::ProcessorCount) cores)"
    $rows | Format-Table Way,
        @{ n = 'Wall (s)'; e = { '{0:N2}' -f $_.Seconds }; a = 'right' },
        @{ n = 'x floor'; e = { '{0:N2}' -f ($_.Seconds / $floor) }; a = 'right' },
        @{ n = 'ids/s'; e = { '{0:N0}' -f ($Ids / $_.Seconds) }; a = 'right' },
        @{ n = 'Emulator CPU / wall'; e = { '{0:P0}' -f $_.EmulatorShare }; a = 'right' } | Out-String | Write-Host
    $a = $rows[0].Seconds; $c = $rows[2].Seconds

    # What the recall ledger costs: (a) with the session's ledger and with a -NoLedger session, measured in pairs
    # (alternating which goes first) so that the machine's drift hits both alike.
    $with = [Collections.Generic.List[double]]::new(); $without = [Collections.Generic.List[double]]::new()
    foreach ($run in 1..($Runs * 2)) {
        $order = if ($run % 2) { 'with', 'without' } else { 'without', 'with' }
        foreach ($side in $order) {
            $csv = New-RecallCsv $Ids 'ledger'
            $session = if ($side -eq 'with') { Get-RrSession } else { $noLedger }
            $seconds = (Measure-Command { Import-Csv -LiteralPath $csv | New-RrRecall -Session $session | Out-Null }).TotalSeconds
            if ((Get-RecalledCount) -ne $Ids) { throw "The $side-ledger run did not recall every id." }
            if ($side -eq 'with') { $with.Add($seconds) } else { $without.Add($seconds) }
        }
    }
    $cost = (Get-Median $with) / (Get-Median $without) - 1
    Write-Host ("The recall ledger (every batch recorded before it is sent, every recall before it is written): {0:N3} s with, {1:N3} s without (medians of {2} pairs): {3:P0} (goal < 10%: {4})." -f
        (Get-Median $with), (Get-Median $without), $with.Count, $cost, $(if ($cost -lt 0.10) { 'met' } else { 'NOT met' }))
    Write-Host ("(a) is {0:N2}x the floor (goal <= {1}x: {2}) and {3:N2}x the time of (c) (goal < 1: {4})." -f ($a / $floor), $GoalRatio,
        $(if ($a / $floor -le $GoalRatio) { 'met' } else { 'NOT met' }), ($a / $c), $(if ($a -lt $c) { 'met' } else { 'NOT met' }))

    # Memory: (a) with MemoryIds ids in a child pwsh, against its idle working set with the module imported.
    $csv = New-RecallCsv $MemoryIds 'memory'
    $child = Join-Path $work 'memory-child.ps1'
    Set-Content -LiteralPath $child -Value @'
param([string] $ModulePath, [string] $BaseUri, [string] $Csv)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
Connect-RrService -BaseUri $BaseUri -ApiKey 'emulator-key' -ApiToken (ConvertTo-SecureString 'emulator-token' -AsPlainText -Force)
[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
Start-Sleep -Milliseconds 200
[Console]::Out.WriteLine("IDLE $([Diagnostics.Process]::GetCurrentProcess().WorkingSet64)")
[Console]::Out.Flush()
Start-Sleep -Milliseconds 200
$watch = [Diagnostics.Stopwatch]::StartNew()
$recalls = 0
Import-Csv -LiteralPath $Csv | New-RrRecall | ForEach-Object { $recalls++ }
$watch.Stop()
[Console]::Out.WriteLine('RESULT ' + (@{ seconds = $watch.Elapsed.TotalSeconds; recalls = $recalls } | ConvertTo-Json -Compress))
'@
    $measured = Invoke-MeasuredChild -ScriptPath $child -ArgumentList (Get-RrModulePath), $emulator.UserApiBase, $csv
    $recalled = Get-RecalledCount
    $overMb = ($measured.PeakBytes - $measured.IdleBytes) / 1MB
    Write-Host ("Memory: Import-Csv | New-RrRecall of {0:N0} ids ({1:N0} recalled, {2:N1} s): idle pwsh with the module {3:N0} MB, peak {4:N0} MB, {5:N1} MB above idle (goal < {6} MB: {7})." -f
        $MemoryIds, $recalled, $measured.Results[0].seconds, ($measured.IdleBytes / 1MB), ($measured.PeakBytes / 1MB), $overMb, $GoalMegabytes,
        $(if ($overMb -lt $GoalMegabytes) { 'met' } else { 'NOT met' }))
}
finally {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
