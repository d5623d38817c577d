#Requires -Version 7.2
<#
.SYNOPSIS
Measures Get-RrInventory over 200 days of 100,000 inventories against a minimal C# loop (the floor), and its memory.

.DESCRIPTION
Starts the emulator with -Inventories inventories (the seed spreads them over the last 180 days). Then, in one run:
- the floor: a minimal C# loop (Add-Type, one HttpClient) in this process that walks the same 62-day windows and
  50-record pages of ReturnInventory/list and parses each page (JsonDocument), as any client must;
- Get-RrInventory -CreatedAfter (Get-Date).AddDays(-200) | Measure-Object, in a child pwsh that imports the module
  and connects first, so its idle working set (module imported, after a full GC) is the memory baseline; the child's
  working set is sampled by this process every 20 ms while it runs.
The two alternate, -Runs times each after one warm-up of each, and the medians are compared. For each condition the
table also shows the emulator's CPU time during the measured runs as a share of their wall time (median; the
emulator must never be the bottleneck of the module's own benchmarks). Goals: within 1.3x of the floor, and under
100 MB above the idle pwsh. Exit code 0 either way: this reports, it does not gate.
#>
[CmdletBinding()]
param(
    [ValidateRange(1000, 10000000)] [int] $Inventories = 100000,
    [ValidateRange(1, 50)] [int] $Runs = 7,
    [double] $GoalRatio = 1.3,
    [int] $GoalMegabytes = 100
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSStyle.OutputRendering = 'PlainText'

Import-Module (Join-Path $PSScriptRoot '../../src/Build/BuildTools.psm1')
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1')
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')

Add-Type -TypeDefinition @'
using System;
using System.Net.Http;
using System.Text.Json;

public static class RrListFloor
{
    /// <summary>Walks [from, to) in 62-day windows and pages of pageSize; returns the number of records read.</summary>
    public static long Walk(string userApiBase, string apiKey, string apiToken, DateTime fromUtc, DateTime toUtc, int pageSize)
    {
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Add("x-rr-apikey", apiKey);
            http.DefaultRequestHeaders.Add("x-rr-apitoken", apiToken);
            long records = 0;
            var window = TimeSpan.FromDays(62);
            for (var start = fromUtc; start < toUtc; start += window)
            {
                var end = toUtc - start > window ? start + window : toUtc;
                for (long offset = 0; ; )
                {
                    var url = userApiBase.TrimEnd('/') + "/ReturnInventory/list?createFrom=" + Uri.EscapeDataString(start.ToString("o"))
                        + "&createTo=" + Uri.EscapeDataString(end.ToString("o")) + "&pageSize=" + pageSize + "&offset=" + offset;
                    var body = http.GetByteArrayAsync(url).GetAwaiter().GetResult();
                    int count;
                    long total;
                    using (var doc = JsonDocument.Parse(body))
                    {
                        count = doc.RootElement.GetProperty("data").GetArrayLength();
                        total = doc.RootElement.GetProperty("totalNumberOfRecords").GetInt64();
                    }
                    records += count;
                    offset += count;
                    if (count < pageSize || offset >= total) break;
                }
            }
            return records;
        }
    }
}
'@

# The child prints "IDLE <bytes>" once the module is imported, connected, warmed up and collected; then, for each
# "GO" line on its stdin, it runs Get-RrInventory and prints "RUN <seconds> <records>". The parent alternates floor
# runs with child runs (so a change in machine load hits both alike) and samples the child's working set while it runs.
$childScript = @'
param([string] $ModulePath, [string] $BaseUri)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
Connect-RrService -BaseUri $BaseUri -ApiKey 'emulator-key' -ApiToken (ConvertTo-SecureString 'emulator-token' -AsPlainText -Force)
$null = Get-RrInventory -CreatedAfter (Get-Date).AddDays(-3) -First 200   # loads and connects; not measured
[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
Start-Sleep -Milliseconds 200
$me = [Diagnostics.Process]::GetCurrentProcess()
[Console]::Out.WriteLine("IDLE $($me.WorkingSet64)")
[Console]::Out.Flush()
while ([Console]::In.ReadLine() -eq 'GO') {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $count = (Get-RrInventory -CreatedAfter (Get-Date).AddDays(-200) | Measure-Object).Count
    $watch.Stop()
    [Console]::Out.WriteLine("RUN $($watch.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture)) $count")
    [Console]::Out.Flush()
}
'@

function Start-MeasuredChild([string] $ScriptPath, [string[]] $ArgumentList) {
    $launcher = Get-PwshLauncher
    $startInfo = [Diagnostics.ProcessStartInfo]::new($launcher.FilePath)
    foreach ($argument in @($launcher.Arguments) + @('-NoProfile', '-NonInteractive', '-File', $ScriptPath) + $ArgumentList) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($startInfo)
    [pscustomobject]@{ Process = $process; StdErr = $process.StandardError.ReadToEndAsync(); Peak = 0L }
}

# Reads the child's next line of the given kind; while waiting, samples its working set when -Sample.
function Read-ChildLine($Child, [string] $Pattern, [switch] $Sample) {
    $read = $Child.Process.StandardOutput.ReadLineAsync()
    while ($true) {
        if ($read.Wait(20)) {
            $line = $read.Result
            if ($null -eq $line) { throw "The Get-RrInventory child ended early (exit code $(if ($Child.Process.HasExited) { $Child.Process.ExitCode })): $($Child.StdErr.Result)" }
            if ($line -match $Pattern) { return $Matches }
            $read = $Child.Process.StandardOutput.ReadLineAsync()
        }
        if ($Sample) {
            try { $Child.Process.Refresh(); $Child.Peak = [Math]::Max($Child.Peak, $Child.Process.WorkingSet64) } catch [InvalidOperationException] { }
        }
    }
}

# The emulator process's CPU time so far (user + kernel, all threads).
function Get-EmulatorCpuTime {
    $emulator.Process.Refresh()
    $emulator.Process.TotalProcessorTime
}

Write-Host "Starting the emulator with $Inventories inventories..."
$emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', "$Inventories" -TimeoutSeconds 300
$scriptPath = Join-Path ([IO.Path]::GetTempPath()) "rr-inventory-bench-$PID.ps1"
$child = $null
try {
    Set-Content -LiteralPath $scriptPath -Value $childScript
    $child = Start-MeasuredChild -ScriptPath $scriptPath -ArgumentList '-ModulePath', (Get-RrModulePath), '-BaseUri', $emulator.UserApiBase
    $idleBytes = [long](Read-ChildLine $child '^IDLE (\d+)')[1]
    $child.Peak = $idleBytes

    $token = [Net.NetworkCredential]::new('', $emulator.ApiToken).Password
    $floorTimes = [Collections.Generic.List[double]]::new()
    $cmdletTimes = [Collections.Generic.List[double]]::new()
    $counts = [Collections.Generic.List[long]]::new()
    $floorCpuShares = [Collections.Generic.List[double]]::new()    # emulator CPU / wall, per measured run
    $cmdletCpuShares = [Collections.Generic.List[double]]::new()
    $floorCount = 0
    foreach ($run in 0..$Runs) {   # run 0 warms both sides up and is not counted
        $to = [datetime]::UtcNow
        $emulatorCpu = Get-EmulatorCpuTime
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $floorCount = [RrListFloor]::Walk($emulator.UserApiBase, $emulator.ApiKey, $token, $to.AddDays(-200), $to, 50)
        $watch.Stop()
        $floorCpuShare = ((Get-EmulatorCpuTime) - $emulatorCpu).TotalSeconds / $watch.Elapsed.TotalSeconds
        # The child times Get-RrInventory itself; the emulator's share is taken over this process's view of the
        # same run (GO sent to RUN read), which adds only the pipe round trip.
        $emulatorCpu = Get-EmulatorCpuTime
        $childWatch = [Diagnostics.Stopwatch]::StartNew()
        $child.Process.StandardInput.WriteLine('GO')
        $child.Process.StandardInput.Flush()
        $result = Read-ChildLine $child '^RUN (\S+) (\d+)' -Sample
        $childWatch.Stop()
        $cmdletCpuShare = ((Get-EmulatorCpuTime) - $emulatorCpu).TotalSeconds / $childWatch.Elapsed.TotalSeconds
        if ($run -gt 0) {
            $floorTimes.Add($watch.Elapsed.TotalSeconds)
            $floorCpuShares.Add($floorCpuShare)
            $cmdletCpuShares.Add($cmdletCpuShare)
            $cmdletTimes.Add([double]::Parse($result[1], [cultureinfo]::InvariantCulture))
            $counts.Add([long]$result[2])
        }
    }
    $child.Process.StandardInput.Close()
    $null = $child.Process.WaitForExit(30000)

    $floor = Get-Median $floorTimes
    $cmdlet = Get-Median $cmdletTimes
    $ratio = $cmdlet / $floor
    $aboveIdleMb = ($child.Peak - $idleBytes) / 1MB

    [pscustomobject]@{ Condition = 'C# floor (HttpClient loop)'; Records = $floorCount; 'Median s' = [Math]::Round($floor, 3); 'Min s' = [Math]::Round(($floorTimes | Measure-Object -Minimum).Minimum, 3); 'Records/s' = [Math]::Round($floorCount / $floor); Ratio = 1.0; 'Emulator CPU / wall' = '{0:P0}' -f (Get-Median $floorCpuShares) },
    [pscustomobject]@{ Condition = 'Get-RrInventory | Measure-Object'; Records = $counts[0]; 'Median s' = [Math]::Round($cmdlet, 3); 'Min s' = [Math]::Round(($cmdletTimes | Measure-Object -Minimum).Minimum, 3); 'Records/s' = [Math]::Round($counts[0] / $cmdlet); Ratio = [Math]::Round($ratio, 2); 'Emulator CPU / wall' = '{0:P0}' -f (Get-Median $cmdletCpuShares) } |
        Format-Table -AutoSize | Out-String -Width 200 | Out-Host   # wide enough not to wrap in a redirected (80-column) host
    [pscustomobject]@{
        'Idle pwsh + module (MB)' = [Math]::Round($idleBytes / 1MB, 1)
        'Peak during runs (MB)'   = [Math]::Round($child.Peak / 1MB, 1)
        'Above idle (MB)'         = [Math]::Round($aboveIdleMb, 1)
    } | Format-Table -AutoSize | Out-Host

    if (@($counts | Where-Object { $_ -ne $floorCount }).Count) { Write-Warning "Record counts differ: floor $floorCount, Get-RrInventory $($counts -join ', ')." }
    $timeVerdict = if ($ratio -le $GoalRatio) { 'meets' } else { 'MISSES' }
    $memoryVerdict = if ($aboveIdleMb -lt $GoalMegabytes) { 'meets' } else { 'MISSES' }
    Write-Host ("Get-RrInventory over {0:N0} records: {1:N2}x the floor (goal within {2}x: {3} the goal); peak {4:N1} MB above an idle pwsh with the module (goal < {5} MB: {6} the goal)." -f `
            $floorCount, $ratio, $GoalRatio, $timeVerdict, $aboveIdleMb, $GoalMegabytes, $memoryVerdict)
}
finally {
    if ($child -and -not $child.Process.HasExited) { $child.Process.Kill() }
    Remove-Item -LiteralPath $scriptPath -ErrorAction SilentlyContinue
    Stop-RrTestEmulator $emulator
}
