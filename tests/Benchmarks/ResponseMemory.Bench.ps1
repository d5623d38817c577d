#Requires -Version 7.2
<#
.SYNOPSIS
Peak memory of the client when a server answers with 300 MB (issue 12, 3): it must stop at the response limit.

.DESCRIPTION
A fake API on loopback (tests/Pester/UntrustedServer.cs, in this process) answers GetReturnInventory with
-AnswerMB MB of JSON, once without a Content-Length (chunked: the client has to count what it reads) and once with
one (the client can refuse before reading). A fresh pwsh connects with the default -MaxResponseMB (64) and runs
Get-RrInventory -ReturnInventoryId 1; its working set is sampled from idle (module imported, connected) to the end.
Prints MB above idle for each case and what the server managed to send. Goal: under 150 MB above idle.
Reports only: exit code 0 whatever the numbers.
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 4096)] [int] $AnswerMB = 300,
    [double] $GoalMegabytes = 150
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSStyle.OutputRendering = 'PlainText'
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1')
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')
Add-Type -Path (Join-Path $PSScriptRoot '../Pester/UntrustedServer.cs')

$work = Join-Path ([IO.Path]::GetTempPath()) "rr-response-bench-$PID"
$null = New-Item -ItemType Directory -Path $work -Force
$child = Join-Path $work 'response-child.ps1'
Set-Content -LiteralPath $child -Value @'
param([string] $ModulePath, [string] $BaseUri)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
Connect-RrService -BaseUri $BaseUri -ApiKey 'bench-key' -ApiToken (ConvertTo-SecureString 'bench-token-0123' -AsPlainText -Force) -NoLedger -SkipCredentialCheck 3>$null
[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
Start-Sleep -Milliseconds 200
[Console]::Out.WriteLine("IDLE $([Diagnostics.Process]::GetCurrentProcess().WorkingSet64)")
[Console]::Out.Flush()
Start-Sleep -Milliseconds 200
$watch = [Diagnostics.Stopwatch]::StartNew()
$records = @(Get-RrInventory -ReturnInventoryId 1 -ErrorVariable failures -ErrorAction SilentlyContinue)
$watch.Stop()
Start-Sleep -Milliseconds 200   # a last sample after the call
$message = if ($failures) { $failures[0].Exception.Message } else { '' }
[Console]::Out.WriteLine('RESULT ' + (@{ seconds = $watch.Elapsed.TotalSeconds; records = $records.Count; error = $message } | ConvertTo-Json -Compress))
'@

try {
    $rows = foreach ($declare in $false, $true) {
        $server = [RrTest.UntrustedServer]::new()
        try {
            $server.Mode = 'huge'
            $server.HugeBytes = [long]$AnswerMB * 1MB
            $server.DeclareLength = $declare
            $measured = Invoke-MeasuredChild -ScriptPath $child -ArgumentList (Get-RrModulePath), $server.UserApiBase
            $result = $measured.Results[0]
            [pscustomobject]@{
                Answer        = '{0} MB, {1}' -f $AnswerMB, $(if ($declare) { 'with Content-Length' } else { 'chunked, no Content-Length' })
                IdleMB        = [Math]::Round($measured.IdleBytes / 1MB)
                PeakMB        = [Math]::Round($measured.PeakBytes / 1MB)
                AboveIdleMB   = [Math]::Round(($measured.PeakBytes - $measured.IdleBytes) / 1MB, 1)
                SentMB        = [Math]::Round($server.HugeBytesSent / 1MB, 1)
                Seconds       = [Math]::Round($result.seconds, 2)
                Error         = $result.error
            }
        }
        finally { $server.Dispose() }
    }
    $rows | Format-Table Answer, IdleMB, PeakMB, AboveIdleMB, SentMB, Seconds -AutoSize | Out-String | Write-Host
    foreach ($row in $rows) {
        Write-Host ("{0}: {1:N1} MB above idle (goal < {2} MB: {3}); the error: {4}" -f $row.Answer, $row.AboveIdleMB, $GoalMegabytes,
            $(if ($row.AboveIdleMB -lt $GoalMegabytes) { 'met' } else { 'NOT met' }), $row.Error)
    }
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
