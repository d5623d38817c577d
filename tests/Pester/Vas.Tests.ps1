# Value-added services against the emulator: New-RrVasRequest for inventories on hold (typed output, one request per
# inventory with an idempotency key, exactly once when an answer is lost, per-item errors for ineligible inventories,
# the documented rules checked before any call, -WhatIf), Get-RrVas (results and photos once the warehouse finished,
# -Status), a split creating new inventories, pending VAS blocking handling, Get-RrVasType, and the typed vasUpdated
# and splitLineItem events of Receive-RrWebhook.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '50'
    $script:session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -PassThru

    function New-OnHold([int] $Count = 1) { New-RrTestInventory -Emulator $emulator -Count $Count -With @{ handlingCode = 'ohd' } }

    function Complete-Vas([long] $VasId, [hashtable] $Body = @{}) {
        Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path "vas/$VasId/complete" -Body $Body
    }

    function Get-VasCall { @(Get-RrTestApiCall -Emulator $emulator -PathLike '*Vas/CreateByReturnInventoryId') }

    function Clear-ApiCall { $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'requests' }
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'Get-RrVasType' {
    It 'lists the services, with the ones that need -Quantity' {
        $types = @(Get-RrVasType)
        $types.VasCode | Should -Contain 'prd-inspec'
        $types[0].PSObject.TypeNames[0] | Should -Be 'ReturnsHelper.VasType'
        @($types | Where-Object RequiresQuantity).VasCode | Should -Be 'req-pic', 'split-parcel'
    }

    It 'reports a code the environment does not have' {
        Get-RrVasType -VasCode nope -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'RrReferenceNotFound,*'
    }
}

Describe 'New-RrVasRequest' {
    BeforeEach {
        Reset-RrTestEmulator $emulator
        Clear-ApiCall
    }

    It 'requests the services for inventories on hold from the pipeline, one request per inventory' {
        $ids = New-OnHold -Count 2

        $created = @($ids | New-RrVasRequest -Service req-pic, PRD-INSPEC -Quantity 3 -Note 'the screen')

        $created | Should -HaveCount 4
        $created[0].PSObject.TypeNames[0] | Should -Be 'ReturnsHelper.Vas'
        $created.ReturnInventoryId | Should -Be $ids[0], $ids[0], $ids[1], $ids[1]
        $created.VasCode | Should -Be 'req-pic', 'prd-inspec', 'req-pic', 'prd-inspec' -Because 'codes are sent in the service list spelling'
        $created | ForEach-Object { $_.Status | Should -Be 'pending'; $_.IsPending | Should -BeTrue; $_.Notes | Should -Be 'the screen' }
        $created[0].Quantity | Should -Be 3
        $created[1].Quantity | Should -BeNullOrEmpty -Because 'only req-pic takes a quantity'
        $calls = Get-VasCall
        $calls | Should -HaveCount 2
        @($calls.idempotencyKey | Sort-Object -Unique) | Should -HaveCount 2 -Because 'each request is its own logical write'
        (Get-RrVas -ReturnInventoryId $ids[1]).VasId | Should -Be $created[2].VasId, $created[3].VasId
    }

    It 'writes per-item errors for ineligible inventories and continues with the others' {
        $good = New-OnHold
        $notOnHold = New-RrTestInventory -Emulator $emulator
        $pending = New-RrTestInventory -Emulator $emulator -With @{ handlingCode = 'ohd'; pendingVas = $true }
        $rows = @($notOnHold, $good, $pending, 999) | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_; Note = "row $_" } }

        $created = @($rows | New-RrVasRequest -Service repack -ErrorVariable refused -ErrorAction SilentlyContinue)

        $created.ReturnInventoryId | Should -Be $good
        $refused | Should -HaveCount 3
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.NotEligible,*'
        $refused[0].Exception.Message | Should -BeLike "*$notOnHold cannot take value-added services*"
        $refused[0].TargetObject.Note | Should -Be "row $notOnHold" -Because 'the CSV row is the target'
        $refused[1].FullyQualifiedErrorId | Should -BeLike 'RrApi.PendingVas,*'
        $refused[1].CategoryInfo.Category | Should -Be 'ResourceBusy'
        $refused[2].FullyQualifiedErrorId | Should -BeLike 'RrApi.NotFound,*'
    }

    It 'stops a script with $ErrorActionPreference Stop at the first refusal, after what was created before it' {
        $good = New-OnHold
        $notOnHold = New-RrTestInventory -Emulator $emulator
        $out = [Collections.Generic.List[object]]::new()
        { $good, $notOnHold | New-RrVasRequest -Service repack -ThrottleLimit 1 -ErrorAction Stop | ForEach-Object { $out.Add($_) } } |
            Should -Throw -ErrorId 'RrApi.NotEligible,*'
        $out.ReturnInventoryId | Should -Be $good
    }

    It 'refuses <Case> before sending anything' -ForEach @(
        @{ Case = 'req-pic without -Quantity'; Arguments = @{ Service = 'req-pic' }; Expected = "*'req-pic' needs -Quantity*" }
        @{ Case = 'a split with another service'; Arguments = @{ Service = 'split-parcel', 'repack'; Quantity = 2 }; Expected = '*must be requested alone*' }
        @{ Case = 'a split into 51 parcels'; Arguments = @{ Service = 'split-parcel'; Quantity = 51 }; Expected = '*between 1 and 50*' }
        @{ Case = 'a code the environment does not have'; Arguments = @{ Service = 'SPLIT_PARCEL'; Quantity = 2 }; Expected = "*'SPLIT_PARCEL' is not a value-added service of*" }
    ) {
        $id = New-OnHold
        { New-RrVasRequest -ReturnInventoryId $id @Arguments } | Should -Throw -ErrorId 'RrVasRequestInvalid,*' -ExpectedMessage $Expected
        Get-VasCall | Should -BeNullOrEmpty
    }

    It 'sends nothing with -WhatIf' {
        $ids = New-OnHold -Count 2
        $ids | New-RrVasRequest -Service req-pic -Quantity 1 -WhatIf | Should -BeNullOrEmpty
        Get-VasCall | Should -BeNullOrEmpty
    }

    It 'creates the services once when the answer is lost, and writes them' {
        $id = New-OnHold
        Add-RrTestFault -Emulator $emulator -Fault @{ path = 'Vas/CreateByReturnInventoryId'; kind = 'drop-after-commit' }

        $created = @(New-RrVasRequest -ReturnInventoryId $id -Service prd-inspec)

        $created.VasCode | Should -Be 'prd-inspec'
        $calls = Get-VasCall
        $calls | Should -HaveCount 2
        $calls[1].idempotencyKey | Should -Be $calls[0].idempotencyKey
        $calls[1].replayed | Should -BeTrue
        @(Get-RrVas -ReturnInventoryId $id) | Should -HaveCount 1 -Because 'the retry was answered from the first execution'
    }
}

Describe 'Get-RrVas after the warehouse worked' {
    BeforeAll {
        Reset-RrTestEmulator $emulator
        $script:ids = New-OnHold -Count 3
        $script:photos = New-RrVasRequest -ReturnInventoryId $ids[0] -Service req-pic -Quantity 2
        $script:imei = New-RrVasRequest -ReturnInventoryId $ids[1] -Service mobi-imei
        $script:untouched = New-RrVasRequest -ReturnInventoryId $ids[2] -Service repack
    }

    It 'keeps the inventory from another handling while its request is pending' {
        Set-RrInventoryHandling -ReturnInventoryId $ids[0] -HandlingCode dis -ErrorVariable blocked -ErrorAction SilentlyContinue
        $blocked[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.PendingVas,*'
    }

    It 'shows the result and the photos of a finished request, and a failed one' {
        $null = Complete-Vas $photos.VasId @{ vasResult = 'Scratch on the lid' }
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path "vas/$($imei.VasId)/fail" -Body @{ vasResult = 'No IMEI label' }

        $done = @($ids | Get-RrVas -Status successful, failed)

        $done.VasCode | Should -Be 'req-pic', 'mobi-imei'
        $done[0].Status | Should -Be 'successful'
        $done[0].Result | Should -Be 'Scratch on the lid'
        $done[0].PhotoUrls | Should -HaveCount 2
        $done[0].PhotoUrls | ForEach-Object { $_ | Should -BeLike 'https://*' }
        $done[0].PhotoUrlText | Should -Be ($done[0].PhotoUrls -join ';')
        $done[0].Rma | Should -Not -BeNullOrEmpty
        $done[1].Status | Should -Be 'failed'
        $done[1].Result | Should -Be 'No IMEI label'
        @($ids | Get-RrVas -Status pending).ReturnInventoryId | Should -Be $ids[2]
        Set-RrInventoryHandling -ReturnInventoryId $ids[0] -HandlingCode dis -PassThru | ForEach-Object HandlingCode | Should -Be 'dis'
    }

    It 'reads inventory objects from Get-RrInventory and reports unknown IDs per item' {
        $found = @(Get-RrInventory -ReturnInventoryId $ids[2] | Get-RrVas -VasCode rep*)
        $found.VasId | Should -Be $untouched.VasId
        Get-RrVas -ReturnInventoryId 999 -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.NotFound,*'
    }
}

Describe 'Split parcel' {
    It 'creates one inventory per parcel once the warehouse split it' {
        Reset-RrTestEmulator $emulator
        $id = New-OnHold
        $split = New-RrVasRequest -ReturnInventoryId $id -Service split-parcel -Quantity 2

        $null = Complete-Vas $split.VasId

        $vas = Get-RrVas -ReturnInventoryId $id
        $vas.Status | Should -Be 'successful'
        $vas.SplitReturnInventoryIds | Should -HaveCount 2
        $parcels = @($vas.SplitReturnInventoryIds | Get-RrInventory)
        $parcels.HandlingCode | Should -Be 'tbc', 'tbc'
        $parcels[0].Rma | Should -Match '-01-\d{2}$'
        (Get-RrInventory -ReturnInventoryId $id).HandlingCode | Should -Be 'oth'
        (Get-RrInventory -Rma $parcels[1].Rma).ReturnInventoryId | Should -Be $parcels[1].ReturnInventoryId -Because 'a split RMA is found by the RMA search'
    }
}

Describe 'VAS webhook events' {
    It 'arrive typed from Receive-RrWebhook: vasUpdated, splitLineItem and the parcels newInventoryCreated' {
        Reset-RrTestEmulator $emulator
        $keyText = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('vas-pester-signing-key-0123456'))
        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/returnhelper"
        $photo = New-OnHold
        $toSplit = New-OnHold
        $photoVas = New-RrVasRequest -ReturnInventoryId $photo -Service req-pic -Quantity 1
        $splitVas = New-RrVasRequest -ReturnInventoryId $toSplit -Service split-parcel -Quantity 2
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks' -Body @{ url = $endpoint; signingKey = $keyText }
        # The emulator retries each event until the receiver below listens.
        $null = Complete-Vas $photoVas.VasId @{ vasResult = 'One photo' }
        $null = Complete-Vas $splitVas.VasId

        $events = @(Receive-RrWebhook -Port $port -SigningKey (ConvertTo-SecureString $keyText -AsPlainText -Force) -EndpointUri $endpoint -Count 5 -Timeout '00:01:00')

        $events.Action | Should -Be 'vasUpdated', 'vasUpdated', 'splitLineItem', 'newInventoryCreated', 'newInventoryCreated'
        $events[0].PSObject.TypeNames[0] | Should -Be 'ReturnsHelper.VasUpdatedEvent'
        $events[0].ReturnInventoryId | Should -Be $photo
        $events[0].VasId | Should -Be $photoVas.VasId
        $events[0].Status | Should -Be 'successful'
        $events[0].Result | Should -Be 'One photo'
        $events[0].PhotoUrls | Should -HaveCount 1
        $events[2].PSObject.TypeNames[0] | Should -Be 'ReturnsHelper.SplitLineItemEvent'
        $events[2].VasId | Should -Be $splitVas.VasId
        $events[2].Status | Should -Be 'successful'
        $events[2].ReturnInventoryIds | Should -Be @($events[3].ReturnInventoryId, $events[4].ReturnInventoryId)
        $events[2].Summary | Should -Match '2 new inventories'
    }
}
