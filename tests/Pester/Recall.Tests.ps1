# New-RrRecall and Stop-RrRecall against the emulator: binding, batching, typed output, per-item errors,
# partial-success resubmission, bad input, -WhatIf and cancellation. The exactly-once fault tests are in
# Concurrency.Tests.ps1.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0'

    function Reset-Emulator {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 0 }   # no seeded recalls: every recall seen is the test's own
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'requests'
    }

    # Adds inventories through the control surface and returns their ids.
    function New-TestInventory([int] $Count = 1, [hashtable] $With = @{}) {
        $items = foreach ($i in 1..$Count) {
            $item = @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 }
            foreach ($key in $With.Keys) { $item[$key] = $With[$key] }
            $item
        }
        $created = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'inventories' -Body @($items)
        @($created | ForEach-Object returnInventoryId)
    }

    function Get-CreateCalls {
        @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'requests' | Where-Object path -like '*Recall/createRecallByReturnInventoryId')
    }

    function Get-EmulatorRecall { @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'recalls') }

    Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'New-RrRecall input binding' {
    BeforeEach { Reset-Emulator }

    It 'binds CSV column <Column>' -ForEach @(
        @{ Column = 'ReturnInventoryId' }, @{ Column = 'Id' }, @{ Column = 'InventoryId' },
        @{ Column = 'ReturnInventory' }, @{ Column = 'returnInventoryId' }
    ) {
        $ids = New-TestInventory -Count 3
        $csv = Join-Path $TestDrive "ids-$Column.csv"
        $ids | ForEach-Object { [pscustomobject]@{ $Column = $_; Note = 'x' } } | Export-Csv -LiteralPath $csv -NoTypeInformation
        $recalls = Import-Csv -LiteralPath $csv | New-RrRecall
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
    }

    It 'binds numbers from the pipeline' {
        $ids = New-TestInventory -Count 2
        $recalls = $ids | New-RrRecall
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
    }

    It 'binds the lines of a text file given as a parameter, ignoring surrounding spaces' {
        $ids = New-TestInventory -Count 3
        $file = Join-Path $TestDrive 'ids.txt'
        $ids | ForEach-Object { "  $_ " } | Set-Content -LiteralPath $file
        $recalls = New-RrRecall -ReturnInventoryId (Get-Content -LiteralPath $file)
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
    }

    It 'makes no call for an empty pipeline' {
        @() | New-RrRecall
        Get-CreateCalls | Should -HaveCount 0
    }
}

Describe 'New-RrRecall batching and output' {
    BeforeEach { Reset-Emulator }

    It 'sends 250 ids in exactly 3 create calls and recalls all of them' {
        $ids = New-TestInventory -Count 250
        $recalls = $ids | New-RrRecall
        Get-CreateCalls | Should -HaveCount 3
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
        @(Get-CreateCalls | ForEach-Object idempotencyKey | Select-Object -Unique) | Should -HaveCount 3
    }

    It 'honours -BatchSize' {
        $ids = New-TestInventory -Count 5
        $null = $ids | New-RrRecall -BatchSize 2
        Get-CreateCalls | Should -HaveCount 3
    }

    It 'writes typed recalls with PascalCase wire fields, one per warehouse' {
        $ids = @(New-TestInventory -Count 2 -With @{ warehouseId = 2 }) + @(New-TestInventory -Count 1 -With @{ warehouseId = 1034 })
        $recalls = @($ids | New-RrRecall)
        $recalls | Should -HaveCount 2
        $recalls[0] | Should -BeOfType ([ReturnsHelper.Recall])
        $recalls[0].RecallInventoryList[0] | Should -BeOfType ([ReturnsHelper.RecallInventory])
        @($recalls.WarehouseId) | Sort-Object | Should -Be @(2, 1034)
        foreach ($recall in $recalls) {
            $recall.RecallId | Should -BeGreaterThan 0
            $recall.RecallNumber | Should -Match '^RCL\d{6}-\d{7}$'
            $recall.RecallStatusCode | Should -Be 'pending'
            $recall.Environment | Should -Be 'Custom'
            $recall.RecallInventoryList.RecallInventoryStatusCode | Should -Not -Contain $null
        }
        ($recalls | Format-Table | Out-String) | Should -Match 'RecallNumber'
    }

    # The emulator logs a call after answering it, so at the first output the log may still miss the call just
    # answered: only the upper bound (calls sent so far) is exact, and it is what these tests are about.
    It 'with -ThrottleLimit 1, writes each batch''s recalls before the next batch is sent' {
        $ids = New-TestInventory -Count 4
        $callsSeenAtFirstOutput = $null
        $ids | New-RrRecall -BatchSize 2 -ThrottleLimit 1 | ForEach-Object {
            if ($null -eq $callsSeenAtFirstOutput) { $callsSeenAtFirstOutput = (Get-CreateCalls).Count }
        }
        $callsSeenAtFirstOutput | Should -BeLessOrEqual 1
        Get-CreateCalls | Should -HaveCount 2
    }

    It 'streams: the first recall is written while at most -ThrottleLimit batches were sent' {
        $ids = New-TestInventory -Count 200
        $callsSeenAtFirstOutput = $null
        $ids | New-RrRecall -BatchSize 10 | ForEach-Object {
            if ($null -eq $callsSeenAtFirstOutput) { $callsSeenAtFirstOutput = (Get-CreateCalls).Count }
        }
        $callsSeenAtFirstOutput | Should -Not -BeNullOrEmpty -Because 'recalls were written'
        $callsSeenAtFirstOutput | Should -BeLessOrEqual 4
        Get-CreateCalls | Should -HaveCount 20
    }

    It 'works when the service puts the list under data and uses the nested 2022 recall shape' {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'config' -Body @{ payloadPlacement = 'data'; recallShape = 'nested' }
        $ids = New-TestInventory -Count 2
        $recalls = @($ids | New-RrRecall)
        $recalls | Should -HaveCount 1
        $recalls[0].RecallNumber | Should -Match '^RCL'
        @($recalls[0].RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
    }
}

Describe 'New-RrRecall errors' {
    BeforeEach { Reset-Emulator }

    It 'reports each ineligible id as its own error and resubmits the rest' {
        $good = New-TestInventory -Count 3
        $disposed = New-TestInventory -Count 1 -With @{ handlingCode = 'dis' }
        $vas = New-TestInventory -Count 1 -With @{ pendingVas = $true }
        $mixed = @($good[0], 987654321, $disposed[0], $good[1], $vas[0], $good[2])
        $recalls = $mixed | New-RrRecall -ErrorVariable failures -ErrorAction SilentlyContinue
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($good | Sort-Object)
        $failures | Should -HaveCount 3
        @($failures.TargetObject) | Sort-Object | Should -Be (@(987654321, $disposed[0], $vas[0]) | Sort-Object)
        $expected = @{ '987654321' = 'NotFound', 'ObjectNotFound'; "$($disposed[0])" = 'NotEligible', 'InvalidOperation'; "$($vas[0])" = 'PendingVas', 'ResourceBusy' }
        foreach ($failure in $failures) {
            $reason, $category = $expected["$($failure.TargetObject)"]
            $failure.FullyQualifiedErrorId | Should -BeLike "RrApi.$reason,*"
            $failure.CategoryInfo.Category | Should -Be $category
            $failure.Exception.Reason | Should -Be $reason
            $failure.Exception.ItemId | Should -Be $failure.TargetObject
            $failure.Exception.ErrorCode | Should -Be 'VALIDATION_FAILED'
            $failure.Exception.CorrelationId | Should -Not -BeNullOrEmpty
            @($failure.Exception.Errors.Keys) | Should -HaveCount 1 # the service's entry about this id
            $failure.Exception.Message | Should -Match ([string]$failure.TargetObject)
            $failure.Exception.Message | Should -Not -Match 'VALIDATION_FAILED|correlation' # one sentence; the rest are properties
        }
        $calls = Get-CreateCalls
        $calls | Should -HaveCount 2
        $calls[0].idempotencyKey | Should -Not -Be $calls[1].idempotencyKey
    }

    It 'treats an id of another account as not found' {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'accounts' -Body @{ apiKey = 'other-key'; apiToken = 'other-token' }
        $foreign = New-TestInventory -Count 1 -With @{ apiKey = 'other-key' }
        $recalls = $foreign | New-RrRecall -ErrorVariable failures -ErrorAction SilentlyContinue
        $recalls | Should -BeNullOrEmpty
        $failures | Should -HaveCount 1
        $failures[0].TargetObject | Should -Be $foreign[0]
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses an id that is already in an active recall (sent with -Force past the ledger)' {
        $ids = New-TestInventory -Count 1
        $null = $ids | New-RrRecall
        $again = $ids | New-RrRecall -Force -ErrorVariable failures -ErrorAction SilentlyContinue
        $again | Should -BeNullOrEmpty
        $failures[0].Exception.Message | Should -Match 'active recall'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.AlreadyRecalled,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $failures[0].Exception.ExistingRecallNumber | Should -Be (Get-RrRecall -ReturnInventoryId $ids).RecallNumber
    }

    It 'recalls a repeated id once and warns' {
        $ids = New-TestInventory -Count 2
        $recalls = @($ids[0], $ids[1], $ids[0]) | New-RrRecall -WarningVariable warnings 3>$null
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -Match "$($ids[0])"
    }

    It 'reports bad input per item, never sends it, and still recalls the good items' {
        $good = New-TestInventory -Count 2
        # The first record has an id column (with a bad value), so a later record without one is a per-item error.
        $bad = @(0, -5, 'abc', '99999999999999999999', '', '   ', $null, 1.5, [pscustomobject]@{ Id = '' }, [pscustomobject]@{ Name = 'no id column' })
        $mixed = @($good[0]) + $bad + @($good[1])
        $recalls = $mixed | New-RrRecall -ErrorVariable failures -ErrorAction SilentlyContinue
        @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($good | Sort-Object)
        $failures | Should -HaveCount $bad.Count
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'RrInvalidInput,*' }
        $failures | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'InvalidArgument' }
        ($failures | Where-Object { $_.TargetObject -eq 'abc' }).Exception.Message | Should -Match 'not a whole number'
        ($failures | Where-Object { "$($_.TargetObject)" -eq '99999999999999999999' }).Exception.Message | Should -Match 'out of range'
        Get-CreateCalls | Should -HaveCount 1
    }

    It 'sends nothing with -WhatIf' {
        $ids = New-TestInventory -Count 120
        $recalls = $ids | New-RrRecall -WhatIf
        $recalls | Should -BeNullOrEmpty
        Get-CreateCalls | Should -HaveCount 0
        Get-EmulatorRecall | Should -HaveCount 0
    }

    It 'turns a batch that still fails after retries into one error per id and goes on with the next batch' {
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -MaxAttempts 2 -PassThru
        try {
            $ids = New-TestInventory -Count 4
            $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'faults' -Body @{ path = 'Recall/createRecallByReturnInventoryId'; kind = 'status'; status = 503; retryAfterSeconds = 0; count = 2 }
            # One batch at a time, so that both injected 503s hit the first batch.
            $recalls = $ids | New-RrRecall -BatchSize 2 -ThrottleLimit 1 -Session $session -ErrorVariable failures -ErrorAction SilentlyContinue
            @($failures.TargetObject) | Sort-Object | Should -Be ($ids[0..1] | Sort-Object)
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.*'
            @($recalls.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids[2..3] | Sort-Object)
        }
        finally {
            Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
        }
    }

    It 'stops with a terminating error when the credentials are rejected' {
        $bad = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken (ConvertTo-SecureString 'wrong' -AsPlainText -Force) -SkipCredentialCheck -PassThru
        $ids = New-TestInventory -Count 1
        { $ids | New-RrRecall -Session $bad -ErrorAction Stop } | Should -Throw -ErrorId 'RrApi.*Unauthorized*'
        Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
    }

    It 'stops at once on Ctrl+C while a request is in flight' {
        $ids = New-TestInventory -Count 1
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'faults' -Body @{ path = 'Recall/createRecallByReturnInventoryId'; kind = 'delay'; delayMs = 20000; count = 1 }
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($modulePath, $base, $key, $token, $ids)
                Import-Module $modulePath
                Connect-RrService -BaseUri $base -ApiKey $key -ApiToken $token
                $ids | New-RrRecall
            }).AddArgument((Get-RrModulePath)).AddArgument($emulator.UserApiBase).AddArgument($emulator.ApiKey).AddArgument($emulator.ApiToken).AddArgument($ids)
        $async = $ps.BeginInvoke()
        # The emulator takes the fault when the request arrives (it logs requests when they end).
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while (@(Invoke-RrEmulatorControl -Emulator $emulator -Path 'faults').Count -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $watch.Stop()
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        # The emulator holds the request for 20 s; stopping must not wait for it.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $null = $async.AsyncWaitHandle.WaitOne(20000) # ended on its worker thread before its runspace is disposed
        $ps.Dispose()
    }
}

Describe 'Stop-RrRecall' {
    BeforeEach { Reset-Emulator }

    It 'cancels recalls piped from New-RrRecall' {
        $ids = New-TestInventory -Count 3
        $cancelled = $ids | New-RrRecall | Stop-RrRecall
        $cancelled.RecallStatusCode | Should -Be 'canceled'
        (Get-EmulatorRecall).recallStatusCode | Should -Be 'canceled'
        # The inventories can be recalled again.
        @($ids | New-RrRecall).Count | Should -Be 1
    }

    It 'takes only the given inventories out of their recall' {
        $ids = New-TestInventory -Count 3
        $recall = $ids | New-RrRecall
        $changed = Stop-RrRecall -ReturnInventoryId $ids[0]
        $changed.RecallId | Should -Be $recall.RecallId
        $state = Get-EmulatorRecall | Where-Object recallId -eq $recall.RecallId
        $state.recallStatusCode | Should -Not -Be 'canceled'
        ($state.recallInventoryList | Where-Object returnInventoryId -eq $ids[0]).recallInventoryStatusCode | Should -Be 'canceled'
        ($state.recallInventoryList | Where-Object returnInventoryId -ne $ids[0]).recallInventoryStatusCode | Should -Not -Contain 'canceled'
    }

    It 'reports a recall that can no longer be cancelled as a per-item error and cancels the others' {
        $first = @(New-TestInventory -Count 1) | New-RrRecall
        $second = @(New-TestInventory -Count 1) | New-RrRecall
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path "recalls/$($first.RecallId)/advance"
        $cancelled = $first, $second | Stop-RrRecall -ErrorVariable failures -ErrorAction SilentlyContinue
        $cancelled.RecallId | Should -Be $second.RecallId
        $failures | Should -HaveCount 1
        $failures[0].TargetObject.RecallId | Should -Be $first.RecallId # the input itself
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.NotEligible,*'
    }

    It 'reports bad recall ids per item and still cancels the good ones' {
        $recall = @(New-TestInventory -Count 1) | New-RrRecall
        $cancelled = Stop-RrRecall -RecallId 'abc', 0, $recall.RecallId -ErrorVariable failures -ErrorAction SilentlyContinue
        $cancelled.RecallId | Should -Be $recall.RecallId
        $failures | Should -HaveCount 2
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'RrInvalidInput,*' }
    }

    It 'binds CSV rows with a RecallId column' {
        $recall = @(New-TestInventory -Count 1) | New-RrRecall
        $csv = Join-Path $TestDrive 'recalls.csv'
        [pscustomobject]@{ RecallId = $recall.RecallId } | Export-Csv -LiteralPath $csv -NoTypeInformation
        (Import-Csv -LiteralPath $csv | Stop-RrRecall).RecallStatusCode | Should -Be 'canceled'
    }

    It 'sends nothing with -WhatIf' {
        $recall = @(New-TestInventory -Count 1) | New-RrRecall
        $recall | Stop-RrRecall -WhatIf
        (Get-EmulatorRecall).recallStatusCode | Should -Be 'pending'
    }
}
