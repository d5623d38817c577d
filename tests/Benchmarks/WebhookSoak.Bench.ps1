#Requires -Version 7.2
<#
.SYNOPSIS
The webhook soak of issue 13 at full size: events per second received and recalled, end-to-end latency.

.DESCRIPTION
Runs tests/Pester/WebhookSoak.psm1 (the same run tests/Pester/WebhookSoak.Tests.ps1 asserts at a reduced size): the
emulator, with -LatencyMs added to every API request, sends -Count newInventoryCreated events (every 10th twice, a
forged one after every 20th, 4 stalled connections) to Receive-RrWebhook -RecallNewInventory in a pwsh of its own;
the API token is rotated after half of the events and the token file fixed -FixAfterSeconds later, without a restart.
Prints what was received, refused and recalled, the rates (from the first event sent to the last delivery / the
last recall) and the latency from an event's first sending to its inventory's recall (median, p99, max; it includes
the outage between the rotation and the fix). Fails only when an invariant of the soak does not hold.
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 100000)] [int] $Count = 10000,
    [double] $FixAfterSeconds = 60,
    [int] $LatencyMs = 20
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')
Import-Module (Join-Path $PSScriptRoot '../Pester/WebhookSoak.psm1')
Import-RrTestModule | Out-Null

$work = Join-Path ([IO.Path]::GetTempPath()) "rr-webhook-soak-$PID"
try {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $r = Invoke-RrWebhookSoak -Count $Count -FixAfterSeconds $FixAfterSeconds -LatencyMs $LatencyMs -WorkFolder $work -TimeoutSeconds 3600
    $s = $r.Report
    $outage = ([datetime]$r.TokenFixedAt - [datetime]$s.tokenRotatedAt).TotalSeconds
    "Webhook soak: $Count events, emulator latency $LatencyMs ms, token rotated after $([int]($Count / 2)) events and fixed $([math]::Round($outage, 1)) s later; $([math]::Round($watch.Elapsed.TotalSeconds)) s in all"
    "  received   $($s.delivered) events + $($s.duplicatesSent) duplicates; journaled $($r.JournaledEvents) (distinct $($r.JournaledDistinct))"
    "  refused    $($s.forgedRefused) of $($s.forgedSent) forged (journaled: $($r.JournaledForged)); $($s.stalledCutOff) of $($s.stalledOpened) stalled connections cut off (held at most $($s.stalledMaxHeldSeconds) s)"
    "  recalled   $($s.recalled) inventories, $($r.RecalledOnce) in exactly one recall, $($r.RecalledMoreThanOnce) in more; backlog $($r.Backlog), failed permanently $($r.FailedPermanently)"
    "  rates      $($s.receivedPerSecond) events/s received, $($s.recalledPerSecond) recalls/s (first event sent to last delivery / last recall)"
    "  latency    event sent -> recall created: median $($s.latencyMedianMs) ms, p99 $($s.latencyP99Ms) ms, max $($s.latencyMaxMs) ms"
    "  receiver   never stopped: $($r.ReceiverNeverStopped); clean SIGTERM stop: $($r.StoppedCleanly)"
    $broken = @(
        if ($r.JournaledEvents -ne $Count -or $r.JournaledDistinct -ne $Count) { 'not every genuine event journaled exactly once' }
        if ($s.forgedRefused -ne $s.forgedSent -or $r.JournaledForged) { 'a forged delivery was not refused' }
        if ($r.RecalledOnce -ne $Count -or $r.RecalledMoreThanOnce) { 'not every inventory in exactly one recall' }
        if ($r.Backlog -or $r.FailedPermanently) { 'events left unprocessed' }
        if (-not $r.ReceiverNeverStopped) { 'the receiver stopped' }
    )
    if ($broken) { throw "The soak broke: $($broken -join '; ')." }
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
