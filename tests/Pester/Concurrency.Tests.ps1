# The concurrency engine seen from the cmdlets: whole batches whatever the timing (against an emulator with network
# latency), -WhatIf batch counts, -MaxWait for event streams, input-order output, -ThrottleLimit, progress,
# Ctrl+C with requests in flight, retries of timed-out attempts, and exactly-once under concurrent faults.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/../../src/Build/BuildTools.psm1"   # Get-PwshLauncher
    Import-RrTestModule | Out-Null
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0'
    # The service as users see it: 300 ms away.
    $script:far = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0', '--latency-ms', '300'

    function Reset-Emulator($Target = $emulator) { Reset-RrTestEmulator $Target }
    function New-TestInventory([int] $Count = 1, [hashtable] $With = @{}, $Target = $emulator) { New-RrTestInventory -Emulator $Target -Count $Count -With $With }
    function Get-ApiCall([string] $PathLike, $Target = $emulator) { Get-RrTestApiCall -Emulator $Target -PathLike $PathLike }
    function Add-Fault([hashtable] $Fault, $Target = $emulator) { Add-RrTestFault -Emulator $Target -Fault $Fault }

    # Active (not cancelled) recall inventories in the emulator.
    function Get-ActiveRecalledId($Target = $emulator) { Get-RrTestActiveRecalledId -Emulator $Target }

    # Runs a script in a fresh pwsh connected to $Target and returns its output lines (-WhatIf text goes to the host,
    # which only a child process's stdout shows).
    function Invoke-Child([string] $Script, $Target) {
        $launcher = Get-PwshLauncher
        $prelude = "Import-Module '$(Get-RrModulePath)'; " +
        "Connect-RrService -BaseUri '$($Target.UserApiBase)' -ApiKey '$($Target.ApiKey)' -ApiToken (ConvertTo-SecureString 'emulator-token' -AsPlainText -Force); "
        $output = & $launcher.FilePath @($launcher.Arguments) -NoProfile -NonInteractive -Command ($prelude + $Script) 2>&1
        if ($LASTEXITCODE -ne 0) { throw "The child pwsh failed ($LASTEXITCODE): $($output -join "`n")" }
        @($output | ForEach-Object { "$_" })
    }

    # A PowerShell instance (another runspace of this process, so its streams and Stop() can be watched) that imports
    # the module, connects to $Target and runs $Script with $Ids.
    function New-ModuleInstance([scriptblock] $Script, $Target, $Ids) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($modulePath, $base, $key, $token)
                Import-Module $modulePath
                Connect-RrService -BaseUri $base -ApiKey $key -ApiToken $token
            }).AddArgument((Get-RrModulePath)).AddArgument($Target.UserApiBase).AddArgument($Target.ApiKey).AddArgument($Target.ApiToken)
        $null = $ps.AddStatement().AddScript($Script).AddArgument($Ids)
        $ps
    }

    # Runs $Ids through New-RrRecall while $Faults hit the create endpoint, then checks exactly-once: every id in
    # exactly one active recall, every input id in the output or an error, output in input order, $Batches logical
    # writes, and the faults really happened (retries that reused their keys, replays of committed writes).
    function Assert-ExactlyOnceUnderFaults([long[]] $Ids, [hashtable[]] $Faults, [int] $Throttle, [int] $Batches) {
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -MaxAttempts 10 -MaxRetrySeconds 120 -PassThru
        $path = 'Recall/createRecallByReturnInventoryId'
        foreach ($fault in $Faults) { $fault.path = $path; Add-Fault $fault }
        $recalls = @($Ids | New-RrRecall -Session $session -ThrottleLimit $Throttle -ErrorVariable failures -ErrorAction SilentlyContinue)
        $failures | Should -HaveCount 0

        $active = @(Get-ActiveRecalledId)
        $active | Should -HaveCount $Ids.Count
        @($active | Sort-Object -Unique) | Should -HaveCount $Ids.Count
        Compare-Object ($active | Sort-Object) ($Ids | Sort-Object) | Should -BeNullOrEmpty

        $reported = @($recalls.RecallInventoryList.ReturnInventoryId) + @($failures.TargetObject)
        Compare-Object ($reported | Sort-Object -Unique) ($Ids | Sort-Object) | Should -BeNullOrEmpty
        @($recalls.RecallInventoryList.ReturnInventoryId) | Should -Be $Ids

        $calls = Get-ApiCall $path
        @($calls | ForEach-Object idempotencyKey | Select-Object -Unique) | Should -HaveCount $Batches
        $calls.Count | Should -BeGreaterThan $Batches
        @($calls | Group-Object idempotencyKey | Where-Object Count -gt 1).Count | Should -BeGreaterThan 0
        @($calls | Where-Object replayed).Count | Should -BeGreaterThan 0
    }

    Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
    $script:farSession = Connect-RrService -BaseUri $far.UserApiBase -ApiKey $far.ApiKey -ApiToken $far.ApiToken -PassThru
    Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
    Stop-RrTestEmulator $far
}

Describe 'Whole batches, whatever the timing' {
    BeforeEach { Reset-Emulator $far }

    It 'a listing 300 ms away piped into New-RrRecall makes exactly ceil(N / 100) create calls' {
        $created = [datetime]::UtcNow.AddHours(-1).ToString('o')
        $ids = New-TestInventory -Count 250 -With @{ createOn = $created } -Target $far
        $recalls = Get-RrInventory -Session $farSession -CreatedAfter ([datetime]::UtcNow.AddDays(-1)) -PageSize 50 |
            New-RrRecall -Session $farSession
        @(Get-ApiCall 'Recall/createRecallByReturnInventoryId' $far) | Should -HaveCount 3
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
    }

    It 'a pause in the input does not split a batch without -MaxWait' {
        $ids = New-TestInventory -Count 3 -Target $far
        $recalls = & { $ids[0]; Start-Sleep -Milliseconds 700; $ids[1]; Start-Sleep -Milliseconds 700; $ids[2] } | New-RrRecall -Session $farSession
        @(Get-ApiCall 'Recall/createRecallByReturnInventoryId' $far) | Should -HaveCount 1
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
    }

    It '-WhatIf previews exactly ceil(N / 100) batches of a listing 300 ms away, and sends nothing' {
        $created = [datetime]::UtcNow.AddHours(-1).ToString('o')
        $null = New-TestInventory -Count 250 -With @{ createOn = $created } -Target $far
        $lines = Invoke-Child -Target $far -Script 'Get-RrInventory -CreatedAfter ([datetime]::UtcNow.AddDays(-1)) -PageSize 50 | New-RrRecall -WhatIf'
        $whatIf = @($lines | Where-Object { $_ -like 'What if:*Create recall*' })
        $whatIf | Should -HaveCount 3
        $whatIf[0] | Should -Match '100 return inventories'
        $whatIf[2] | Should -Match '50 return inventories'
        Get-ApiCall 'Recall/createRecallByReturnInventoryId' $far | Should -HaveCount 0
    }
}

Describe '-MaxWait for event streams' {
    BeforeEach { Reset-Emulator }

    It 'recalls an input that follows a quiet spell and writes it before the next input is read' {
        $ids = New-TestInventory -Count 3
        $callsAtOutput = [Collections.Generic.List[int]]::new()
        $ids | ForEach-Object { Start-Sleep -Milliseconds 400; $_ } | New-RrRecall -MaxWait 00:00:00.3 |
            ForEach-Object { $callsAtOutput.Add(@(Get-ApiCall 'Recall/createRecallByReturnInventoryId').Count) }
        @($callsAtOutput) | Should -Be @(1, 2, 3)
    }

    It 'sends ids buffered when the input goes quiet within -MaxWait, and writes them at the end' {
        $ids = New-TestInventory -Count 2
        $probe = @{}
        $recalls = & { $ids[0]; $ids[1]; Start-Sleep -Milliseconds 1500; $probe.Recalled = @(Get-ActiveRecalledId) } | New-RrRecall -MaxWait 00:00:00.3
        @($probe.Recalled) | Sort-Object | Should -Be ($ids | Sort-Object)
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
        @(Get-ApiCall 'Recall/createRecallByReturnInventoryId') | Should -HaveCount 1
    }

    It 'refuses -MaxWait <Value>' -ForEach @(@{ Value = '00:00:00' }, @{ Value = '02:00:00' }) {
        { 1 | New-RrRecall -MaxWait $Value -ErrorAction Stop } | Should -Throw -ErrorId 'RrInvalidMaxWait,*'
    }
}

Describe 'Input order and -ThrottleLimit' {
    BeforeEach { Reset-Emulator }

    It 'Get-RrInventory by ID writes in input order while a slow first answer lets the others overtake' {
        $ids = @(New-TestInventory -Count 8) | Sort-Object -Descending
        Add-Fault @{ path = 'ReturnInventory/GetReturnInventory'; kind = 'delay'; delayMs = 1500; count = 1 }
        $result = @($ids | Get-RrInventory)
        $result.ReturnInventoryId | Should -Be $ids
        # Concurrency really happened: the delayed request (one of the first -ThrottleLimit sent, whichever reached the
        # emulator first) was answered after later ones, so the answers came in another order than the input.
        $answered = @(Get-ApiCall 'ReturnInventory/GetReturnInventory' | ForEach-Object { [long]($_.query -replace '.*=', '') })
        ($answered -join ',') | Should -Not -Be ($ids -join ',')
    }

    It '-ThrottleLimit 1 is strictly sequential' {
        $ids = @(New-TestInventory -Count 4)
        Add-Fault @{ path = 'ReturnInventory/GetReturnInventory'; kind = 'delay'; delayMs = 600; count = 1 }
        $result = @($ids | Get-RrInventory -ThrottleLimit 1)
        $result.ReturnInventoryId | Should -Be $ids
        $answered = @(Get-ApiCall 'ReturnInventory/GetReturnInventory' | ForEach-Object { [long]($_.query -replace '.*=', '') })
        $answered | Should -Be $ids
    }

    It 'New-RrRecall sends up to -ThrottleLimit batches at once and writes the recalls in batch order' {
        $ids = @(New-TestInventory -Count 40)
        Add-Fault @{ path = 'Recall/createRecallByReturnInventoryId'; kind = 'delay'; delayMs = 1500; count = 4 }
        $recalls = @($ids | New-RrRecall -BatchSize 10)
        $recalls | Should -HaveCount 4
        for ($i = 0; $i -lt 4; $i++) { @($recalls[$i].RecallInventoryList.ReturnInventoryId) | Should -Be $ids[($i * 10)..($i * 10 + 9)] }
        # Each batch was held 1.5 s by the emulator; all four arrived before the first of them was answered.
        $arrived = @(Get-ApiCall 'Recall/createRecallByReturnInventoryId' | ForEach-Object { [datetime]$_.time } | Sort-Object)
        $arrived | Should -HaveCount 4
        ($arrived[-1] - $arrived[0]).TotalMilliseconds | Should -BeLessThan 1500
    }

    It 'Set-RrInventoryHandling -PassThru writes in input order and sends each id once' {
        $ids = @(New-TestInventory -Count 6)
        Add-Fault @{ path = 'ReturnInventory/UpdateReturnInventoryHandling'; kind = 'delay'; delayMs = 1000; count = 1 }
        $result = @($ids | Set-RrInventoryHandling -HandlingCode ohd -PassThru)
        $result.ReturnInventoryId | Should -Be $ids
        $result.HandlingCode | Sort-Object -Unique | Should -Be 'ohd'
        Get-ApiCall 'ReturnInventory/UpdateReturnInventoryHandling' | Should -HaveCount 6
    }

    It 'Undo-RrInventoryHandling reports refusals per item, in input order' {
        $ids = @(New-TestInventory -Count 4 -With @{ handlingCode = 'dis' })
        $bad = @(New-TestInventory -Count 1)[0]   # tbc: nothing to undo
        $null = @($ids[0], $bad, $ids[1], $ids[2], $ids[3]) | Undo-RrInventoryHandling -ErrorVariable failures -ErrorAction SilentlyContinue
        @($failures.TargetObject) | Should -Be @($bad)
        Get-ApiCall 'ReturnInventory/CancelReturnInventoryHandling' | Should -HaveCount 5
    }

    It 'Connect-RrService -ThrottleLimit sets the session default and the cmdlet parameter overrides it' {
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -ThrottleLimit 1 -PassThru
        try {
            $session.ThrottleLimit | Should -Be 1
            $ids = @(New-TestInventory -Count 3)
            Add-Fault @{ path = 'ReturnInventory/GetReturnInventory'; kind = 'delay'; delayMs = 600; count = 1 }
            $null = $ids | Get-RrInventory
            @(Get-ApiCall 'ReturnInventory/GetReturnInventory' | ForEach-Object { [long]($_.query -replace '.*=', '') }) | Should -Be $ids
        }
        finally {
            Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
        }
        (Get-RrSession).ThrottleLimit | Should -Be 4
        { Get-RrInventory -ReturnInventoryId 1 -ThrottleLimit 17 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'lists the pages of a window concurrently once its size is known, and writes them in creation order' {
        $t0 = [datetime]::SpecifyKind([datetime]::UtcNow.Date.AddDays(-700), 'Utc')
        # 12 records in the first window (6 pages of 2), 2 in each later one.
        $items = @(foreach ($m in 1..12) { @{ createOn = $t0.AddMinutes($m).ToString('o') } }) +
        @(foreach ($day in 70, 140, 190) { foreach ($m in 1..2) { @{ createOn = $t0.AddDays($day).AddMinutes($m).ToString('o') } } })
        $created = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'inventories' -Body @($items)
        # The first page answers at once (it tells the window's size); the next four are each held 1.5 s.
        Add-Fault @{ path = 'ReturnInventory/list'; kind = 'delay'; delayMs = 0; count = 1 }
        Add-Fault @{ path = 'ReturnInventory/list'; kind = 'delay'; delayMs = 1500; count = 4 }
        $listed = @(Get-RrInventory -CreatedAfter $t0 -CreatedBefore $t0.AddDays(200) -PageSize 2)
        $listed.ReturnInventoryId | Should -Be @($created.returnInventoryId)
        $calls = @(Get-ApiCall 'ReturnInventory/list')
        $calls | Should -HaveCount 9   # 6 pages in the first window, 1 in each of the others
        # Four requests were held 1.5 s each and all four arrived within less than that: they were in flight together.
        $delayed = @($calls | Where-Object { $_.fault -eq 'delay' } | ForEach-Object { [datetime]$_.time } | Sort-Object)
        $delayed.Count | Should -Be 5
        ($delayed[4] - $delayed[1]).TotalMilliseconds | Should -BeLessThan 1500
    }
}

Describe 'Progress for one request per item' {
    BeforeEach { Reset-Emulator $far }

    It 'Set-RrInventoryHandling shows how many of the given inventories are done' {
        $ids = @(New-TestInventory -Count 8 -Target $far)
        $ps = New-ModuleInstance -Target $far -Ids $ids -Script { param($ids) Set-RrInventoryHandling -ReturnInventoryId $ids -HandlingCode ohd -ThrottleLimit 2 }
        try {
            $null = $ps.Invoke()
            $ps.Streams.Error | Should -HaveCount 0
            $records = @($ps.Streams.Progress | Where-Object RecordType -eq 'Processing')
            $records.Count | Should -BeGreaterThan 0
            $records[-1].StatusDescription | Should -Match '^\d+ of 8 return inventories done$'
            @($ps.Streams.Progress | Where-Object RecordType -eq 'Completed') | Should -HaveCount 1
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Ctrl+C with requests in flight' {
    BeforeEach { Reset-Emulator }

    It 'cancels every request in flight at once' {
        $ids = New-TestInventory -Count 40
        Add-Fault @{ path = 'Recall/createRecallByReturnInventoryId'; kind = 'delay'; delayMs = 20000; count = 4 }
        $ps = New-ModuleInstance -Target $emulator -Ids $ids -Script { param($ids) $ids | New-RrRecall -BatchSize 10 -ThrottleLimit 4 }
        $async = $null
        try {
            $async = $ps.BeginInvoke()
            # The emulator takes a fault when a request arrives (and logs the request when it ends): all four taken = four in flight.
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while (@(Invoke-RrEmulatorControl -Emulator $emulator -Path 'faults').Count -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'faults') | Should -HaveCount 0
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            # Four requests are held for 20 s each; stopping waits for none of them.
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
            # Each of the four was abandoned by the client (status 0: no answer), none answered.
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (@(Get-ApiCall 'Recall/createRecallByReturnInventoryId').Count -lt 4 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $calls = @(Get-ApiCall 'Recall/createRecallByReturnInventoryId')
            $calls | Should -HaveCount 4
            $calls.status | Sort-Object -Unique | Should -Be 0
            Get-ActiveRecalledId | Should -BeNullOrEmpty
        }
        finally {
            # The invocation ends on a worker thread after Stop returns: wait for it before disposing its runspace.
            if ($async) { $null = $async.AsyncWaitHandle.WaitOne(20000) }
            $ps.Dispose()
        }
    }
}

Describe 'Retries that fire' {
    BeforeEach { Reset-Emulator }

    It 'keeps the attempt timeout well below the retry time by default' {
        $session = Get-RrSession
        $session.RequestTimeout.TotalSeconds | Should -Be 20
        $session.MaxRetryTime.TotalSeconds | Should -Be 60
    }

    It 'retries a timed-out <What> at the default ratio of attempt timeout to retry time, and says so' -ForEach @(
        @{ What = 'read'; Path = 'ReturnInventory/GetReturnInventory' },
        @{ What = 'write'; Path = 'Recall/createRecallByReturnInventoryId' }
    ) {
        # 2 s per attempt within 6 s: the default 20 s within 60 s, scaled down.
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -RequestTimeoutSeconds 2 -MaxRetrySeconds 6 -PassThru
        try {
            $ids = New-TestInventory -Count 1
            Add-Fault @{ path = $Path; kind = 'delay'; delayMs = 3000; count = 1 }
            $verbose = if ($What -eq 'read') { Get-RrInventory -ReturnInventoryId $ids[0] -Session $session -Verbose 4>&1 } else { New-RrRecall -ReturnInventoryId $ids[0] -Session $session -Verbose 4>&1 }
            $objects = @($verbose | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] })
            $lines = @($verbose | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $objects | Should -HaveCount 1
            ($lines -join "`n") | Should -Match 'no answer within 2 s'
            ($lines -join "`n") | Should -Match 'retrying in'
            $calls = @(Get-ApiCall $Path)
            $calls.Count | Should -BeGreaterOrEqual 2
            if ($What -eq 'write') {
                @($calls.idempotencyKey | Select-Object -Unique) | Should -HaveCount 1
                @(Get-ActiveRecalledId) | Should -Be $ids
            }
        }
        finally {
            Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
        }
    }

    It 'warns when the attempt timeout leaves no room for a retry' {
        $null = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -RequestTimeoutSeconds 60 -MaxRetrySeconds 60 -PassThru -WarningVariable warned 3>$null
        "$warned" | Should -Match 'will not be retried'
        Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
    }
}

Describe 'Exactly once under faults' {
    BeforeEach { Reset-Emulator }

    It 'recalls 1,000 ids exactly once at -ThrottleLimit <Throttle> through 503s, 429s, dropped connections and commits followed by a drop' -ForEach @(@{ Throttle = 1 }, @{ Throttle = 4 }) {
        $ids = @(New-TestInventory -Count 1000)
        # Each fault is followed by a pass-through (a 0 ms delay), so that at -ThrottleLimit 1 they spread over several
        # batches instead of all landing on the first batch's retries.
        $pass = @{ kind = 'delay'; delayMs = 0; count = 1 }
        Assert-ExactlyOnceUnderFaults -Ids $ids -Throttle $Throttle -Batches 10 -Faults @(
            @{ kind = 'status'; status = 503; count = 2 }, $pass.Clone(),
            @{ kind = 'drop-after-commit'; count = 2 }, $pass.Clone(),
            @{ kind = 'status'; status = 429; retryAfterSeconds = 1; count = 1 }, $pass.Clone(),
            @{ kind = 'drop-before'; count = 2 }, $pass.Clone(),
            @{ kind = 'drop-after-commit'; count = 1 }, $pass.Clone(),
            @{ kind = 'status'; status = 502; count = 1 })
    }

    It 'recalls 5,000 ids exactly once at -ThrottleLimit 8 while faults hit several batches at once' {
        $ids = @(New-TestInventory -Count 5000)
        # Used by consecutive requests in this order: with 8 in flight, each kind lands on several batches at once.
        Assert-ExactlyOnceUnderFaults -Ids $ids -Throttle 8 -Batches 50 -Faults @(
            @{ kind = 'status'; status = 503; count = 4 },
            @{ kind = 'drop-after-commit'; count = 3 },
            @{ kind = 'status'; status = 429; retryAfterSeconds = 1; count = 3 },
            @{ kind = 'drop-before'; count = 3 },
            @{ kind = 'delay'; delayMs = 400; count = 4 },
            @{ kind = 'drop-after-commit'; count = 3 },
            @{ kind = 'status'; status = 502; count = 2 },
            @{ kind = 'status'; status = 504; count = 2 })
    }
}
