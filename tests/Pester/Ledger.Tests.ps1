# The recall ledger (Connect-RrService -LedgerPath / RR_LEDGER_PATH / -NoLedger): New-RrRecall killed and rerun,
# -ErrorAction Stop and Ctrl+C, two processes writing one ledger, a torn last line, safe reruns and -Force, recall
# numbers in Stop-RrRecall, webhook journals replayed, no credential on disk, and the Get-RrRecall filters.
#
# RR_TEST_FULL=1 runs the kill-and-rerun test at the Bench-like full size (5,000 ids, 10 kills); the suite runs a
# reduced size so the whole file stays well under two minutes.
BeforeDiscovery {
    $FullSize = $env:RR_TEST_FULL -eq '1'
    # The kill points, in order. InFlight: a batch was sent and its answer is not back yet (the emulator is 400 ms
    # away). DroppedAnswer: the service committed a batch and dropped its answer; the process dies before its retry.
    # Answered: after this run's first answer (+ AfterMs, i.e. somewhere in the next wave of requests).
    $AllKillPoints = @(
        @{ Kind = 'InFlight'; AfterMs = 150 }
        @{ Kind = 'DroppedAnswer'; AfterMs = 0 }
        @{ Kind = 'Answered'; AfterMs = 0 }
        @{ Kind = 'Answered'; AfterMs = 200 }
        @{ Kind = 'InFlight'; AfterMs = 0 }
        @{ Kind = 'DroppedAnswer'; AfterMs = 0 }
        @{ Kind = 'Answered'; AfterMs = 100 }
        @{ Kind = 'InFlight'; AfterMs = 300 }
        @{ Kind = 'Answered'; AfterMs = 350 }
        @{ Kind = 'DroppedAnswer'; AfterMs = 0 }
    )
    # Each killed run may commit up to -ThrottleLimit (4) new batches, so N leaves work for every kill point.
    $KillSize = if ($FullSize) { @{ Count = 5000; Kills = 10 } } else { @{ Count = 2000; Kills = 4 } }
    $KillSize.Points = $AllKillPoints[0..($KillSize.Kills - 1)]
}

BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/../../src/Build/BuildTools.psm1"   # Get-PwshLauncher
    Import-RrTestModule | Out-Null
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0'
    # For the child processes: 400 ms per request, so a run of New-RrRecall takes long enough to be killed in it.
    $script:slow = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0', '--latency-ms', '400'
    $script:CreatePath = 'Recall/createRecallByReturnInventoryId'
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "rr-ledger-tests-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $Work

    function Reset-Emulator($Target = $emulator) { Reset-RrTestEmulator $Target }
    function New-TestInventory([int] $Count = 1, [hashtable] $With = @{}, $Target = $emulator) { New-RrTestInventory -Emulator $Target -Count $Count -With $With }
    function Get-ApiCall([string] $PathLike, $Target = $emulator) { Get-RrTestApiCall -Emulator $Target -PathLike $PathLike }
    function Add-Fault([hashtable] $Fault, $Target = $emulator) { Add-RrTestFault -Emulator $Target -Fault $Fault }

    function Get-EmulatorRecall($Target = $emulator) { @(Invoke-RrEmulatorControl -Emulator $Target -Path 'recalls') }

    # Active (not cancelled) recall inventories in the emulator.
    function Get-ActiveRecalledId($Target = $emulator) { Get-RrTestActiveRecalledId -Emulator $Target }

    # A new, empty ledger folder of this test file.
    function New-LedgerFolder { Join-Path $Work "ledger-$([guid]::NewGuid().ToString('N').Substring(0, 8))" }

    # Connects (and makes it the default session) with its own ledger folder; returns the session.
    function Connect-Ledger([string] $Folder = (New-LedgerFolder), $Target = $emulator) {
        Connect-RrService -BaseUri $Target.UserApiBase -ApiKey $Target.ApiKey -ApiToken $Target.ApiToken -LedgerPath $Folder -PassThru
    }

    function Get-LedgerLine([string] $Path) {
        if (-not (Test-Path -LiteralPath $Path)) { return @() }
        # Opened like the module opens it (shared), since a child may be appending.
        $stream = [IO.FileStream]::new($Path, 'Open', 'Read', [IO.FileShare]'ReadWrite, Delete')
        try { $reader = [IO.StreamReader]::new($stream); @($reader.ReadToEnd() -split "`n" | Where-Object { $_ }) }
        finally { $stream.Dispose() }
    }

    # The script a child pwsh runs: a scheduled script that recalls the ids in a file, with credentials from
    # RR_API_KEY / RR_API_TOKEN. Only a run that ends writes its result file (killed runs write nothing).
    $script:ChildScript = Join-Path $Work 'Recall-Ids.ps1'
    Set-Content -LiteralPath $ChildScript -Value @'
param([string] $ModulePath, [string] $BaseUri, [string] $LedgerPath, [string] $IdsFile, [string] $ResultFile, [string] $ReadyFile, [string] $GoFile)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
Connect-RrService -BaseUri $BaseUri -LedgerPath $LedgerPath
$ids = Get-Content -LiteralPath $IdsFile
if ($ReadyFile) {
    Set-Content -LiteralPath $ReadyFile -Value 'ready'
    while (-not (Test-Path -LiteralPath $GoFile)) { Start-Sleep -Milliseconds 10 }
}
$terminating = $null
try {
    $ids | New-RrRecall -BatchSize 100 -ErrorVariable failures -WarningVariable warned -OutVariable recalls -ErrorAction SilentlyContinue 3>$null | Out-Null
}
catch { $terminating = "$($_.FullyQualifiedErrorId): $_" }
[pscustomobject]@{
    Errors    = @(@($failures | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) + @($terminating | Where-Object { $_ }))
    Warnings  = @($warned | ForEach-Object { "$_" })
    Covered   = [long[]]@($recalls | ForEach-Object { $_.RecallInventoryList } | ForEach-Object ReturnInventoryId)
    RecallIds = [long[]]@($recalls | ForEach-Object RecallId)
} | Export-Clixml -LiteralPath $ResultFile
'@

    function Start-RecallChild {
        param([long[]] $Ids, [string] $LedgerFolder, $Target, [switch] $WaitForGo)
        $name = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $child = [pscustomobject]@{
            IdsFile    = Join-Path $Work "ids-$name.txt"
            ResultFile = Join-Path $Work "result-$name.xml"
            ReadyFile  = if ($WaitForGo) { Join-Path $Work "ready-$name" } else { '' }
            GoFile     = Join-Path $Work 'go'
            Process    = $null
            Stdout     = $null
            Stderr     = $null
        }
        Set-Content -LiteralPath $child.IdsFile -Value $Ids
        $launcher = Get-PwshLauncher
        $start = [Diagnostics.ProcessStartInfo]::new($launcher.FilePath)
        $arguments = @($launcher.Arguments) + @('-NoProfile', '-NonInteractive', '-File', $ChildScript,
            '-ModulePath', (Get-RrModulePath), '-BaseUri', $Target.UserApiBase, '-LedgerPath', $LedgerFolder,
            '-IdsFile', $child.IdsFile, '-ResultFile', $child.ResultFile, '-ReadyFile', $child.ReadyFile, '-GoFile', $child.GoFile)
        foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
        $start.Environment['RR_API_KEY'] = $Target.ApiKey
        $start.Environment['RR_API_TOKEN'] = [Net.NetworkCredential]::new('', $Target.ApiToken).Password
        $start.UseShellExecute = $false
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $child.Process = [Diagnostics.Process]::Start($start)
        $child.Stdout = $child.Process.StandardOutput.ReadToEndAsync()
        $child.Stderr = $child.Process.StandardError.ReadToEndAsync()
        $child
    }

    function Get-ChildOutput($Child) {
        $null = $Child.Process.WaitForExit(10000)
        "exit $($Child.Process.ExitCode); stdout: $($Child.Stdout.Result) stderr: $($Child.Stderr.Result)"
    }

    # Waits for a child to end by itself and returns its result (Errors, Warnings, Covered, RecallIds).
    function Wait-RecallChild($Child, [int] $TimeoutSeconds = 180) {
        if (-not $Child.Process.WaitForExit($TimeoutSeconds * 1000)) {
            $Child.Process.Kill($true)
            throw "The child pwsh did not end within $TimeoutSeconds s: $(Get-ChildOutput $Child)"
        }
        $Child.Process.WaitForExit()
        if (-not (Test-Path -LiteralPath $Child.ResultFile)) { throw "The child pwsh wrote no result: $(Get-ChildOutput $Child)" }
        Import-Clixml -LiteralPath $Child.ResultFile
    }

    # A PowerShell instance (another runspace of this process: its streams and Stop() can be watched) that imports
    # the module, connects to $Target with the ledger in $Folder and runs $Script with $Ids.
    function New-LedgerInstance([scriptblock] $Script, $Target, [string] $Folder, $Ids) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($modulePath, $base, $key, $token, $folder)
                Import-Module $modulePath
                Connect-RrService -BaseUri $base -ApiKey $key -ApiToken $token -LedgerPath $folder
            }).AddArgument((Get-RrModulePath)).AddArgument($Target.UserApiBase).AddArgument($Target.ApiKey).AddArgument($Target.ApiToken).AddArgument($Folder)
        $null = $ps.AddStatement().AddScript($Script).AddArgument($Ids)
        $ps
    }

    function Wait-Until([scriptblock] $Condition, [int] $TimeoutSeconds = 20, [string] $What = 'the condition') {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for $What." }
            Start-Sleep -Milliseconds 20
        }
    }


    # What Get-RrRecall says about the recalls, as text: the same text means nothing changed.
    function Get-LedgerSnapshot($Session) {
        Get-RrRecall -Session $Session | Sort-Object RecallId |
            Select-Object RecallId, RecallNumber, RecallStatusCode, WarehouseId, CreateOn, LedgerUpdatedOn, LedgerSource,
            @{ n = 'Inventories'; e = { @($_.RecallInventoryList | Select-Object ReturnInventoryId, RecallInventoryStatusCode, TrackingNumber, PickUpCode, PickUpOn, ListName, Weight) } } |
            ConvertTo-Json -Depth 6
    }
}

AfterAll {
    Disconnect-RrService -ErrorAction SilentlyContinue
    Stop-RrTestEmulator $emulator
    Stop-RrTestEmulator $slow
    if ($Work -and (Test-Path -LiteralPath $Work)) { Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Killed and rerun' {
    BeforeEach { Reset-Emulator $slow }

    It 'recalls <Count> ids exactly once through <Kills> kills (SIGKILL of the child pwsh) and a final rerun' -ForEach $KillSize {
        $ids = New-TestInventory -Count $Count -Target $slow
        $folder = New-LedgerFolder
        $session = Connect-RrService -BaseUri $slow.UserApiBase -ApiKey $slow.ApiKey -ApiToken $slow.ApiToken -LedgerPath $folder -SkipCredentialCheck -PassThru
        $ledgerFile = $session.LedgerPath
        $k = 0
        foreach ($point in $Points) {
            $k++
            if ($point.Kind -eq 'DroppedAnswer') { Add-Fault @{ path = $CreatePath; kind = 'drop-after-commit'; count = 1 } -Target $slow }
            $runStart = [DateTime]::UtcNow
            $pendingBefore = @(Get-LedgerLine $ledgerFile | Where-Object { $_ -like '*"e":"pending"*' }).Count
            $child = Start-RecallChild -Ids $ids -LedgerFolder $folder -Target $slow
            $trigger = $null
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            while (-not $trigger -and -not $child.Process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                if ($point.Kind -eq 'InFlight') {
                    if (@(Get-LedgerLine $ledgerFile | Where-Object { $_ -like '*"e":"pending"*' }).Count -gt $pendingBefore) { $trigger = 'pending' }
                }
                else {
                    $calls = @(Get-ApiCall $CreatePath $slow | Where-Object { ([datetime]$_.time).ToUniversalTime() -ge $runStart })
                    if ($point.Kind -eq 'DroppedAnswer') { $trigger = @($calls | Where-Object fault -EQ 'drop-after-commit')[0] }
                    else { $trigger = @($calls | Where-Object { $_.status -eq 200 -and -not $_.fault })[0] }
                }
                if (-not $trigger) { Start-Sleep -Milliseconds 20 }
            }
            if ($trigger -and $point.AfterMs) { Start-Sleep -Milliseconds $point.AfterMs }
            $wasRunning = -not $child.Process.HasExited
            $child.Process.Kill($true)
            $null = $child.Process.WaitForExit(30000)
            $because = "kill point $k ($($point.Kind) + $($point.AfterMs) ms) must stop a running New-RrRecall ($(Get-ChildOutput $child))"
            $trigger | Should -Not -BeNullOrEmpty -Because $because
            $wasRunning | Should -BeTrue -Because $because
            Test-Path -LiteralPath $child.ResultFile | Should -BeFalse -Because $because
            if ($point.Kind -eq 'DroppedAnswer') {
                # The window this kill point is for: the service has the recall, the ledger only the pending batch.
                @(Get-RrRecall -Pending -Session $session).IdempotencyKey | Should -Contain $trigger.idempotencyKey
            }
        }

        $final = Wait-RecallChild (Start-RecallChild -Ids $ids -LedgerFolder $folder -Target $slow)
        $final.Errors | Should -BeNullOrEmpty

        # The service: every id in exactly one active recall.
        $active = Get-ActiveRecalledId $slow
        $active.Count | Should -Be $ids.Count
        @($active | Sort-Object -Unique).Count | Should -Be $ids.Count
        Compare-Object ($active | Sort-Object) ($ids | Sort-Object) | Should -BeNullOrEmpty

        # The ledger knows every recall the service has, and nothing is left pending.
        $serverRecallIds = @(Get-EmulatorRecall $slow | ForEach-Object recallId | Sort-Object)
        $known = @(Get-RrRecall -Session $session)
        Compare-Object @($known.RecallId | Sort-Object) $serverRecallIds | Should -BeNullOrEmpty
        @(Get-RrRecall -Pending -Session $session) | Should -HaveCount 0

        # The final run's output accounts for every id, each recall once.
        Compare-Object @($final.Covered | Sort-Object -Unique) @($ids | Sort-Object) | Should -BeNullOrEmpty
        @($final.RecallIds | Sort-Object -Unique).Count | Should -Be @($final.RecallIds).Count
    }
}

Describe 'Stopped runs leave nothing unknown' {
    BeforeEach { Reset-Emulator }

    It 'with <How>, every recall the service created before the unknown id stopped the run is in Get-RrRecall' -ForEach @(
        @{ How = '$ErrorActionPreference = ''Stop'''; Preference = $true }
        @{ How = '-ErrorAction Stop'; Preference = $false }
    ) {
        $session = Connect-Ledger
        $good = New-TestInventory -Count 60
        $ids = @($good[0..4]) + @(987654321) + @($good[5..59])
        # Every batch is held 500 ms, so the other batches are in flight when the first one's unknown id stops the run.
        Add-Fault @{ path = $CreatePath; kind = 'delay'; delayMs = 500; count = 20 }
        $caught = $null
        # (This It's own scope: the preference ends with it.)
        $ErrorActionPreference = if ($Preference) { 'Stop' } else { 'Continue' }
        try {
            if ($Preference) { $ids | New-RrRecall -BatchSize 10 | Out-Null }
            else { $ids | New-RrRecall -BatchSize 10 -ErrorAction Stop | Out-Null }
        }
        catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        "$caught" | Should -Match '987654321'

        $created = Get-EmulatorRecall
        $created.Count | Should -BeGreaterThan 0
        $created.Count | Should -BeLessThan 6 -Because 'the run stopped before every batch was sent'
        $known = @(Get-RrRecall -Session $session)
        foreach ($recall in $created) { $known.RecallId | Should -Contain $recall.recallId -Because "the service created $($recall.recallNumber)" }
    }

    It 'after Ctrl+C with a create in flight the batch is pending, and Get-RrRecall -Pending | New-RrRecall resolves it' {
        $folder = New-LedgerFolder
        $session = Connect-Ledger $folder
        $ids = New-TestInventory -Count 5
        Add-Fault @{ path = $CreatePath; kind = 'delay'; delayMs = 3000; count = 1 }
        $ps = New-LedgerInstance -Target $emulator -Folder $folder -Ids $ids -Script { param($ids) $ids | New-RrRecall }
        $async = $null
        try {
            $async = $ps.BeginInvoke()
            # The emulator takes a fault when the request arrives: taken = in flight.
            Wait-Until { @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'faults').Count -eq 0 } -What 'the create request to arrive'
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally {
            # A batch of statements ends on a worker thread after Stop returns; disposing the runspace under it
            # crashes the test process (InvalidRunspaceStateException in BatchInvocationWorkItem).
            if ($async) { $null = $async.AsyncWaitHandle.WaitOne(20000) }
            $ps.Dispose()
        }
        # The abandoned request has ended on the emulator's side (it is logged when it ends).
        Wait-Until { @(Get-ApiCall $CreatePath).Count -ge 1 } -What 'the abandoned request to end'

        # Whatever the service created is known, or its batch is pending.
        $pending = @(Get-RrRecall -Pending)
        $known = @(Get-RrRecall)
        foreach ($recall in Get-EmulatorRecall) {
            $inPending = @($recall.recallInventoryList.returnInventoryId | Where-Object { $pending.ReturnInventoryId -contains $_ }).Count -gt 0
            ($known.RecallId -contains $recall.recallId) -or $inPending | Should -BeTrue -Because "the service created $($recall.recallNumber)"
        }
        $pending | Should -HaveCount 1
        @($pending[0].ReturnInventoryId | Sort-Object) | Should -Be @($ids | Sort-Object)

        $resolved = @(Get-RrRecall -Pending | New-RrRecall -ErrorVariable failures)
        $failures | Should -HaveCount 0
        @($resolved.RecallInventoryList.ReturnInventoryId | Sort-Object) | Should -Be @($ids | Sort-Object)
        @(Get-RrRecall -Pending) | Should -HaveCount 0
        # No id recalled twice, and the ledger knows the recall.
        $active = Get-ActiveRecalledId
        @($active | Sort-Object) | Should -Be @($ids | Sort-Object)
        Compare-Object @(Get-RrRecall | ForEach-Object RecallId | Sort-Object) @(Get-EmulatorRecall | ForEach-Object recallId | Sort-Object) | Should -BeNullOrEmpty
    }
}

Describe 'Two processes, one ledger' {
    BeforeEach { Reset-Emulator $slow }

    It 'two child processes recalling disjoint ids at the same time leave a ledger that knows all recalls of both' {
        $folder = New-LedgerFolder
        $session = Connect-RrService -BaseUri $slow.UserApiBase -ApiKey $slow.ApiKey -ApiToken $slow.ApiToken -LedgerPath $folder -SkipCredentialCheck -PassThru
        $first = New-TestInventory -Count 1000 -Target $slow
        $second = New-TestInventory -Count 1000 -Target $slow
        $a = Start-RecallChild -Ids $first -LedgerFolder $folder -Target $slow -WaitForGo
        $b = Start-RecallChild -Ids $second -LedgerFolder $folder -Target $slow -WaitForGo
        try {
            # Both connected and holding their ids: start them together.
            Wait-Until { (Test-Path -LiteralPath $a.ReadyFile) -and (Test-Path -LiteralPath $b.ReadyFile) } -TimeoutSeconds 60 -What 'both children to be ready'
            Set-Content -LiteralPath $a.GoFile -Value 'go'
            $resultA = Wait-RecallChild $a
            $resultB = Wait-RecallChild $b
        }
        finally {
            foreach ($child in $a, $b) { if (-not $child.Process.HasExited) { $child.Process.Kill($true) } }
            Remove-Item -LiteralPath $a.GoFile -ErrorAction SilentlyContinue
        }
        $resultA.Errors | Should -BeNullOrEmpty
        $resultB.Errors | Should -BeNullOrEmpty
        Compare-Object @($resultA.Covered | Sort-Object) @($first | Sort-Object) | Should -BeNullOrEmpty
        Compare-Object @($resultB.Covered | Sort-Object) @($second | Sort-Object) | Should -BeNullOrEmpty

        # They really wrote at the same time: the ledger's lines alternate between the two processes' ids.
        $owner = @{}
        foreach ($id in $first) { $owner[[long]$id] = 'A' }
        foreach ($id in $second) { $owner[[long]$id] = 'B' }
        $sequence = foreach ($line in Get-LedgerLine $session.LedgerPath) {
            if ($line -match '"(?:ids|returnInventoryId)":\[?(\d+)') { $owner[[long]$Matches[1]] }
        }
        $switches = 0
        for ($i = 1; $i -lt $sequence.Count; $i++) { if ($sequence[$i] -ne $sequence[$i - 1]) { $switches++ } }
        $switches | Should -BeGreaterOrEqual 2 -Because 'the two processes appended to the ledger in turns'

        $known = @(Get-RrRecall -Session $session -WarningVariable warned 3>$null)
        $warned | Should -HaveCount 0 -Because 'no line of the ledger is damaged'
        Compare-Object @($known.RecallId | Sort-Object) @(Get-EmulatorRecall $slow | ForEach-Object recallId | Sort-Object) | Should -BeNullOrEmpty
        foreach ($id in @($resultA.RecallIds) + @($resultB.RecallIds)) { $known.RecallId | Should -Contain $id }
        @($known.RecallInventoryList.ReturnInventoryId | Sort-Object) | Should -Be @(@($first) + @($second) | Sort-Object)
    }
}

Describe 'A torn last line' {
    BeforeEach { Reset-Emulator }

    It 'is skipped: Get-RrRecall still answers, and the next New-RrRecall appends after it and is known' {
        $session = Connect-Ledger
        $before = @(New-TestInventory -Count 2) | New-RrRecall
        $path = (Get-RrSession).LedgerPath
        $path | Should -Be $session.LedgerPath
        # What a process killed in the middle of an append leaves: half a line, no newline.
        $line = @(Get-LedgerLine $path | Where-Object { $_ -like '*"e":"created"*' })[0]
        [IO.File]::AppendAllText($path, $line.Substring(0, [int]($line.Length / 2)))

        $known = @(Get-RrRecall -WarningAction SilentlyContinue)
        $known.RecallId | Should -Be @($before.RecallId)

        $ids = New-TestInventory -Count 3
        $after = @($ids | New-RrRecall -ErrorVariable failures -WarningAction SilentlyContinue)
        $failures | Should -HaveCount 0
        $after | Should -HaveCount 1
        @($after.RecallInventoryList.ReturnInventoryId) | Should -Be $ids

        $known = @(Get-RrRecall -WarningVariable warned 3>$null)
        @($known.RecallId | Sort-Object) | Should -Be @(@($before.RecallId, $after.RecallId) | Sort-Object)
        @($warned) | Should -HaveCount 1
        "$($warned[0])" | Should -Match '1 damaged line'
        # The torn half stays one line of its own: the event after it is intact.
        (Get-RrRecall -ReturnInventoryId $ids[0] -WarningAction SilentlyContinue).RecallId | Should -Be $after.RecallId
        @(Get-RrRecall -Pending -WarningAction SilentlyContinue) | Should -HaveCount 0
    }
}

Describe 'Safe reruns' {
    BeforeEach { Reset-Emulator }

    It 'a rerun of the same ids sends nothing and writes the same recalls with AlreadyExisted, one warning, no error' {
        $null = Connect-Ledger
        $ids = New-TestInventory -Count 150
        $first = @($ids | New-RrRecall)
        $first | Should -HaveCount 2
        $first.AlreadyExisted | Should -Not -Contain $true
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'requests'

        $again = @($ids | New-RrRecall -WarningVariable warned -ErrorVariable failures 3>$null)
        Get-ApiCall $CreatePath | Should -HaveCount 0
        $failures | Should -HaveCount 0
        @($warned) | Should -HaveCount 1
        "$($warned[0])" | Should -Match '150 of the given return inventories'
        @($again.RecallId) | Should -Be @($first.RecallId)
        $again.AlreadyExisted | Sort-Object -Unique | Should -Be $true
        @($again.RecallInventoryList.ReturnInventoryId | Sort-Object) | Should -Be @($ids | Sort-Object)
    }

    It '-Force sends them anyway, and the service refuses each id as already in an active recall' {
        $null = Connect-Ledger
        $ids = New-TestInventory -Count 150
        $first = @($ids | New-RrRecall)
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'requests'

        $forced = @($ids | New-RrRecall -Force -ErrorVariable failures -ErrorAction SilentlyContinue -WarningVariable warned 3>$null)
        $forced | Should -HaveCount 0
        Get-ApiCall $CreatePath | Should -HaveCount 2
        $failures | Should -HaveCount 150
        @($failures.TargetObject | Sort-Object) | Should -Be @($ids | Sort-Object)
        foreach ($failure in $failures) {
            $failure.FullyQualifiedErrorId | Should -BeLike 'RrApi.AlreadyRecalled,*'
            $failure.Exception.Message | Should -Match 'already in active recall'
            $failure.Exception.ExistingRecallNumber | Should -BeIn $first.RecallNumber
        }
        $warned | Should -HaveCount 0
        # Still once each, and the ledger still knows where.
        @(Get-ActiveRecalledId | Sort-Object) | Should -Be @($ids | Sort-Object)
        @(Get-RrRecall | ForEach-Object RecallId) | Should -Be @($first.RecallId | Sort-Object)
        @(Get-RrRecall -Pending) | Should -HaveCount 0
    }
}

Describe 'Where the ledger is' {
    BeforeEach { Reset-Emulator }

    It 'is one file per API key and base URI, in -LedgerPath, else RR_LEDGER_PATH' {
        $folder = New-LedgerFolder
        $a = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -LedgerPath $folder -PassThru
        $again = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -LedgerPath $folder -PassThru
        $otherUri = Connect-RrService -BaseUri $slow.UserApiBase -ApiKey $slow.ApiKey -ApiToken $slow.ApiToken -LedgerPath $folder -SkipCredentialCheck -PassThru
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'accounts' -Body @{ apiKey = 'ledger-other-key'; apiToken = 'ledger-other-token' }
        $otherKey = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey 'ledger-other-key' -ApiToken (ConvertTo-SecureString 'ledger-other-token' -AsPlainText -Force) -LedgerPath $folder -PassThru
        Split-Path -Parent $a.LedgerPath | Should -Be ([IO.Path]::GetFullPath($folder))
        $again.LedgerPath | Should -Be $a.LedgerPath
        @($a.LedgerPath, $otherUri.LedgerPath, $otherKey.LedgerPath | Sort-Object -Unique) | Should -HaveCount 3
        foreach ($path in $a.LedgerPath, $otherUri.LedgerPath, $otherKey.LedgerPath) { Split-Path -Leaf $path | Should -Match '^recalls-[0-9a-f]{24}\.jsonl$' }

        # A recall made with one account is in its ledger only.
        $recall = @(New-TestInventory -Count 1) | New-RrRecall -Session $a
        (Get-RrRecall -Session $again).RecallId | Should -Be $recall.RecallId
        Get-RrRecall -Session $otherKey | Should -BeNullOrEmpty
        Get-RrRecall -Session $otherUri | Should -BeNullOrEmpty

        # Without -LedgerPath: RR_LEDGER_PATH (this test process's own folder, see TestHelpers.psm1).
        $env:RR_LEDGER_PATH | Should -Not -BeNullOrEmpty
        $default = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -PassThru
        Split-Path -Parent $default.LedgerPath | Should -Be ([IO.Path]::GetFullPath($env:RR_LEDGER_PATH))
        Split-Path -Leaf $default.LedgerPath | Should -Be (Split-Path -Leaf $a.LedgerPath)
    }
}

Describe '-NoLedger' {
    BeforeEach { Reset-Emulator }

    It 'keeps nothing on disk, and Get-RrRecall says there is no ledger' {
        $saved = $env:RR_LEDGER_PATH
        $folder = New-LedgerFolder
        # RecallLedger is internal to the module: its default folder is read by reflection.
        $default = [ReturnsHelper.RrSession].Assembly.GetType('ReturnsHelper.Ledger.RecallLedger', $true).GetMethod('DefaultFolder').Invoke($null, @())
        $defaultBefore = if (Test-Path -LiteralPath $default) { @(Get-ChildItem -LiteralPath $default -Force | ForEach-Object { "$($_.Name) $($_.Length) $($_.LastWriteTimeUtc.Ticks)" }) } else { @() }
        try {
            $env:RR_LEDGER_PATH = $folder
            $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -NoLedger -PassThru
            $session.LedgerPath | Should -BeNullOrEmpty
            $ids = New-TestInventory -Count 3
            $recall = $ids | New-RrRecall
            $null = $ids | New-RrRecall -ErrorAction SilentlyContinue   # a rerun: sent again, refused by the service
            $cancelled = Stop-RrRecall -RecallId $recall.RecallId
            $cancelled.RecallStatusCode | Should -Be 'canceled'
            Stop-RrRecall -RecallId $recall.RecallNumber -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.FullyQualifiedErrorId | Should -BeLike 'RrRecallNumberUnknown,*'

            { Get-RrRecall } | Should -Throw -ErrorId 'RrNoLedger,*'
            { Get-RrRecall -Pending } | Should -Throw -ErrorId 'RrNoLedger,*'
            { Get-RrRecall -RecallId $recall.RecallId } | Should -Throw -ErrorId 'RrNoLedger,*'
        }
        finally { $env:RR_LEDGER_PATH = $saved }
        Test-Path -LiteralPath $folder | Should -BeFalse
        $defaultAfter = if (Test-Path -LiteralPath $default) { @(Get-ChildItem -LiteralPath $default -Force | ForEach-Object { "$($_.Name) $($_.Length) $($_.LastWriteTimeUtc.Ticks)" }) } else { @() }
        $defaultAfter | Should -Be $defaultBefore
        { Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -NoLedger -LedgerPath $folder } |
            Should -Throw -ErrorId 'RrLedgerConflict,*'
    }
}

Describe 'Stop-RrRecall with recall numbers' {
    BeforeEach { Reset-Emulator }

    It 'cancels the recall a number names, records it, and reports an unknown number per item' {
        $null = Connect-Ledger
        $keep = @(New-TestInventory -Count 2) | New-RrRecall
        $idsToCancel = New-TestInventory -Count 2
        $cancel = $idsToCancel | New-RrRecall
        $unknown = 'RCL000101-9999999'

        $cancelled = @(Stop-RrRecall -RecallId $unknown, $cancel.RecallNumber -ErrorVariable failures -ErrorAction SilentlyContinue)
        $cancelled.RecallId | Should -Be $cancel.RecallId
        $cancelled.RecallStatusCode | Should -Be 'canceled'
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrRecallNumberUnknown,*'
        "$($failures[0].TargetObject)" | Should -Be $unknown

        # The service cancelled that one only.
        $server = Get-EmulatorRecall
        ($server | Where-Object recallId -EQ $cancel.RecallId).recallStatusCode | Should -Be 'canceled'
        ($server | Where-Object recallId -EQ $keep.RecallId).recallStatusCode | Should -Be 'pending'

        # The ledger recorded it.
        (Get-RrRecall -RecallNumber $cancel.RecallNumber).RecallStatusCode | Should -Be 'canceled'
        (Get-RrRecall -RecallNumber $cancel.RecallNumber).LedgerSource | Should -Be 'cancel'
        (Get-RrRecall -RecallNumber $keep.RecallNumber).RecallStatusCode | Should -Be 'pending'
        # So its inventories are no longer "already recalled": a rerun sends them again.
        $again = @($idsToCancel | New-RrRecall -WarningVariable warned 3>$null)
        $warned | Should -HaveCount 0
        $again | Should -HaveCount 1
        $again[0].AlreadyExisted | Should -BeFalse
        $again[0].RecallId | Should -Not -Be $cancel.RecallId
    }
}

Describe 'Webhook journals replayed' {
    BeforeEach {
        Reset-Emulator
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'webhooks'
    }
    AfterEach { $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'webhooks' }

    BeforeAll {
        # The emulator advances a recall -Advances times and sends its real signed recallUpdateStatus events to a
        # receiver in another runspace (no session there, so no ledger) that keeps them in a journal file.
        function Receive-WebhookJournal([long] $RecallId, [int] $Advances) {
            $keyText = [Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes('ledger-test-signing-key-0123456789'))
            $signingKey = ConvertTo-SecureString $keyText -AsPlainText -Force
            $port = Get-RrTestFreePort
            $endpoint = "http://127.0.0.1:$port/hooks/rh"
            $journal = Join-Path $Work "journal-$port.jsonl"
            $receiver = [powershell]::Create()
            $null = $receiver.AddScript({
                    param($modulePath, $port, $key, $endpoint, $journal, $count)
                    Import-Module $modulePath
                    Receive-RrWebhook -Port $port -SigningKey $key -EndpointUri $endpoint -Count $count -Timeout '00:01:00' -Path $journal
                }).AddArgument((Get-RrModulePath)).AddArgument($port).AddArgument($signingKey).AddArgument($endpoint).AddArgument($journal).AddArgument($Advances)
            try {
                $async = $receiver.BeginInvoke()
                Wait-Until {
                    try { (Invoke-WebRequest -Uri $endpoint -SkipHttpErrorCheck -NoProxy -TimeoutSec 5).StatusCode -eq 401 } catch { $false }
                } -What 'the receiver to listen'
                $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks' -Body @{ url = $endpoint; signingKey = $keyText }
                foreach ($i in 1..$Advances) { $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path "recalls/$RecallId/advance" }
                $events = @($receiver.EndInvoke($async))
                $receiver.Streams.Error | Should -HaveCount 0
            }
            finally { $receiver.Dispose() }
            [pscustomobject]@{ Journal = $journal; Endpoint = $endpoint; SigningKey = $signingKey; Events = $events }
        }
    }

    It 'applies recallUpdateStatus records once: the same journal again, or an older event, changes nothing' {
        $session = Connect-Ledger
        $ids = New-TestInventory -Count 2
        $recall = $ids | New-RrRecall
        (Get-RrRecall -RecallId $recall.RecallId).RecallStatusCode | Should -Be 'pending'

        $hook = Receive-WebhookJournal -RecallId $recall.RecallId -Advances 2
        $journal, $endpoint, $signingKey = $hook.Journal, $hook.Endpoint, $hook.SigningKey
        $received = $hook.Events
        $received | Should -HaveCount 2
        @(Get-Content -LiteralPath $journal) | Should -HaveCount 2
        (Get-RrRecall -RecallId $recall.RecallId).RecallStatusCode | Should -Be 'pending' -Because 'the receiver kept no ledger'

        $server = Get-EmulatorRecall | Where-Object recallId -EQ $recall.RecallId
        $server.recallStatusCode | Should -Be 'completed'

        # First application: the ledger follows the service.
        $events = @(ConvertFrom-RrWebhook -Path $journal -SigningKey $signingKey -EndpointUri $endpoint -Session $session)
        $events | Should -HaveCount 2
        $events.UpdateType | Should -Be @('updateTrackingNumber', 'markReadyToPickUp')
        $applied = Get-RrRecall -RecallId $recall.RecallId
        $applied.RecallStatusCode | Should -Be 'completed'
        $applied.LedgerSource | Should -Be 'webhook'
        @($applied.RecallInventoryList.RecallInventoryStatusCode | Sort-Object -Unique) | Should -Be @($server.recallInventoryList.recallInventoryStatusCode | Sort-Object -Unique)
        @($applied.RecallInventoryList.TrackingNumber | Sort-Object) | Should -Be @($server.recallInventoryList.trackingNumber | Sort-Object)
        $snapshot = Get-LedgerSnapshot $session

        # The same journal again: nothing changes.
        $again = @(ConvertFrom-RrWebhook -Path $journal -SigningKey $signingKey -EndpointUri $endpoint -Session $session -WarningVariable warned 3>$null)
        $again | Should -HaveCount 2
        $warned | Should -HaveCount 0
        Get-LedgerSnapshot $session | Should -Be $snapshot

        # The older event alone (a late redelivery, or a journal replayed from its start): nothing changes either.
        $null = Get-Content -LiteralPath $journal -TotalCount 1 | ConvertFrom-RrWebhook -Session $session
        Get-LedgerSnapshot $session | Should -Be $snapshot
        (Get-RrRecall -RecallId $recall.RecallId).RecallStatusCode | Should -Be 'completed'
    }

    It 'keeps a status a webhook reported while the create batch was pending when the batch is resolved later' {
        # The service committed the recall but its answer was lost (no attempt left): the ledger has the batch pending.
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -LedgerPath (New-LedgerFolder) -MaxAttempts 1 -PassThru
        $ids = New-TestInventory -Count 2
        Add-Fault @{ path = $CreatePath; kind = 'drop-after-commit'; count = 1 }
        $null = $ids | New-RrRecall -ErrorAction SilentlyContinue
        @(Get-RrRecall -Pending) | Should -HaveCount 1
        $server = @(Get-EmulatorRecall)
        $server | Should -HaveCount 1

        # Meanwhile the warehouse ships it, and the journal of its webhook is applied (the recall becomes known).
        $hook = Receive-WebhookJournal -RecallId $server[0].recallId -Advances 1
        $null = ConvertFrom-RrWebhook -Path $hook.Journal -SigningKey $hook.SigningKey -EndpointUri $hook.Endpoint -Session $session
        (Get-RrRecall -RecallId $server[0].recallId).RecallStatusCode | Should -Be 'in-progress'

        # The rerun resolves the pending batch: the service replays the answer it gave when the recall was new.
        $null = $ids | New-RrRecall -ErrorVariable failures -WarningAction SilentlyContinue
        $failures | Should -HaveCount 0
        @(Get-RrRecall -Pending) | Should -HaveCount 0
        (Get-EmulatorRecall)[0].recallStatusCode | Should -Be 'in-progress'
        (Get-RrRecall -RecallId $server[0].recallId).RecallStatusCode | Should -Be 'in-progress' -Because 'the webhook event is newer than the replayed create answer'
        # Replaying the journal cannot repair it either once the ledger has seen that event.
        $null = ConvertFrom-RrWebhook -Path $hook.Journal -SigningKey $hook.SigningKey -EndpointUri $hook.Endpoint -Session $session
        (Get-RrRecall -RecallId $server[0].recallId).RecallStatusCode | Should -Be 'in-progress'
    }
}

Describe 'No credential on disk' {
    BeforeEach { Reset-Emulator }

    It 'the API token appears in no file of the ledger folder' {
        $folder = New-LedgerFolder
        $session = Connect-Ledger $folder
        $ids = New-TestInventory -Count 4
        $recall = $ids[0..1] | New-RrRecall
        $null = $ids[0..1] | New-RrRecall -WarningAction SilentlyContinue                  # rerun from the ledger
        $null = $ids[0..1] | New-RrRecall -Force -ErrorAction SilentlyContinue           # refusals recorded
        $null = Stop-RrRecall -RecallId $recall.RecallNumber                             # a cancellation
        $null = $ids[2..3] | New-RrRecall
        # A batch left pending: a 503 and no attempt left, so its outcome is unknown.
        $bad = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -LedgerPath $folder -MaxAttempts 1 -PassThru
        Add-Fault @{ path = $CreatePath; kind = 'status'; status = 503; count = 1 }
        $null = New-TestInventory -Count 1 | New-RrRecall -Session $bad -ErrorAction SilentlyContinue
        @(Get-RrRecall -Pending -Session $session) | Should -HaveCount 1

        $files = @(Get-ChildItem -LiteralPath $folder -Recurse -File -Force)
        $files.Count | Should -BeGreaterThan 0
        (Get-Item -LiteralPath $session.LedgerPath).Length | Should -BeGreaterThan 0
        $token = [Net.NetworkCredential]::new('', $emulator.ApiToken).Password
        $token | Should -Be 'emulator-token'
        # And the other ledgers this file wrote (the kill, Ctrl+C, two-process, webhook tests ...), if any.
        $files += @(Get-ChildItem -LiteralPath $Work -Recurse -File -Force -Filter 'recalls-*')
        foreach ($file in $files) {
            $bytes = [IO.File]::ReadAllBytes($file.FullName)
            foreach ($encoding in [Text.Encoding]::UTF8, [Text.Encoding]::Unicode) {
                $encoding.GetString($bytes).Contains($token) | Should -BeFalse -Because "$($file.Name) must not hold the token ($($encoding.EncodingName))"
            }
            [Text.Encoding]::UTF8.GetString($bytes).Contains([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($token))) | Should -BeFalse
            $file.Name | Should -Not -Match ([regex]::Escape($token))
        }
        # Private on Unix: the folder and the ledger are the user's only.
        if (-not $IsWindows) {
            (Get-Item -LiteralPath $folder).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
            (Get-Item -LiteralPath $session.LedgerPath).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        }
    }
}

Describe 'Get-RrRecall filters' {
    BeforeAll {
        Reset-Emulator
        $script:session = Connect-Ledger
        $script:inv = @(1..3 | ForEach-Object { , @(New-TestInventory -Count 2) })
        $script:r = @(foreach ($set in $inv) { $set | New-RrRecall; Start-Sleep -Milliseconds 50 })
        $null = Stop-RrRecall -RecallId $r[0].RecallId
    }

    It 'finds recalls by number, with wildcards, case-insensitively' {
        @(Get-RrRecall -RecallNumber 'RCL*').RecallId | Should -Be @($r.RecallId)
        @(Get-RrRecall -RecallNumber 'rcl*').RecallId | Should -Be @($r.RecallId)
        $suffix = $r[1].RecallNumber.Substring($r[1].RecallNumber.Length - 8)   # -0000002
        @(Get-RrRecall -RecallNumber "*$suffix").RecallId | Should -Be @($r[1].RecallId)
        @(Get-RrRecall -RecallNumber $r[2].RecallNumber, "*$suffix").RecallId | Should -Be @($r[1].RecallId, $r[2].RecallId)
        Get-RrRecall -RecallNumber 'XYZ*' | Should -BeNullOrEmpty
        $none = Get-RrRecall -RecallNumber 'RCL000101-9999999' -ErrorVariable failures -ErrorAction SilentlyContinue
        $none | Should -BeNullOrEmpty
        $failures.FullyQualifiedErrorId | Should -BeLike 'RrRecallNotInLedger,*'
    }

    It 'filters by status, with wildcards' {
        @(Get-RrRecall -Status canceled).RecallId | Should -Be @($r[0].RecallId)
        @(Get-RrRecall -Status 'pend*').RecallId | Should -Be @($r[1].RecallId, $r[2].RecallId)
        @(Get-RrRecall -Status 'CANCELED', 'pending').RecallId | Should -Be @($r.RecallId)
        Get-RrRecall -Status 'completed' | Should -BeNullOrEmpty
    }

    It 'finds the recalls of return inventories read from a CSV, and reports the ones it does not know' {
        $csv = Join-Path $Work "ids-$([guid]::NewGuid().ToString('N').Substring(0, 8)).csv"
        @($inv[1][0], $inv[2][1], $inv[2][0], 987654321) | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_; Note = 'x' } } |
            Export-Csv -LiteralPath $csv -NoTypeInformation
        $found = @(Import-Csv -LiteralPath $csv | Get-RrRecall -ErrorVariable failures -ErrorAction SilentlyContinue)
        @($found.RecallId) | Should -Be @($r[1].RecallId, $r[2].RecallId)
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrRecallNotInLedger,*'
        $failures[0].TargetObject.ReturnInventoryId | Should -Be 987654321 # the CSV row itself
        # With a status filter too, and the cancelled recall's inventories as plain numbers.
        @(Import-Csv -LiteralPath $csv | Get-RrRecall -Status pending -ErrorAction SilentlyContinue).RecallId | Should -Be @($r[1].RecallId, $r[2].RecallId)
        @($inv[0] | Get-RrRecall).RecallId | Should -Be @($r[0].RecallId)
    }

    It 'filters by creation time' {
        @(Get-RrRecall -CreatedAfter $r[1].CreateOn).RecallId | Should -Be @($r[1].RecallId, $r[2].RecallId)
        @(Get-RrRecall -CreatedAfter $r[1].CreateOn.ToLocalTime()).RecallId | Should -Be @($r[1].RecallId, $r[2].RecallId)
        @(Get-RrRecall -CreatedAfter $r[2].CreateOn.AddTicks(1)) | Should -BeNullOrEmpty
        @(Get-RrRecall -CreatedAfter ([datetime]::UtcNow.AddDays(-1))).RecallId | Should -Be @($r.RecallId)
        @(Get-RrRecall -CreatedAfter $r[1].CreateOn -Status pending).RecallId | Should -Be @($r[1].RecallId, $r[2].RecallId)
    }
}
