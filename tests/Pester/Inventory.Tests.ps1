# Get-RrInventory, Set-RrInventoryHandling, Undo-RrInventoryHandling, Get-RrHandlingType and Get-RrWarehouse against
# the emulator: by-ID input, windowed and paged listing, filters, -First/-Skip, streaming, handling rules, -WhatIf,
# tab completion and the Get-RrInventory | New-RrRecall pipeline.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '300'

    function Reset-Emulator {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 300 }
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'requests'
    }

    # Adds inventories through the control surface (each item a hashtable of wire fields) and returns their ids.
    function Add-TestInventory([hashtable[]] $Items) {
        $body = foreach ($with in $Items) {
            $item = @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 }
            foreach ($key in $with.Keys) { $item[$key] = $with[$key] }
            $item
        }
        $created = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'inventories' -Body @($body)
        @($created | ForEach-Object returnInventoryId)
    }

    function New-TestInventory([int] $Count = 1, [hashtable] $With = @{}) {
        Add-TestInventory -Items @(foreach ($i in 1..$Count) { $With })
    }

    function Get-ApiCall([string] $PathLike) {
        # Invoke-RestMethod writes a JSON array as one object: enumerate it before filtering.
        $log = Invoke-RrEmulatorControl -Emulator $emulator -Path 'requests'
        @($log | Where-Object { $_.path -like "*$PathLike" })
    }

    function Get-RecalledId {
        $recalls = Invoke-RrEmulatorControl -Emulator $emulator -Path 'recalls'
        @($recalls | ForEach-Object { $_.recallInventoryList } | ForEach-Object { $_.returnInventoryId })
    }

    function Clear-ApiCall { $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'requests' }

    function Get-QueryValue($Call, [string] $Name) {
        if ("$($Call.query)" -match "(^|[?&])$Name=(?<value>[^&]*)") { [uri]::UnescapeDataString($Matches.value) }
    }

    function Iso([datetime] $Utc) { $Utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [cultureinfo]::InvariantCulture) }

    # A period long before the seed (which covers the last 180 days), so it holds only what a test adds.
    $script:T0 = [datetime]::SpecifyKind([datetime]::UtcNow.Date.AddDays(-700), 'Utc')

    $script:session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -PassThru
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'Get-RrInventory by ID' {
    BeforeAll {
        Reset-Emulator
        $script:ids = New-TestInventory -Count 3 -With @{ sku = 'PESTER-EB-1'; description = 'Wireless earbuds' }
    }

    It 'gets full typed records for IDs from the pipeline' {
        $result = @($ids | Get-RrInventory)
        $result.ReturnInventoryId | Should -Be $ids
        $result | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ReturnsHelper.Inventory' }
        $result[0].Description | Should -Be 'Wireless earbuds'
        $result[0].Sku | Should -Be 'PESTER-EB-1'
        $result[0].HandlingCode | Should -Be 'tbc'
        $result[0].HandlingStatusCode | Should -Be 'pending'
        $result[0].CreateOn | Should -BeOfType [DateTimeOffset]
        $result[0].Environment | Should -Be 'Custom'
        Get-ApiCall 'ReturnInventory/GetReturnInventory' | Should -HaveCount 3
    }

    It 'reads IDs from CSV column <Column>' -ForEach @(@{ Column = 'ReturnInventoryId' }, @{ Column = 'InventoryId' }, @{ Column = 'Id' }) {
        $csv = Join-Path $TestDrive "inventory-$Column.csv"
        $ids | ForEach-Object { [pscustomobject]@{ $Column = $_; Note = 'x' } } | Export-Csv -LiteralPath $csv -NoTypeInformation
        @(Import-Csv -LiteralPath $csv | Get-RrInventory).ReturnInventoryId | Should -Be $ids
    }

    It 'takes Inventory objects by property name (re-reads list rows as full records)' {
        $rows = @(Get-RrInventory -CreatedAfter (Get-Date).AddHours(-1) -Sku 'PESTER-EB-1')
        $rows.ReturnInventoryId | Should -Be $ids
        @($rows | Get-RrInventory).Description | Should -Be (@('Wireless earbuds') * 3)
    }

    It 'reports an unknown ID as ObjectNotFound and continues with the rest' {
        $result = @(Get-RrInventory -ReturnInventoryId $ids[0], 999999999, $ids[1] -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.ReturnInventoryId | Should -Be $ids[0], $ids[1]
        $failures | Should -HaveCount 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 999999999
        $failures[0].Exception.Message | Should -Match '999999999 was not found'
    }

    It 'reports unusable input per item and never sends it' {
        Clear-ApiCall
        $result = @('abc', 0, $ids[2], '' | Get-RrInventory -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.ReturnInventoryId | Should -Be $ids[2]
        $failures | Should -HaveCount 3
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'RrInvalidInput,*' }
        Get-ApiCall 'ReturnInventory/GetReturnInventory' | Should -HaveCount 1
    }

    It 'stops fetching IDs once -First is reached' {
        Clear-ApiCall
        @($ids | Get-RrInventory -First 2).ReturnInventoryId | Should -Be $ids[0], $ids[1]
        Get-ApiCall 'ReturnInventory/GetReturnInventory' | Should -HaveCount 2
    }
}

Describe 'Get-RrInventory over a period' {
    BeforeAll {
        Reset-Emulator
        # 200 days from T0 need four windows: [T0, +62d) [+62d, +124d) [+124d, +186d) [+186d, +200d).
        $script:From = $T0
        $script:To = $T0.AddDays(200)
        $edges = 0, 62, 124, 186 | ForEach-Object { $T0.AddDays($_) }
        $times = [Collections.Generic.List[datetime]]::new()
        foreach ($edge in $edges) { $times.Add($edge); $times.Add($edge.AddSeconds(1)) }       # exactly on the edges, and just after
        foreach ($edge in $edges | Select-Object -Skip 1) { $times.Add($edge.AddSeconds(-1)) } # just before the inner edges
        $times.Add($To.AddSeconds(-1))
        for ($i = 0; $i -lt 300; $i++) { $times.Add($T0.AddMinutes(37 + $i * 959)) }          # spread over the 200 days
        $inside = @($times | ForEach-Object { @{ createOn = Iso $_ } })
        $script:expected = Add-TestInventory -Items $inside
        # Outside the period: just before it, exactly on its (excluded) end, after it.
        $null = Add-TestInventory -Items @(@{ createOn = Iso $T0.AddSeconds(-1) }, @{ createOn = Iso $To }, @{ createOn = Iso $To.AddDays(3) })
    }

    BeforeEach { Clear-ApiCall }

    It 'returns exactly the records of the period, once each, in four windows and many pages' {
        $result = @(Get-RrInventory -CreatedAfter $From -CreatedBefore $To -PageSize 7)
        $result.Count | Should -Be $expected.Count
        @($result.ReturnInventoryId | Select-Object -Unique).Count | Should -Be $result.Count
        @($result.ReturnInventoryId | Sort-Object) | Should -Be @($expected | Sort-Object)

        $calls = Get-ApiCall 'ReturnInventory/list'
        $windows = @($calls | ForEach-Object { "$(Get-QueryValue $_ 'createFrom')/$(Get-QueryValue $_ 'createTo')" } | Select-Object -Unique)
        $windows | Should -HaveCount 4
        $calls.Count | Should -BeGreaterThan 40
        # Each window stops at its total (or at a short page): never more than one extra request per window.
        $calls.Count | Should -BeLessOrEqual ([Math]::Ceiling($expected.Count / 7) + 4)
        $calls | ForEach-Object { Get-QueryValue $_ 'pageSize' | Should -Be '7' }
    }

    It 'emits records in creation order' {
        $result = @(Get-RrInventory -CreatedAfter $From -CreatedBefore $To)
        $sorted = @($result | Sort-Object CreateOn, ReturnInventoryId)
        $result.ReturnInventoryId | Should -Be $sorted.ReturnInventoryId
    }

    It 'sends -PageSize (default 50)' {
        $null = Get-RrInventory -CreatedAfter $From -CreatedBefore $From.AddDays(10)
        Get-QueryValue (Get-ApiCall 'ReturnInventory/list')[0] 'pageSize' | Should -Be '50'
    }

    It 'stops after the first page with -First 5' {
        $result = @(Get-RrInventory -CreatedAfter $From -CreatedBefore $To -First 5)
        $result | Should -HaveCount 5
        Get-ApiCall 'ReturnInventory/list' | Should -HaveCount 1
    }

    It 'skips with -Skip and takes with -First across pages' {
        $all = @(Get-RrInventory -CreatedAfter $From -CreatedBefore $To)
        $result = @(Get-RrInventory -CreatedAfter $From -CreatedBefore $To -PageSize 10 -Skip 15 -First 12)
        $result.ReturnInventoryId | Should -Be $all[15..26].ReturnInventoryId
    }

    It 'streams: the first record reaches the pipeline before the last page is requested' {
        $pages = [Math]::Ceiling($expected.Count / 5)
        $requestedAtFirst = $null
        Get-RrInventory -CreatedAfter $From -CreatedBefore $To -PageSize 5 | ForEach-Object {
            if ($null -eq $requestedAtFirst) { $requestedAtFirst = (Get-ApiCall 'ReturnInventory/list').Count }
        }
        $requestedAtFirst | Should -BeGreaterThan 0
        # Four windows are walked at once; each may have at most 4 pages waiting, 1 being handed over and 1 read ahead.
        $requestedAtFirst | Should -BeLessOrEqual (4 * 6)
        $requestedAtFirst | Should -BeLessThan $pages
        (Get-ApiCall 'ReturnInventory/list').Count | Should -BeGreaterOrEqual $pages
    }

    It 'stops fetching when a downstream Select-Object -First has enough' {
        $null = Get-RrInventory -CreatedAfter $From -CreatedBefore $To -PageSize 5 | Select-Object -First 3
        # At most what the four concurrent windows fetch ahead (see above), far from all pages.
        (Get-ApiCall 'ReturnInventory/list').Count | Should -BeLessOrEqual (4 * 6)
        (Get-ApiCall 'ReturnInventory/list').Count | Should -BeLessThan ([Math]::Ceiling($expected.Count / 5))
    }

    It 'lists the last 30 days when no period is given' {
        $null = Get-RrInventory -First 1
        $call = (Get-ApiCall 'ReturnInventory/list')[0]
        $from = [datetime]::Parse((Get-QueryValue $call 'createFrom'), [cultureinfo]::InvariantCulture, 'AdjustToUniversal')
        $to = [datetime]::Parse((Get-QueryValue $call 'createTo'), [cultureinfo]::InvariantCulture, 'AdjustToUniversal')
        ($to - $from).TotalDays | Should -Be 30
        ([datetime]::UtcNow - $to).TotalMinutes | Should -BeLessThan 5
    }

    It 'refuses a period that ends before it starts, before any call' {
        { Get-RrInventory -CreatedAfter $To -CreatedBefore $From } | Should -Throw -ErrorId 'RrInvalidPeriod,*'
        Get-ApiCall 'ReturnInventory/list' | Should -HaveCount 0
    }

    It 'rejects a -PageSize above 50' {
        { Get-RrInventory -PageSize 51 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'stops with a terminating error when a page still fails after the retries' {
        $impatient = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -MaxAttempts 1 -SkipCredentialCheck -PassThru
        try {
            $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'faults' -Body @{ path = 'ReturnInventory/list'; kind = 'status'; status = 503; retryAfterSeconds = 0; count = 1 }
            $thrown = { Get-RrInventory -Session $impatient -CreatedAfter $From -CreatedBefore $To } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -BeLike 'RrApi.*'
            $thrown.Exception.Message | Should -Match '503'
        }
        finally {
            $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'faults'
            Disconnect-RrService -Session $impatient
            $null = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -SkipCredentialCheck
        }
    }

    It 'reads records from an answer that puts its payload under data' {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'config' -Body @{ payloadPlacement = 'data' }
        try {
            @(Get-RrInventory -CreatedAfter $From -CreatedBefore $To -PageSize 50).Count | Should -Be $expected.Count
            (Get-RrInventory -ReturnInventoryId $expected[0]).ReturnInventoryId | Should -Be $expected[0]
            @(Get-RrWarehouse -Refresh).WarehouseId | Should -Contain 2
            @(Get-RrHandlingType -Refresh).HandlingCode | Should -Contain 'dis'
        }
        finally {
            $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'config' -Body @{ payloadPlacement = 'documented' }
        }
    }

    It 'has a default table view with the columns people need' {
        $view = Get-FormatData -TypeName ReturnsHelper.Inventory
        $view.FormatViewDefinition[0].Control.Headers.Label | Should -Be 'ReturnInventoryId', 'Rma', 'HandlingCode', 'HandlingStatusCode'
        $text = Get-RrInventory -CreatedAfter $From -CreatedBefore $To -First 2 | Out-String -Width 200
        $text | Should -Match 'ReturnInventoryId\s+Rma\s+HandlingCode\s+HandlingStatusCode'
    }
}

Describe 'Get-RrInventory filters' {
    BeforeAll {
        Reset-Emulator
        $script:From = $T0
        $script:To = $T0.AddDays(100)
        $specs = @(
            @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2; sku = 'SN-RUN-BLK' }
            @{ handlingCode = 'dis'; handlingStatusCode = 'pending'; warehouseId = 2; sku = 'SN-RUN-WHT' }
            @{ handlingCode = 'dis'; handlingStatusCode = 'inProgress'; warehouseId = 1034; sku = 'EB-200-BLK' }
            @{ handlingCode = 'dis'; handlingStatusCode = 'completed'; warehouseId = 20; sku = 'sn-run-red' }
            @{ handlingCode = 'ohd'; handlingStatusCode = 'pending'; warehouseId = 1034; sku = $null }
            @{ handlingCode = 'oth'; handlingStatusCode = 'pending'; warehouseId = 1005; sku = 'KB-MECH-GRY' }
        )
        $items = for ($i = 0; $i -lt 60; $i++) {
            $spec = $specs[$i % $specs.Count].Clone()
            $spec.createOn = Iso $T0.AddDays($i * 1.5).AddMinutes(5)
            $spec
        }
        $ids = Add-TestInventory -Items $items
        $script:records = for ($i = 0; $i -lt 60; $i++) { [pscustomobject]($specs[$i % $specs.Count] + @{ Id = $ids[$i] }) }
    }

    It '<Name>' -ForEach @(
        @{ Name = 'filters by handling code'; Filter = @{ HandlingCode = 'dis' }; Where = { $_.handlingCode -eq 'dis' } }
        @{ Name = 'filters by several handling codes, integer codes normalised'; Filter = @{ HandlingCode = '4', 'OTH' }; Where = { $_.handlingCode -in 'ohd', 'oth' } }
        @{ Name = 'filters by handling status'; Filter = @{ HandlingStatus = 'inProgress', 'completed' }; Where = { $_.handlingStatusCode -ne 'pending' } }
        @{ Name = 'accepts the in-progress spelling'; Filter = @{ HandlingStatus = 'in-progress' }; Where = { $_.handlingStatusCode -eq 'inProgress' } }
        @{ Name = 'filters by warehouse'; Filter = @{ WarehouseId = 1034, 1005 }; Where = { $_.warehouseId -in 1034, 1005 } }
        @{ Name = 'filters by SKU wildcard, ignoring case'; Filter = @{ Sku = 'SN-RUN-*' }; Where = { $_.sku -like 'SN-RUN-*' } }
        @{ Name = 'matches inventories without a SKU with an empty pattern'; Filter = @{ Sku = '' }; Where = { -not $_.sku } }
        @{ Name = 'combines filters'; Filter = @{ HandlingCode = 'dis'; HandlingStatus = 'pending'; Sku = '*WHT' }; Where = { $_.handlingCode -eq 'dis' -and $_.handlingStatusCode -eq 'pending' -and $_.sku -like '*WHT' } }
    ) {
        $result = @(Get-RrInventory -CreatedAfter $From -CreatedBefore $To -PageSize 9 @Filter)
        $want = @($records | Where-Object $Where | ForEach-Object Id)
        $want.Count | Should -BeGreaterThan 0
        $result.ReturnInventoryId | Should -Be $want
    }

    It 'counts -First after the filters' {
        $result = @(Get-RrInventory -CreatedAfter $From -CreatedBefore $To -HandlingCode ohd -First 3)
        $result.ReturnInventoryId | Should -Be @($records | Where-Object handlingCode -eq 'ohd' | Select-Object -First 3 | ForEach-Object Id)
    }

    It 'warns about a handling code no inventory can have' {
        $result = @(Get-RrInventory -CreatedAfter $From -CreatedBefore $To -HandlingCode 'tcb' -WarningVariable warnings -WarningAction SilentlyContinue)
        $result | Should -HaveCount 0
        "$warnings" | Should -Match "'tcb' is not a known handling code"
    }
}

Describe 'Set-RrInventoryHandling' {
    BeforeEach { Reset-Emulator }

    It 'sets a handling code, one request per inventory, quietly unless -PassThru' {
        $ids = New-TestInventory -Count 3
        $ids | Set-RrInventoryHandling -HandlingCode dis | Should -BeNullOrEmpty
        Get-ApiCall 'ReturnInventory/UpdateReturnInventoryHandling' | Should -HaveCount 3
        @(Get-RrInventory -ReturnInventoryId $ids).HandlingCode | Should -Be 'dis', 'dis', 'dis'
    }

    It 'returns the updated inventory with -PassThru' {
        $id = New-TestInventory
        $updated = Set-RrInventoryHandling -ReturnInventoryId $id -HandlingCode ohd -PassThru
        $updated.PSObject.TypeNames[0] | Should -Be 'ReturnsHelper.Inventory'
        $updated.ReturnInventoryId | Should -Be $id
        $updated.HandlingCode | Should -Be 'ohd'
        $updated.HandlingStatusCode | Should -Be 'pending'
    }

    It 'takes Get-RrInventory output from the pipeline' {
        $ids = New-TestInventory -Count 2 -With @{ sku = 'PIPE-ME'; createOn = Iso $T0.AddDays(1) }
        $updated = @(Get-RrInventory -CreatedAfter $T0 -CreatedBefore $T0.AddDays(2) -Sku 'PIPE-ME' | Set-RrInventoryHandling -HandlingCode oth -PassThru)
        $updated.ReturnInventoryId | Should -Be $ids
        $updated.HandlingCode | Should -Be 'oth', 'oth'
    }

    It 'accepts an integer code (2 is dis)' {
        $id = New-TestInventory
        (Set-RrInventoryHandling -ReturnInventoryId $id -HandlingCode 2 -PassThru).HandlingCode | Should -Be 'dis'
        (Get-ApiCall 'ReturnInventory/UpdateReturnInventoryHandling') | Should -HaveCount 1
    }

    It 'refuses <Code> before any call, with the reason' -ForEach @(
        @{ Code = 'tbc'; Reason = "^Cannot set handling code 'tbc': 'tbc' is the initial state and cannot be set; use Undo-RrInventoryHandling to go back to it\.$" }
        @{ Code = '0'; Reason = 'initial state' }
        @{ Code = 'rsd'; Reason = 'Resend' }
        @{ Code = 'rtn'; Reason = "^Cannot set handling code 'rtn': 'rtn' \(recall\) is set by creating a recall; use New-RrRecall\.$" }
        @{ Code = 'xyz'; Reason = 'not a handling type' }
    ) {
        $id = New-TestInventory
        $thrown = { Set-RrInventoryHandling -ReturnInventoryId $id -HandlingCode $Code } | Should -Throw -ErrorId 'RrHandlingCodeNotSettable,*' -PassThru
        $thrown.Exception.Message | Should -Match $Reason
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-ApiCall 'ReturnInventory/UpdateReturnInventoryHandling' | Should -HaveCount 0
    }

    It 'reports <Name> as a per-item error and goes on with the next inventory' -ForEach @(
        @{ Name = 'pending VAS'; With = @{ handlingCode = 'ohd'; pendingVas = $true }; Message = 'pending VAS'; Reason = 'PendingVas' }
        @{ Name = 'handling in progress'; With = @{ handlingCode = 'dis'; handlingStatusCode = 'inProgress' }; Message = "handling status is 'inProgress'"; Reason = 'NotEligible' }
        @{ Name = 'handling completed'; With = @{ handlingCode = 'dis'; handlingStatusCode = 'completed' }; Message = "handling status is 'completed'"; Reason = 'NotEligible' }
    ) {
        $bad = New-TestInventory -With $With
        $good = New-TestInventory
        $updated = @($bad, $good | Set-RrInventoryHandling -HandlingCode dis -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue)
        $updated.ReturnInventoryId | Should -Be $good
        $failures | Should -HaveCount 1
        $failures[0].TargetObject | Should -Be $bad
        $failures[0].Exception.Message | Should -Match "^Return inventory $bad .*$([regex]::Escape($Message))"
        $failures[0].FullyQualifiedErrorId | Should -BeLike "RrApi.$Reason,*"
        $failures[0].Exception.ItemId | Should -Be $bad
        $failures[0].Exception.Errors.Count | Should -BeGreaterThan 0
        $failures[0].Exception.CorrelationId | Should -Not -BeNullOrEmpty
    }

    It 'reports an unknown inventory as ObjectNotFound' {
        Set-RrInventoryHandling -ReturnInventoryId 999999999 -HandlingCode dis -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].Exception.Message | Should -Match '999999999 was not found'
    }

    It 'reports an inventory in an active recall' {
        $id = New-TestInventory
        $null = New-RrRecall -ReturnInventoryId $id
        Set-RrInventoryHandling -ReturnInventoryId $id -HandlingCode dis -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].Exception.Message | Should -Match 'active recall'
    }

    It 'sends nothing with -WhatIf and names the inventory, code and environment' {
        $ids = New-TestInventory -Count 2
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $ids | Set-RrInventoryHandling -HandlingCode dis -WhatIf } finally { $null = Stop-Transcript }
        Get-ApiCall 'ReturnInventory/UpdateReturnInventoryHandling' | Should -HaveCount 0
        @(Get-RrInventory -ReturnInventoryId $ids).HandlingCode | Should -Be 'tbc', 'tbc'
        $text = Get-Content -LiteralPath $transcript -Raw
        foreach ($id in $ids) { $text | Should -Match "Set handling to 'dis' \(Dispose\).*return inventory $id in Custom \(http://127\.0\.0\.1" }
    }

    It 'sends an ID repeated in the input once, with a warning' {
        $id = New-TestInventory
        $id, $id | Set-RrInventoryHandling -HandlingCode ohd -WarningVariable warnings -WarningAction SilentlyContinue
        Get-ApiCall 'ReturnInventory/UpdateReturnInventoryHandling' | Should -HaveCount 1
        "$warnings" | Should -Match 'more than once'
    }
}

Describe 'Undo-RrInventoryHandling' {
    BeforeEach { Reset-Emulator }

    It 'puts a pending decision back to tbc' {
        $ids = New-TestInventory -Count 2 -With @{ handlingCode = 'dis' }
        $result = @(Get-RrInventory -ReturnInventoryId $ids | Undo-RrInventoryHandling -PassThru)
        $result.ReturnInventoryId | Should -Be $ids
        $result.HandlingCode | Should -Be 'tbc', 'tbc'
        Get-ApiCall 'ReturnInventory/CancelReturnInventoryHandling' | Should -HaveCount 2
    }

    It 'is quiet without -PassThru' {
        $id = New-TestInventory -With @{ handlingCode = 'ohd' }
        Undo-RrInventoryHandling -ReturnInventoryId $id | Should -BeNullOrEmpty
        (Get-RrInventory -ReturnInventoryId $id).HandlingCode | Should -Be 'tbc'
    }

    It 'reports <Name> as a per-item error' -ForEach @(
        @{ Name = 'nothing to cancel'; With = @{ handlingCode = 'tbc' }; Message = 'no handling to cancel' }
        @{ Name = 'handling in progress'; With = @{ handlingCode = 'dis'; handlingStatusCode = 'inProgress' }; Message = "handling status is 'inProgress'" }
        @{ Name = 'handling completed'; With = @{ handlingCode = 'dis'; handlingStatusCode = 'completed' }; Message = "handling status is 'completed'" }
    ) {
        $bad = New-TestInventory -With $With
        $good = New-TestInventory -With @{ handlingCode = 'dis' }
        $result = @($bad, $good | Undo-RrInventoryHandling -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.ReturnInventoryId | Should -Be $good
        $failures | Should -HaveCount 1
        $failures[0].TargetObject | Should -Be $bad
        $failures[0].Exception.Message | Should -Match ([regex]::Escape($Message))
    }

    It 'reports an inventory in an active recall' {
        $id = New-TestInventory
        $null = New-RrRecall -ReturnInventoryId $id
        Undo-RrInventoryHandling -ReturnInventoryId $id -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].Exception.Message | Should -Match 'cancel the recall instead'
    }

    It 'sends nothing with -WhatIf' {
        $id = New-TestInventory -With @{ handlingCode = 'dis' }
        Undo-RrInventoryHandling -ReturnInventoryId $id -WhatIf
        Get-ApiCall 'ReturnInventory/CancelReturnInventoryHandling' | Should -HaveCount 0
        (Get-RrInventory -ReturnInventoryId $id).HandlingCode | Should -Be 'dis'
    }
}

Describe 'Reference data' {
    BeforeEach {
        Reset-Emulator
        # A fresh session: empty cache.
        $script:fresh = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -SkipCredentialCheck -PassThru
    }

    It 'gets typed handling types and caches them in the session' {
        $types = @(Get-RrHandlingType)
        $types | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ReturnsHelper.HandlingType' }
        $types.HandlingCode | Should -Contain 'dis'
        ($types | Where-Object HandlingCode -eq 'dis').HandlingDescription | Should -Not -BeNullOrEmpty
        $null = Get-RrHandlingType
        Get-ApiCall 'handling/getAllHandlings' | Should -HaveCount 1
        $null = Get-RrHandlingType -Refresh
        Get-ApiCall 'handling/getAllHandlings' | Should -HaveCount 2
    }

    It 'gets typed warehouses, cached, and filters by ID' {
        $all = @(Get-RrWarehouse)
        $all | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ReturnsHelper.Warehouse' }
        $all.WarehouseId | Should -Contain 2
        (Get-RrWarehouse -WarehouseId 2).WarehouseId | Should -Be 2
        Get-ApiCall 'warehouse/getAllWarehouse' | Should -HaveCount 1
    }

    It 'reports a warehouse that does not exist as ObjectNotFound' {
        Get-RrWarehouse -WarehouseId 999 -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'returns the warehouses of piped inventories, each once' {
        $ids = New-TestInventory -Count 3 -With @{ warehouseId = 1034 }
        @($ids | Get-RrInventory | Get-RrWarehouse).WarehouseId | Should -Be 1034
    }

    It 'filters handling types by wildcard' {
        @(Get-RrHandlingType -HandlingCode 'd*').HandlingCode | Should -Be 'dis'
    }
}

Describe 'Tab completion' {
    BeforeAll {
        function Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches }
    }
    BeforeEach {
        Reset-Emulator
        $script:fresh = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -SkipCredentialCheck -PassThru
    }

    It 'completes the settable handling codes of Set-RrInventoryHandling with their meanings' {
        $found = @(Complete 'Set-RrInventoryHandling -HandlingCode ')
        $found.CompletionText | Should -Contain 'dis'
        $found.CompletionText | Should -Contain 'ohd'
        $found.CompletionText | Should -Not -Contain 'tbc'
        $found.CompletionText | Should -Not -Contain 'rsd'
        $found.CompletionText | Should -Not -Contain 'rtn'
        ($found | Where-Object CompletionText -eq 'dis').ToolTip | Should -Match 'Dispos'
    }

    It 'completes every handling code for the Get-RrInventory filter, by prefix' {
        @(Complete 'Get-RrInventory -HandlingCode t').CompletionText | Should -Be 'tbc'
        @(Complete 'Get-RrInventory -HandlingCode ').CompletionText | Should -Contain 'rtn'
    }

    It 'completes handling statuses' {
        @(Complete 'Get-RrInventory -HandlingStatus in').CompletionText | Should -Be 'inProgress'
    }

    It 'completes warehouse IDs, fetching them once when nothing is cached, then from the cache' {
        $found = @(Complete 'Get-RrInventory -WarehouseId ')
        $found.CompletionText | Should -Contain '2'
        $found.CompletionText | Should -Contain '1034'
        ($found | Where-Object CompletionText -eq '2').ToolTip | Should -Not -BeNullOrEmpty
        $null = Complete 'Get-RrInventory -WarehouseId 10'
        Get-ApiCall 'warehouse/getAllWarehouse' | Should -HaveCount 1
        @(Complete 'Get-RrInventory -WarehouseId 103').CompletionText | Should -Be '1034'
    }

    It 'uses the session given with -Session' {
        # Global: the completion engine evaluates the -Session argument in the global scope.
        $global:RrTestOtherSession = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -SkipCredentialCheck -PassThru
        $null = Get-RrWarehouse -Session $RrTestOtherSession
        $null = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -SkipCredentialCheck
        Disconnect-RrService   # no default session any more; the other one stays open
        try {
            @(Complete 'Get-RrInventory -WarehouseId ') | Should -HaveCount 0
            @(Complete 'Get-RrInventory -Session $RrTestOtherSession -WarehouseId ').CompletionText | Should -Contain '1034'
        }
        finally {
            Disconnect-RrService -Session $RrTestOtherSession
            Remove-Variable -Name RrTestOtherSession -Scope Global
            $null = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -SkipCredentialCheck
        }
    }

    It 'does not wait for a service that never answers, and still offers the documented codes' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()   # accepts connections but never answers
        $connections = [Collections.Generic.List[Net.Sockets.TcpClient]]::new()
        try {
            $port = $listener.LocalEndpoint.Port
            $null = Connect-RrService -BaseUri "http://127.0.0.1:$port/uat/user/api" -ApiKey 'k' -ApiToken (ConvertTo-SecureString 't' -AsPlainText -Force) -SkipCredentialCheck
            $codes = @(Complete 'Get-RrInventory -HandlingCode ')
            # The Tab came back while its fetch is still waiting for an answer that never comes (its connection is open, unanswered).
            $connections.Add($listener.AcceptTcpClient())
            $codes.CompletionText | Should -Be 'tbc', 'rtn', 'dis', 'rsd', 'ohd', 'oth'

            # The same list again: the pending fetch is reused, no second request.
            $codesAgain = @(Complete 'Set-RrInventoryHandling -HandlingCode ')
            $codesAgain.CompletionText | Should -Be 'dis', 'ohd', 'oth'

            # Another list has its own fetch (one more connection), and nothing else was started meanwhile.
            $warehouses = @(Complete 'Get-RrInventory -WarehouseId ')
            $connections.Add($listener.AcceptTcpClient())
            $warehouses | Should -HaveCount 0
            $listener.Pending() | Should -BeFalse -Because 'the second Tab on the handling codes must not start another fetch'
        }
        finally {
            foreach ($connection in $connections) { $connection.Dispose() }
            $listener.Stop()
            $null = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -SkipCredentialCheck
        }
    }
}

Describe 'Get-RrInventory | New-RrRecall' {
    BeforeAll { Reset-Emulator }

    It 'recalls the first ten inventories that are to be confirmed' {
        $before = Get-RecalledId   # the seed has recalls of its own
        $recalls = @(Get-RrInventory -HandlingCode tbc | Select-Object -First 10 | New-RrRecall)
        $recalled = @($recalls.RecallInventoryList.ReturnInventoryId)
        $recalled | Should -HaveCount 10
        $new = @(Get-RecalledId | Where-Object { $_ -notin $before })
        @($new | Sort-Object) | Should -Be @($recalled | Sort-Object)
        @(Get-RrInventory -ReturnInventoryId $recalled).HandlingCode | Select-Object -Unique | Should -Be 'rtn'
    }
}
