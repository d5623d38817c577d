# New-RrResend, Get-RrResend, Stop-RrResend, Get-RrResendQuote and Get-RrBalance against the emulator: grouping by
# warehouse and ship-to with the group cap, CSV rows with address columns, checks before sending, per-item errors,
# exactly once under faults and across reruns (the ledger), cancel, quotes, the balance, completion.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0'
    $script:CreatePath = 'Resend/createResend'

    function Reset-Emulator { Reset-RrTestEmulator $emulator }
    function New-TestInventory([int] $Count = 1, [hashtable] $With = @{}) {
        # Fees depend on weight times quantity: fixed, so every fee in these tests is known.
        if (-not $With.ContainsKey('weight')) { $With.weight = 300 }
        if (-not $With.ContainsKey('quantity')) { $With.quantity = 1 }
        New-RrTestInventory -Emulator $emulator -Count $Count -With $With
    }
    function Get-CreateCall { Get-RrTestApiCall -Emulator $emulator -PathLike $CreatePath }
    function Get-EmulatorResend { @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'resends') }
    # Inventory ids in resends that are pending, in progress or completed (0, 2, 3), each as often as it is in one.
    function Get-ActiveResentId { [long[]]@(Get-EmulatorResend | Where-Object { $_.resendStatusCode -in 0, 2, 3 } | ForEach-Object { $_.returnInventoryIdList }) }

    $script:ShipTo = @{ Name = 'Ada Buyer'; Street1 = '1 Main St'; City = 'New York'; State = 'NY'; PostalCode = '10001'; CountryCode = 'usa' }

    Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'New-RrResend grouping and output' {
    BeforeEach { Reset-Emulator }

    It 'groups CSV rows by warehouse and ship-to, splits by the cap of 5, and says what it did' {
        $nj = New-TestInventory -Count 7
        $wa = New-TestInventory -Count 2 -With @{ warehouseId = 1034 }
        $csv = Join-Path $TestDrive 'resend.csv'
        @(
            $nj | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_; ServiceType = 'SHIPMENT_USPS_PM_NJ'; ShipmentName = 'Ada Buyer'; Street1 = '1 Main St'; City = 'New York'; PostalCode = '10001'; Country = 'usa' } }
            $wa | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_; ServiceType = 'SHIPMENT_USPS_PM_WA'; ShipmentName = 'Bo Buyer'; Street1 = '2 Pine St'; City = 'Seattle'; PostalCode = '98101'; Country = 'usa' } }
        ) | Export-Csv -LiteralPath $csv -NoTypeInformation

        $resends = Import-Csv -LiteralPath $csv | New-RrResend -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [ReturnsHelper.Resend] }

        $resends | Should -HaveCount 3
        $resends | ForEach-Object { $_ | Should -BeOfType ([ReturnsHelper.Resend]) }
        @($resends | ForEach-Object { $_.ReturnInventoryIds.Count }) | Should -Be @(5, 2, 2)
        @($resends.ReturnInventoryIds) | Should -Be (@($nj) + @($wa))
        $resends[2].ServiceType | Should -Be 'SHIPMENT_USPS_PM_WA'
        $resends[2].ResendShipmentList[0].Address.City | Should -Be 'Seattle'
        $resends[0].ResendStatusCode | Should -Be 'pending'
        $resends[0].ResendNumber | Should -Match '^RSD\d{6}-\d{7}$'
        @($all | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like '9 return inventories make 3 resend(s)*' }) | Should -HaveCount 1
        Get-CreateCall | Should -HaveCount 3
        Compare-Object (Get-ActiveResentId) (@($nj) + @($wa)) | Should -BeNullOrEmpty
    }

    It 'takes the ship-to from parameters for ids from the pipeline, and the view fits a log line' {
        $ids = New-TestInventory -Count 2
        $resend = $ids | New-RrResend -ServiceType SHIPMENT_USPS_GA_SIG_NJ @ShipTo -Description 'Order 1001'
        $resend.ReturnInventoryIds | Should -Be $ids
        $resend.Description | Should -Be 'Order 1001'
        $resend.ShipTo | Should -Be 'Ada Buyer, 1 Main St, New York, NY 10001, usa'
        @(($resend | Format-Table | Out-String -Width 80) -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -HaveCount 0
    }

    It 'reports each ineligible id as its own error and resends the rest' {
        $good = New-TestInventory -Count 2
        $disposed = New-TestInventory -With @{ handlingCode = 'dis' }
        $vas = New-TestInventory -With @{ handlingCode = 'ohd'; pendingVas = $true }
        $mixed = @($good[0], 987654321, $disposed[0], $vas[0], $good[1])

        $resends = $mixed | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo -ErrorVariable failures -ErrorAction SilentlyContinue

        @($resends.ReturnInventoryIds) | Should -Be $good
        $failures | Should -HaveCount 3
        $expected = @{ '987654321' = 'NotFound', 'ObjectNotFound'; "$($disposed[0])" = 'NotEligible', 'InvalidOperation'; "$($vas[0])" = 'PendingVas', 'ResourceBusy' }
        foreach ($failure in $failures) {
            $reason, $category = $expected["$($failure.TargetObject)"]
            $failure.FullyQualifiedErrorId | Should -BeLike "RrApi.$reason,*"
            $failure.CategoryInfo.Category | Should -Be $category
            $failure.Exception.ItemId | Should -Be $failure.TargetObject
            $failure.Exception.Message | Should -Match ([string]$failure.TargetObject)
        }
        $calls = Get-CreateCall
        $calls | Should -HaveCount 2 # refused by index, then the rest as a new write
        $calls[0].idempotencyKey | Should -Not -Be $calls[1].idempotencyKey
    }

    It 'checks the ship-to against the documented limits before sending anything' {
        $ids = New-TestInventory -Count 2
        $bad = $ShipTo.Clone()
        $bad.Name = 'n' * 256
        $bad.CountryCode = 'us'
        $resends = $ids | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @bad -ErrorVariable failures -ErrorAction SilentlyContinue
        $resends | Should -BeNullOrEmpty
        $failures | Should -HaveCount 2
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrInvalidShipTo,*'
        $failures[0].Exception.Message | Should -Match 'Name is 256 characters long; the service takes at most 255'
        $failures[0].Exception.Message | Should -Match "CountryCode 'us' is not an ISO 3166 alpha-3 code"
        Get-CreateCall | Should -HaveCount 0
    }

    It 'refuses a service type the warehouse does not offer, naming the ones it does' {
        $id = New-TestInventory -With @{ warehouseId = 1034 }
        $null = $id | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrInvalidServiceType,*'
        $failures[0].Exception.Message | Should -Match 'SHIPMENT_USPS_GA_SIG_WA, SHIPMENT_USPS_PM_WA'
        Get-CreateCall | Should -HaveCount 0
    }

    It 'refuses a resend the balance cannot pay, per item' {
        $id = New-TestInventory
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'accounts/1/balance' -Body @{ balance = 1 }
        $null = $id | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].TargetObject | Should -Be $id
        $failures[0].Exception.Message | Should -Match 'less than the resend fee'
    }

    It 'sends nothing with -WhatIf' {
        $ids = New-TestInventory -Count 6
        $ids | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo -WhatIf
        Get-CreateCall | Should -HaveCount 0
    }

    It 'completes -ServiceType with the warehouses'' resend service types' {
        $line = 'New-RrResend -ServiceType SHIPMENT_USPS_PM_'
        $matches = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        @($matches.CompletionText) | Should -Contain 'SHIPMENT_USPS_PM_NJ'
        @($matches.CompletionText) | Should -Contain 'SHIPMENT_USPS_PM_WA'
        @($matches.CompletionText) | Should -Not -Contain 'others'
    }
}

Describe 'New-RrResend exactly once' {
    BeforeEach { Reset-Emulator }

    It 'resends 12 ids exactly once through 503s, dropped connections and commits followed by a drop' {
        $ids = New-TestInventory -Count 12
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -MaxAttempts 10 -MaxRetrySeconds 120 -PassThru
        foreach ($fault in @(
                @{ kind = 'drop-after-commit'; count = 1 }, @{ kind = 'status'; status = 503; count = 1 },
                @{ kind = 'drop-before'; count = 1 }, @{ kind = 'drop-after-commit'; count = 1 })) {
            $fault.path = $CreatePath
            Add-RrTestFault -Emulator $emulator -Fault $fault
        }

        $resends = @($ids | New-RrResend -Session $session -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures | Should -HaveCount 0
        @($resends.ReturnInventoryIds) | Should -Be $ids
        $active = Get-ActiveResentId
        $active | Should -HaveCount 12
        Compare-Object ($active | Sort-Object) ($ids | Sort-Object) | Should -BeNullOrEmpty
        $calls = Get-CreateCall
        @($calls | ForEach-Object idempotencyKey | Select-Object -Unique) | Should -HaveCount 3
        @($calls | Where-Object replayed).Count | Should -BeGreaterThan 0
    }

    It 'a rerun sends nothing and writes the same resends with AlreadyExisted; after a cancel it sends again' {
        $ids = New-TestInventory -Count 3
        $first = $ids | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo
        $again = $ids | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo -WarningVariable warned 3>$null
        $again.ResendId | Should -Be $first.ResendId
        $again.AlreadyExisted | Should -BeTrue
        $warned | Should -HaveCount 1
        Get-CreateCall | Should -HaveCount 1

        $cancelled = $first | Stop-RrResend -Confirm:$false
        $cancelled.ResendStatusCode | Should -Be 'canceled'
        $third = $ids | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo
        $third.ResendId | Should -Not -Be $first.ResendId
        $third.AlreadyExisted | Should -BeFalse
    }

    It 'an unanswered group is pending in the ledger, and a rerun resends it with its own key and creates nothing twice' {
        $ids = New-TestInventory -Count 2
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -MaxAttempts 1 -PassThru
        Add-RrTestFault -Emulator $emulator -Fault @{ path = $CreatePath; kind = 'drop-after-commit'; count = 1 }
        $null = $ids | New-RrResend -Session $session -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 2
        $failures[0].Exception.Reason | Should -Be 'OutcomeUnknown'
        $failures[0].Exception.Message | Should -Match 'Run the same command again'

        # -WhatIf shows the unanswered group and sends nothing.
        $ids | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo -WhatIf
        Get-CreateCall | Should -HaveCount 1

        # The rerun changes the address: the pending group still goes out as it was first sent.
        $other = $ShipTo.Clone()
        $other.City = 'Boston'
        $resend = $ids | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @other

        $resend.ReturnInventoryIds | Should -Be $ids
        $resend.ResendShipmentList[0].Address.City | Should -Be 'New York'
        Get-EmulatorResend | Should -HaveCount 1
        $calls = Get-CreateCall
        $calls | Should -HaveCount 2
        $calls[1].idempotencyKey | Should -Be $calls[0].idempotencyKey
        $calls[1].replayed | Should -BeTrue
    }
}

Describe 'Get-RrResend, Stop-RrResend, Get-RrResendQuote and Get-RrBalance' {
    BeforeEach { Reset-Emulator }

    It 'Get-RrResend follows a resend through its label to completion' {
        $resend = New-TestInventory | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path "resends/$($resend.ResendId)/advance"
        $labelled = $resend | Get-RrResend
        $labelled.ResendStatusCode | Should -Be 'inProgress'
        $labelled.TrackingNumber | Should -Not -BeNullOrEmpty
        $labelled.WarehouseId | Should -Be 2
        $labelled.Cost | Should -Be 7.75
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path "resends/$($resend.ResendId)/advance"
        (Get-RrResend -ResendId $resend.ResendId).ResendStatusCode | Should -Be 'completed'
        @(Get-RrResend).ResendId | Should -Be @($resend.ResendId) # without ids: the resends the ledger knows
    }

    It 'Stop-RrResend reports a resend that is no longer pending, or unknown, per item and cancels the others' {
        $ids = New-TestInventory -Count 2
        $shipped = $ids[0] | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo
        $pending = $ids[1] | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path "resends/$($shipped.ResendId)/advance"

        $cancelled = @($shipped.ResendId, 999, $pending.ResendId) | Stop-RrResend -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue

        $cancelled.ResendId | Should -Be $pending.ResendId
        $failures | Should -HaveCount 2
        $failures[0].TargetObject | Should -Be $shipped.ResendId
        $failures[0].Exception.Reason | Should -Be 'NotEligible'
        $failures[1].Exception.Reason | Should -Be 'NotFound'
    }

    It 'Get-RrResendQuote lists the fees cheapest first, and refuses more than one resend''s worth' {
        $ids = New-TestInventory -Count 2
        $quotes = $ids | Get-RrResendQuote -CountryCode USA -PostalCode 10001
        @($quotes.ServiceTypeCode) | Should -Be @('SHIPMENT_USPS_GA_SIG_NJ', 'SHIPMENT_USPS_PM_NJ')
        $quotes[1].Fee | Should -Be 8.85 # 600 g: 7.75 for the first 500 g, 1.10 for the next started 500 g
        $quotes[0] | Should -BeOfType ([ReturnsHelper.ResendQuote])
        { New-TestInventory -Count 6 | Get-RrResendQuote -CountryCode usa -PostalCode 10001 -ErrorAction Stop } | Should -Throw -ErrorId 'RrTooManyForOneResend,*'
        $elsewhere = New-TestInventory -With @{ warehouseId = 1034 }
        $null = @($ids[0], $elsewhere) | Get-RrResendQuote -CountryCode usa -PostalCode 10001 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].TargetObject | Should -Be $elsewhere
        $failures[0].Exception.Message | Should -Match 'must be in one warehouse'
    }

    It 'Receive-RrWebhook turns the emulator''s signed updateResendStatus into a typed event' {
        $resend = New-TestInventory | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo
        $keyText = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('resend-test-signing-key-0123456789'))
        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/"
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks' -Body @{ url = $endpoint; signingKey = $keyText }
        # Advances the resend once the receiver listens (it answers an unsigned GET with 401).
        $job = Start-ThreadJob -ArgumentList $endpoint, "$($emulator.BaseAddress)/_emulator/resends/$($resend.ResendId)/advance" -ScriptBlock {
            param($Endpoint, $Advance)
            while ((Invoke-WebRequest -Uri $Endpoint -SkipHttpErrorCheck -NoProxy -TimeoutSec 5 -ErrorAction SilentlyContinue).StatusCode -ne 401) { Start-Sleep -Milliseconds 100 }
            $null = Invoke-RestMethod -Method POST -Uri $Advance -NoProxy
        }
        try {
            $update = Receive-RrWebhook -Port $port -SigningKey (ConvertTo-SecureString $keyText -AsPlainText -Force) -EndpointUri $endpoint -Count 1 -Timeout '00:01:30'
        }
        finally { $job | Wait-Job -Timeout 90 | Remove-Job -Force }

        $update | Should -BeOfType ([ReturnsHelper.ResendUpdateEvent])
        $update.ResendId | Should -Be $resend.ResendId
        $update.ResendStatusCode | Should -Be 'inProgress'
        $update.TrackingNumber | Should -Not -BeNullOrEmpty
        $update.ReturnInventoryIds | Should -Be $resend.ReturnInventoryIds
        $update.Inventories[0].HandlingCode | Should -Be 'rsd'
    }

    It 'Get-RrBalance shows the balance a resend draws down and a cancel refunds' {
        $before = Get-RrBalance
        $before | Should -BeOfType ([ReturnsHelper.ApiBalance])
        $before.CurrencyCode | Should -Be 'usd'
        $resend = New-TestInventory | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ @ShipTo
        (Get-RrBalance).Balance | Should -Be ($before.Balance - 7.75)
        $null = $resend | Stop-RrResend -Confirm:$false
        (Get-RrBalance).Balance | Should -Be $before.Balance
        ($before | Format-Table | Out-String) | Should -Match 'ApiBalanceId'
    }
}
