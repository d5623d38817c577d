# Helpers shared by the benchmark scripts: a measured child pwsh (working-set sampling) and medians.
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../../src/Build/BuildTools.psm1')

function Invoke-MeasuredChild {
    <#
    .SYNOPSIS
    Runs a script in a fresh pwsh and samples its working set every 20 ms from the moment it reports being idle.
    .DESCRIPTION
    Protocol on the child's stdout: one line "IDLE <working set bytes>" once the module is imported, warmed up and
    collected, then any number of "RESULT <json>" lines. Returns IdleBytes, PeakBytes (the highest sample after
    IDLE) and Results (the parsed JSON objects). Throws with the child's stderr when it fails.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $ScriptPath, [string[]] $ArgumentList = @())
    $launcher = Get-PwshLauncher
    $startInfo = [Diagnostics.ProcessStartInfo]::new($launcher.FilePath)
    foreach ($argument in @($launcher.Arguments) + @('-NoProfile', '-NonInteractive', '-File', $ScriptPath) + $ArgumentList) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($startInfo)
    $stderr = $process.StandardError.ReadToEndAsync()
    $idle = $null
    $peak = 0L
    $results = [Collections.Generic.List[object]]::new()
    $read = $process.StandardOutput.ReadLineAsync()
    while ($true) {
        if ($read.Wait(20)) {
            $line = $read.Result
            if ($null -eq $line) { break }
            if ($line -match '^IDLE (\d+)') { $idle = [long]$Matches[1] }
            elseif ($line -match '^RESULT (.+)$') { $results.Add(($Matches[1] | ConvertFrom-Json)) }
            $read = $process.StandardOutput.ReadLineAsync()
        }
        if ($null -ne $idle -and -not $process.HasExited) {
            try { $process.Refresh(); $peak = [Math]::Max($peak, $process.WorkingSet64) } catch [InvalidOperationException] { }
        }
    }
    $process.WaitForExit()
    if ($process.ExitCode -ne 0 -or $null -eq $idle) { throw "The measured child failed (exit code $($process.ExitCode)): $($stderr.Result)" }
    [pscustomobject]@{ IdleBytes = $idle; PeakBytes = [Math]::Max($peak, $idle); Results = $results }
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[($sorted.Count - 1) / 2] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

Export-ModuleMember -Function Invoke-MeasuredChild, Get-Median
