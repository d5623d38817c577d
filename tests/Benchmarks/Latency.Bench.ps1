#Requires -Version 7.2
<#
.SYNOPSIS
Fast where the service is far away: the module against an admin's ForEach-Object -Parallel script, with 150 ms of
latency on every request.

.DESCRIPTION
Starts one emulator with --latency-ms -LatencyMs (default 150; the control surface has no latency) and, in one
run, does each job twice: with the module (-ThrottleLimit -Throttle) and with what an admin writes to go faster,
Invoke-RestMethod inside ForEach-Object -Parallel -ThrottleLimit -Throttle, sending the same requests:
  (a) New-RrRecall of -RecallIds fresh eligible ids, 100 per request (the script batches 100 ids per request too);
  (b) Get-RrInventory -ReturnInventoryId for -GetIds ids (one GetReturnInventory each);
  (c) Set-RrInventoryHandling -HandlingCode ohd for -SetIds ids (one UpdateReturnInventoryHandling each; the script
      sends an idempotency key too, as the module does);
  (d) Get-RrInventory -CreatedAfter/-CreatedBefore over 200 days holding -ListInventories inventories, against a
      script that splits the period into 62-day windows and walks pages of 50: windows in parallel, the pages of
      a window one after another.
Inventories for (a)-(c) are created fresh for every run through the control surface (after a reset); those of (d)
are created once, spread evenly over a 200-day period that ends 200 days ago (clear of the seed's example
inventory 123). Each side of each job runs once to warm up, then -Runs times, alternating which side goes first;
medians are reported. Every run is checked: every id recalled / returned / set to ohd, every inventory listed
exactly once, and the number of requests of the job's endpoint exactly as expected, for both sides (counted from
the emulator's request log, cleared before each run); anything else throws.

The physical limit of a job is requests x latency / throttle, in whole rounds (ceiling(requests / throttle) x
latency, the same for the default sizes): what perfect concurrency would take, counting the module's actual
requests. Goals: the module no slower than the script (ratio <= 1.0) and within 1.2x of the limit. When a cmdlet
has no -ThrottleLimit (an older build), it runs without it and the table says so. Reports only: exit code 0
whatever the numbers.

-Quick: 300, 40 and 40 ids, 2,000 listed inventories and one measured run, for a check in well under a minute.
#>
[CmdletBinding()]
param(
    [ValidateRange(10, 5000)] [int] $LatencyMs = 150,
    [ValidateRange(1, 16)] [int] $Throttle = 4,
    [ValidateRange(100, 100000)] [int] $RecallIds = 2000,
    [ValidateRange(1, 10000)] [int] $GetIds = 200,
    [ValidateRange(1, 10000)] [int] $SetIds = 200,
    [ValidateRange(100, 1000000)] [int] $ListInventories = 10000,
    [ValidateRange(1, 20)] [int] $Runs = 3,
    [switch] $Quick,
    [double] $GoalScriptRatio = 1.0,
    [double] $GoalLimitRatio = 1.2
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSStyle.OutputRendering = 'PlainText'
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1')
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')

if ($Quick) {   # smaller sizes, unless given explicitly
    $quickValues = @{ RecallIds = 300; GetIds = 40; SetIds = 40; ListInventories = 2000; Runs = 1 }
    foreach ($name in $quickValues.Keys) {
        if (-not $PSBoundParameters.ContainsKey($name)) { Set-Variable -Name $name -Value $quickValues[$name] }
    }
}

$PageSize = 50
$WindowDays = 62
$ListDays = 200
$midnightUtc = [datetime]::SpecifyKind([datetime]::UtcNow.Date, [DateTimeKind]::Utc)
$listFrom = $midnightUtc.AddDays(-2 * $ListDays)   # (d): [listFrom, listTo), far from the seed's inventory 123 (181 days ago)
$listTo = $listFrom.AddDays($ListDays)
$handlingFrom = $midnightUtc.AddDays(-1000)       # (c): its inventories are created in [handlingFrom, +1 day) to check them
$handlingTo = $handlingFrom.AddDays(1)

#region Emulator helpers (control surface: no latency, not in the request log)

function Reset-Emulator { $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 0 } }

# Count creation times spread evenly over [From, From + Span), half a step from each end (none on a window edge).
function Get-SpreadTime([datetime] $From, [timespan] $Span, [int] $Count) {
    $step = [long]($Span.Ticks / $Count)
    , [datetime[]]@(foreach ($i in 0..($Count - 1)) { $From.AddTicks($step * $i + [long]($step / 2)) })
}

# Creates Count tbc/pending inventories in warehouse 2, created now or at the given UTC times. Returns their ids.
function New-Inventory([int] $Count, [datetime[]] $CreateOn) {
    $ids = [Collections.Generic.List[long]]::new()
    for ($done = 0; $done -lt $Count; $done += 5000) {
        $items = foreach ($i in $done..([Math]::Min($done + 5000, $Count) - 1)) {
            $item = @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 }
            if ($CreateOn) { $item.createOn = $CreateOn[$i].ToString('o') }
            $item
        }
        foreach ($created in (Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'inventories' -Body @($items))) { $ids.Add($created.returnInventoryId) }
    }
    if ($ids.Count -ne $Count) { throw "The emulator created $($ids.Count) of $Count inventories." }
    [long[]]$ids
}

# The API requests logged since the last clear, once the log has settled (an entry is added just after its answer
# is written, so the last one may land a moment after the client got it).
function Get-RequestLog([string] $EndpointPattern, [int] $Expected) {
    $previous = -1
    for ($attempt = 0; ; $attempt++) {
        $log = @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'requests')
        $endpoint = @($log | Where-Object path -Like $EndpointPattern).Count
        if (($log.Count -eq $previous -and $endpoint -ge $Expected) -or $attempt -ge 40) { return , $log }
        $previous = $log.Count
        Start-Sleep -Milliseconds 50
    }
}

# ReturnInventory/list rows of [From, To) (at most 62 days), read page by page from this process.
function Read-ListedRow([datetime] $From, [datetime] $To) {
    $offset = 0
    do {
        $query = 'createFrom={0}&createTo={1}&pageSize={2}&offset={3}' -f [uri]::EscapeDataString($From.ToString('o')), [uri]::EscapeDataString($To.ToString('o')), $PageSize, $offset
        $page = Invoke-RestMethod -Uri "$api/ReturnInventory/list?$query" -Headers $headers -NoProxy
        if ($page.meta.status -ne 200) { throw "ReturnInventory/list answered $($page.meta.status): $($page.meta.error | ConvertTo-Json -Compress)" }
        $rows = @($page.data)
        $rows
        $offset += $rows.Count
    } while ($rows.Count -eq $PageSize -and $offset -lt $page.totalNumberOfRecords)
}

#endregion

#region Checks

function Assert-SameIdSet([long[]] $Expected, [object[]] $Actual, [string] $What) {
    $seen = [Collections.Generic.HashSet[long]]::new()
    foreach ($id in $Actual) { $null = $seen.Add([long]$id) }
    $missing = @($Expected | Where-Object { -not $seen.Contains($_) })
    if ($Actual.Count -ne $Expected.Count -or $seen.Count -ne $Expected.Count -or $missing.Count) {
        throw "$What`: expected $($Expected.Count) distinct ids, got $($Actual.Count) ($($seen.Count) distinct, $($missing.Count) missing, e.g. $($missing | Select-Object -First 3))."
    }
}

function Assert-MetaOk([object[]] $Responses, [string] $What) {
    $bad = @($Responses | Where-Object { $null -eq $_ -or $_.meta.status -ne 200 })
    if ($bad.Count) { throw "$What`: $($bad.Count) answer(s) were not successful, e.g. $($bad[0] | ConvertTo-Json -Depth 5 -Compress)" }
}

#endregion

# Windows and pages of (d), as the service's limits force them: the expected number of list requests.
$listWindows = [Collections.Generic.List[object]]::new()
for ($start = $listFrom; $start -lt $listTo; $start = $start.AddDays($WindowDays)) {
    $end = if (($listTo - $start).TotalDays -gt $WindowDays) { $start.AddDays($WindowDays) } else { $listTo }
    $listWindows.Add([pscustomobject]@{ From = $start; To = $end })
}

function Get-ExpectedListRequest([datetime[]] $CreateOns) {
    $requests = 0
    $longest = 0
    foreach ($window in $listWindows) {
        $inWindow = 0
        foreach ($time in $CreateOns) { if ($time -ge $window.From -and $time -lt $window.To) { $inWindow++ } }
        $pages = [Math]::Max(1, [Math]::Ceiling($inWindow / $PageSize))   # a window ends at totalNumberOfRecords
        $requests += $pages
        $longest = [Math]::Max($longest, $pages)
    }
    [pscustomobject]@{ Requests = [int]$requests; LongestWindowPages = [int]$longest }
}

#region Jobs
# Each job: Setup (once, before its runs), Prepare (before each run, not timed; returns the run's state), Module and
# Script (timed; take the state, return their output), Check (not timed; state, output, side), the endpoint its
# requests go to and how many it must send. (a)-(c) reset the emulator in each Prepare, so (d) creates its data last.

$jobs = [ordered]@{
    a = [pscustomobject]@{
        Cmdlet   = 'New-RrRecall'
        Title    = '(a) New-RrRecall'
        Markdown = "``New-RrRecall`` of {0:N0} fresh ids, 100 per request" -f $RecallIds
        Endpoint = '*/Recall/createRecallByReturnInventoryId'
        Expected = [int][Math]::Ceiling($RecallIds / 100)
        Setup    = {}
        Prepare  = { Reset-Emulator; , (New-Inventory $RecallIds) }
        Module   = { param($ids, $throttleArgs) New-RrRecall -ReturnInventoryId $ids -Confirm:$false @throttleArgs }
        Script   = { param($ids)
            $url = "$api/Recall/createRecallByReturnInventoryId"
            $batches = [Collections.Generic.List[object]]::new()
            for ($i = 0; $i -lt $ids.Count; $i += 100) { $batches.Add($ids[$i..([Math]::Min($i + 99, $ids.Count - 1))]) }
            $batches | ForEach-Object -ThrottleLimit $Throttle -Parallel {
                Invoke-RestMethod -Method Post -Uri $using:url -Headers $using:headers -NoProxy -ContentType 'application/json' -Body (ConvertTo-Json -Compress @{ returnInventoryIdList = $_ })
            }
        }
        Check    = { param($ids, $output, $side)
            if ($side -eq 'Script') { Assert-MetaOk $output 'createRecallByReturnInventoryId' }
            $recalled = foreach ($recall in Invoke-RrEmulatorControl -Emulator $emulator -Path 'recalls') {
                foreach ($item in $recall.recallInventoryList) { if ($item.recallInventoryStatusCode -ne 'canceled') { $item.returnInventoryId } }
            }
            Assert-SameIdSet $ids @($recalled) "(a) $side, inventories in an active recall"
        }
    }
    b = [pscustomobject]@{
        Cmdlet   = 'Get-RrInventory'
        Title    = '(b) Get-RrInventory -ReturnInventoryId'
        Markdown = "``Get-RrInventory -ReturnInventoryId`` of {0:N0} ids, one request each" -f $GetIds
        Endpoint = '*/ReturnInventory/GetReturnInventory'
        Expected = $GetIds
        Setup    = {}
        Prepare  = { Reset-Emulator; , (New-Inventory $GetIds) }
        Module   = { param($ids, $throttleArgs) Get-RrInventory -ReturnInventoryId $ids @throttleArgs }
        Script   = { param($ids)
            $ids | ForEach-Object -ThrottleLimit $Throttle -Parallel {
                Invoke-RestMethod -Uri "$($using:api)/ReturnInventory/GetReturnInventory?returnInventoryId=$_" -Headers $using:headers -NoProxy
            }
        }
        Check    = { param($ids, $output, $side)
            if ($side -eq 'Script') { Assert-MetaOk $output 'GetReturnInventory' }
            Assert-SameIdSet $ids @($output.ReturnInventoryId) "(b) $side, inventories returned"
        }
    }
    c = [pscustomobject]@{
        Cmdlet   = 'Set-RrInventoryHandling'
        Title    = '(c) Set-RrInventoryHandling -HandlingCode ohd'
        Markdown = "``Set-RrInventoryHandling -HandlingCode ohd`` of {0:N0} ids, one request each" -f $SetIds
        Endpoint = '*/ReturnInventory/UpdateReturnInventoryHandling'
        Expected = $SetIds
        Setup    = {}
        Prepare  = { Reset-Emulator; , (New-Inventory $SetIds (Get-SpreadTime $handlingFrom ([timespan]::FromHours(1)) $SetIds)) }
        Module   = { param($ids, $throttleArgs) Set-RrInventoryHandling -ReturnInventoryId $ids -HandlingCode ohd -Confirm:$false @throttleArgs }
        Script   = { param($ids)
            $url = "$api/ReturnInventory/UpdateReturnInventoryHandling"
            $ids | ForEach-Object -ThrottleLimit $Throttle -Parallel {
                $requestHeaders = $using:headers + @{ 'x-returnhelper-idempotency-key' = [guid]::NewGuid().ToString() }
                Invoke-RestMethod -Method Post -Uri $using:url -Headers $requestHeaders -NoProxy -ContentType 'application/json' -Body (ConvertTo-Json -Compress @{ returnInventoryId = $_; handlingCode = 'ohd' })
            }
        }
        Check    = { param($ids, $output, $side)
            if ($side -eq 'Script') { Assert-MetaOk $output 'UpdateReturnInventoryHandling' }
            $rows = @(Read-ListedRow $handlingFrom $handlingTo)   # after the request log was read
            Assert-SameIdSet $ids @($rows.returnInventoryId) "(c) $side, inventories listed back"
            $notSet = @($rows | Where-Object { $_.handlingCode -ne 'ohd' -or $_.handlingStatusCode -ne 'pending' })
            if ($notSet.Count) { throw "(c) $side`: $($notSet.Count) inventories are not ohd/pending, e.g. $($notSet[0] | ConvertTo-Json -Compress)" }
        }
    }
    d = [pscustomobject]@{
        Cmdlet   = 'Get-RrInventory'
        Title    = '(d) Get-RrInventory -CreatedAfter -CreatedBefore'
        Markdown = "``Get-RrInventory -CreatedAfter -CreatedBefore`` of {0:N0} inventories over {1} days ({2} windows, pages of {3})" -f $ListInventories, $ListDays, $listWindows.Count, $PageSize
        Endpoint = '*/ReturnInventory/list'
        Expected = 0   # set by Setup
        Setup    = {
            Write-Host "Creating $($ListInventories.ToString('N0')) inventories over $ListDays days for (d)..."
            Reset-Emulator
            $createOns = Get-SpreadTime $listFrom ([timespan]::FromDays($ListDays)) $ListInventories
            $script:listIds = New-Inventory $ListInventories $createOns
            $script:listPlan = Get-ExpectedListRequest $createOns
            $jobs.d.Expected = $listPlan.Requests
        }
        Prepare  = { , $listIds }
        Module   = { param($ids, $throttleArgs) Get-RrInventory -CreatedAfter $listFrom -CreatedBefore $listTo @throttleArgs }
        Script   = { param($ids)
            $listWindows | ForEach-Object -ThrottleLimit $Throttle -Parallel {
                $window = $_
                $offset = 0
                do {
                    $query = 'createFrom={0}&createTo={1}&pageSize={2}&offset={3}' -f [uri]::EscapeDataString($window.From.ToString('o')), [uri]::EscapeDataString($window.To.ToString('o')), $using:PageSize, $offset
                    $page = Invoke-RestMethod -Uri "$($using:api)/ReturnInventory/list?$query" -Headers $using:headers -NoProxy
                    if ($page.meta.status -ne 200) { throw "ReturnInventory/list answered $($page.meta.status)." }
                    $rows = @($page.data)
                    $rows
                    $offset += $rows.Count
                } while ($rows.Count -eq $using:PageSize -and $offset -lt $page.totalNumberOfRecords)
            }
        }
        Check    = { param($ids, $output, $side)
            Assert-SameIdSet $ids @($output.ReturnInventoryId) "(d) $side, inventories listed"
        }
    }
}
#endregion

$rows = [Collections.Generic.List[object]]::new()
Write-Host "Starting the emulator with --latency-ms $LatencyMs..."
$emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0', '--latency-ms', "$LatencyMs" -TimeoutSeconds 120
try {
    $token = [Net.NetworkCredential]::new('', $emulator.ApiToken).Password
    $headers = @{ 'x-rr-apikey' = $emulator.ApiKey; 'x-rr-apitoken' = $token }
    $api = $emulator.UserApiBase
    Import-Module (Get-RrModulePath)
    Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken

    foreach ($key in $jobs.Keys) {
        $job = $jobs[$key]
        & $job.Setup
        $throttleArgs = @{}
        $hasThrottle = (Get-Command $job.Cmdlet).Parameters.ContainsKey('ThrottleLimit')
        if ($hasThrottle) { $throttleArgs.ThrottleLimit = $Throttle }
        $times = @{ Module = [Collections.Generic.List[double]]::new(); Script = [Collections.Generic.List[double]]::new() }
        $requests = @{ Module = [Collections.Generic.List[double]]::new(); Script = [Collections.Generic.List[double]]::new() }
        $extra = @{ Module = [Collections.Generic.SortedSet[string]]::new(); Script = [Collections.Generic.SortedSet[string]]::new() }
        foreach ($run in 0..$Runs) {   # run 0 warms both sides up and is not counted
            $sides = if ($run % 2) { 'Module', 'Script' } else { 'Script', 'Module' }
            foreach ($side in $sides) {
                $state = & $job.Prepare
                $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'requests'
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $output = if ($side -eq 'Module') { @(& $job.Module $state $throttleArgs) } else { @(& $job.Script $state) }
                $watch.Stop()
                $log = Get-RequestLog $job.Endpoint $job.Expected
                $endpointCount = @($log | Where-Object path -Like $job.Endpoint).Count
                if ($endpointCount -ne $job.Expected) { throw "$($job.Title), $side`: $endpointCount requests to $($job.Endpoint.TrimStart('*/')), expected $($job.Expected)." }
                & $job.Check $state $output $side
                if ($run -gt 0) {
                    $times[$side].Add($watch.Elapsed.TotalSeconds)
                    $requests[$side].Add($log.Count)
                    foreach ($entry in $log) { if ($entry.path -notlike $job.Endpoint) { $null = $extra[$side].Add("$($entry.method) $($entry.path)") } }
                }
            }
        }
        $row = [pscustomobject]@{
            Job            = $job.Title
            Cmdlet         = $job.Cmdlet
            Markdown       = $job.Markdown
            Throttled      = $hasThrottle
            ModuleSeconds  = Get-Median $times.Module
            ScriptSeconds  = Get-Median $times.Script
            ModuleRequests = [int](Get-Median $requests.Module)
            ScriptRequests = [int](Get-Median $requests.Script)
        }
        $row | Add-Member -NotePropertyMembers @{ LimitSeconds = [Math]::Ceiling($row.ModuleRequests / $Throttle) * $LatencyMs / 1000 }
        $rows.Add($row)
        Write-Host ("{0}: module {1:N2} s ({2} requests{3}), script {4:N2} s ({5} requests): {6:N2}x the script; limit {7:N2} s, module {8:N2}x the limit." -f
            $row.Job, $row.ModuleSeconds, $row.ModuleRequests, $(if ($hasThrottle) { ", -ThrottleLimit $Throttle" } else { ', no -ThrottleLimit' }),
            $row.ScriptSeconds, $row.ScriptRequests, ($row.ModuleSeconds / $row.ScriptSeconds), $row.LimitSeconds, ($row.ModuleSeconds / $row.LimitSeconds))
        foreach ($side in 'Module', 'Script') {
            if ($extra[$side].Count) { Write-Host "    $side also sent: $($extra[$side] -join ', ')" }
        }
    }

    Write-Host ''
    Write-Host ("Fast where the service is far away: {0} ms per request, throttle {1}, median of {2} run(s) after a warm-up (emulator on 127.0.0.1, this machine: {3} cores)." -f
        $LatencyMs, $Throttle, $Runs, [Environment]::ProcessorCount)
    Write-Host "Script: Invoke-RestMethod in ForEach-Object -Parallel -ThrottleLimit $Throttle. Limit: requests x latency / throttle, in whole rounds."
    $noThrottle = @($rows | Where-Object { -not $_.Throttled } | ForEach-Object Cmdlet | Select-Object -Unique)
    if ($noThrottle.Count) { Write-Host "Note: $($noThrottle -join ', ') ha$(if ($noThrottle.Count -eq 1) { 's' } else { 've' }) no -ThrottleLimit in this build: those rows ran without it (marked *)." }
    Write-Host ''
    Write-Host ("| Job (latency {0} ms, throttle {1}) | Requests (module / script) | Module | Script | Module / script (goal <= {2:N1}) | Limit | Module / limit (goal <= {3:N1}) |" -f $LatencyMs, $Throttle, $GoalScriptRatio, $GoalLimitRatio)
    Write-Host '|---|---|---|---|---|---|---|'
    foreach ($row in $rows) {
        Write-Host ('| {0}{1} | {2} / {3} | {4:N2} s | {5:N2} s | {6:N2}x | {7:N2} s | {8:N2}x |' -f $row.Markdown, $(if ($row.Throttled) { '' } else { ' *' }),
            $row.ModuleRequests, $row.ScriptRequests, $row.ModuleSeconds, $row.ScriptSeconds, ($row.ModuleSeconds / $row.ScriptSeconds), $row.LimitSeconds, ($row.ModuleSeconds / $row.LimitSeconds))
    }
    Write-Host ''
    $scriptMet = @($rows | Where-Object { $_.ModuleSeconds / $_.ScriptSeconds -le $GoalScriptRatio }).Count
    $limitMet = @($rows | Where-Object { $_.ModuleSeconds / $_.LimitSeconds -le $GoalLimitRatio }).Count
    Write-Host ("Module no slower than the script (<= {0:N1}x): {1} of {2} jobs; within {3:N1}x of the limit: {4} of {2} jobs." -f $GoalScriptRatio, $scriptMet, $rows.Count, $GoalLimitRatio, $limitMet)
    Write-Host ("(d) as the script plans it (windows in parallel, pages of a window in sequence) cannot beat its longest window: {0} pages x {1} ms = {2:N2} s, against a limit of {3:N2} s." -f
        $listPlan.LongestWindowPages, $LatencyMs, ($listPlan.LongestWindowPages * $LatencyMs / 1000), ([Math]::Ceiling($listPlan.Requests / $Throttle) * $LatencyMs / 1000))
}
finally {
    if (Get-Command Disconnect-RrService -ErrorAction Ignore) { Disconnect-RrService }
    Stop-RrTestEmulator $emulator
}
