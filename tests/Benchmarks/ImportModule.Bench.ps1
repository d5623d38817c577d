#Requires -Version 7.2
<#
.SYNOPSIS
Measures what `Import-Module ReturnsHelper` adds to the start of a pwsh process.

.DESCRIPTION
Starts `pwsh -NoProfile -NonInteractive -Command <noop>` with and without importing the built module,
-Runs times each, interleaved (so drift in machine load hits both alike), after -Warmup unmeasured
starts of each. Both conditions use the same launcher as this process (see Get-PwshLauncher). The cost is the
difference of the medians. Goal: under 150 ms. Exit code 0 either way: this reports, it does not gate.
#>
[CmdletBinding()]
param(
    [ValidateRange(3, 200)] [int] $Runs = 15,
    [ValidateRange(0, 10)] [int] $Warmup = 2,
    [int] $GoalMilliseconds = 150
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'   # a table for logs, not for a terminal

Import-Module (Join-Path $PSScriptRoot '../../src/Build/BuildTools.psm1')
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')

$launcher = Get-PwshLauncher
$modulePath = Get-RrModulePath
$conditions = [ordered]@{
    'pwsh'                 = '$null'
    'pwsh + Import-Module' = "Import-Module '$($modulePath -replace "'", "''")' -ErrorAction Stop"
}

function Measure-PwshStart([string] $Command) {
    $arguments = @($launcher.Arguments) + @('-NoProfile', '-NonInteractive', '-Command', $Command)
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $output = & $launcher.FilePath @arguments 2>&1
    $watch.Stop()
    if ($LASTEXITCODE -ne 0) { throw "pwsh -Command `"$Command`" failed (exit code $LASTEXITCODE): $output" }
    $watch.Elapsed.TotalMilliseconds
}

function Get-Percentile([double[]] $Values, [double] $Percent) {
    # Nearest-rank percentile: no interpolation, one of the measured values.
    $sorted = $Values | Sort-Object
    $sorted[[Math]::Max(0, [Math]::Ceiling($Percent / 100 * $sorted.Count) - 1)]
}

Write-Host "Launcher: $($launcher.FilePath) $($launcher.Arguments -join ' ')"
Write-Host "Module:   $modulePath"
Write-Host "Runs:     $Runs per condition, interleaved, after $Warmup warm-up run(s) each"

$samples = @{}
foreach ($name in $conditions.Keys) {
    $samples[$name] = [Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt $Warmup; $i++) { $null = Measure-PwshStart $conditions[$name] }
}
for ($i = 0; $i -lt $Runs; $i++) {
    foreach ($name in $conditions.Keys) { $samples[$name].Add((Measure-PwshStart $conditions[$name])) }
}

$rows = foreach ($name in $conditions.Keys) {
    [pscustomobject]@{
        Condition    = $name
        'Median ms'  = [Math]::Round((Get-Percentile $samples[$name] 50), 1)
        'P90 ms'     = [Math]::Round((Get-Percentile $samples[$name] 90), 1)
        'Min ms'     = [Math]::Round(($samples[$name] | Measure-Object -Minimum).Minimum, 1)
    }
}
$rows | Format-Table -AutoSize | Out-Host

$cost = $rows[1].'Median ms' - $rows[0].'Median ms'
$verdict = if ($cost -lt $GoalMilliseconds) { 'meets' } else { 'MISSES' }
Write-Host ("Import-Module ReturnsHelper costs {0:N1} ms (difference of medians); goal < {1} ms: {2} the goal." -f $cost, $GoalMilliseconds, $verdict)
# On a busy machine the medians wander; the minimums show the cost with the least interference.
Write-Host ("Difference of minimums: {0:N1} ms." -f ($rows[1].'Min ms' - $rows[0].'Min ms'))
