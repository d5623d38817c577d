# Export-ready output against the emulator: what Export-Csv writes for recalls and their inventories (read back from
# the file), times with their offset, listing rows that leave what the listing does not return $null, recalls after a
# partial cancel, and default views that fit 80 columns with labels that are property names.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0'
    Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken

    # Exports with Export-Csv, returns the rows read back and the file's text.
    function Export-AndRead([object[]] $InputObject) {
        $path = Join-Path $TestDrive "$([guid]::NewGuid()).csv"
        $InputObject | Export-Csv -LiteralPath $path -NoTypeInformation
        [pscustomobject]@{ Rows = @(Import-Csv -LiteralPath $path); Text = Get-Content -LiteralPath $path -Raw }
    }

    # What Export-Csv writes for a list whose values it cannot show.
    $script:TypeNameCell = '"(System\.[\w.]+|ReturnsHelper\.\w+)(\[\]|`\d\[)'

    # A time in the past the emulator's seed never reaches, so listings hold only what a test adds.
    $script:T0 = [datetime]::SpecifyKind([datetime]::UtcNow.Date.AddDays(-700), 'Utc')
    function Iso([datetime] $Utc) { $Utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [cultureinfo]::InvariantCulture) }
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'New-RrRecall | Export-Csv' {
    BeforeAll {
        Reset-RrTestEmulator $emulator
        $script:east = New-RrTestInventory -Emulator $emulator -Count 2
        $script:west = New-RrTestInventory -Emulator $emulator -Count 1 -With @{ warehouseId = 1034 }
        $script:recalls = @(@($east) + @($west) | New-RrRecall)
        $script:csv = Export-AndRead $recalls
    }

    It 'writes one row per recall with the ids of its inventories readable' {
        $recalls | Should -HaveCount 2
        $csv.Rows | Should -HaveCount 2
        foreach ($row in $csv.Rows) {
            $recall = $recalls | Where-Object RecallNumber -eq $row.RecallNumber
            $expected = @($recall.RecallInventoryList.ReturnInventoryId) -join ';'
            $row.ReturnInventoryIdText | Should -Be $expected
            $row.ReturnInventoryIds | Should -Be $expected
            $row.RecallInventoryList | Should -Be $expected
            $row.Items | Should -Be $recall.RecallInventoryList.Count
        }
        @($csv.Rows | ForEach-Object { $_.ReturnInventoryIdText -split ';' } | Sort-Object) | Should -Be @(@($east) + @($west) | ForEach-Object { "$_" } | Sort-Object)
    }

    It 'writes no type name instead of values' {
        $csv.Text | Should -Not -Match $TypeNameCell
    }

    It 'writes CreateOn with its offset' {
        foreach ($row in $csv.Rows) {
            $recall = $recalls | Where-Object RecallNumber -eq $row.RecallNumber
            $row.CreateOn | Should -Match '\+00:00$'
            $read = [DateTimeOffset]::Parse($row.CreateOn, [cultureinfo]::CurrentCulture)
            $read.Offset | Should -Be ([timespan]::Zero)
            [math]::Abs(($read - $recall.CreateOn).TotalSeconds) | Should -BeLessThan 1   # the CSV text has whole seconds
        }
    }

    It 'expands to one row per inventory, each naming its recall and warehouse' {
        $lines = Export-AndRead ($recalls | Select-Object -ExpandProperty RecallInventoryList)
        $lines.Rows | Should -HaveCount 3
        $lines.Text | Should -Not -Match $TypeNameCell
        foreach ($row in $lines.Rows) {
            $recall = $recalls | Where-Object { $_.ReturnInventoryIds -contains [long] $row.ReturnInventoryId }
            $row.RecallId | Should -Be $recall.RecallId
            $row.RecallNumber | Should -Be $recall.RecallNumber
            $row.WarehouseId | Should -Be $recall.WarehouseId
        }
        @($lines.Rows | Where-Object WarehouseId -eq 1034).ReturnInventoryId | Should -Be "$west"
    }
}

Describe 'Get-RrInventory listing rows' {
    BeforeAll {
        Reset-RrTestEmulator $emulator
        $created = Iso $T0.AddHours(1)
        $script:withVas = New-RrTestInventory -Emulator $emulator -Count 2 -With @{ handlingCode = 'ohd'; pendingVas = $true; createOn = $created }
        $script:plain = New-RrTestInventory -Emulator $emulator -Count 1 -With @{ handlingCode = 'ohd'; createOn = $created }
        $script:rows = @(Get-RrInventory -CreatedAfter $T0 -CreatedBefore $T0.AddDays(1))
    }

    It 'leaves what the listing does not return $null, HasPendingVas included' {
        $rows | Should -HaveCount 3
        foreach ($row in $rows) {
            $row.IsPartial | Should -BeTrue
            $row.HandlingCode | Should -Be 'ohd'
            $null -eq $row.HasPendingVas | Should -BeTrue
            $null -eq $row.ImageUrls | Should -BeTrue
            $null -eq $row.Meta | Should -BeTrue
            $row.Description | Should -BeNullOrEmpty
            $row.Quantity | Should -BeNullOrEmpty
        }
    }

    It 'exports unknown fields as empty cells, not False' {
        $csv = Export-AndRead $rows
        $csv.Rows.HasPendingVas | Should -Be @('', '', '')
        $csv.Rows.IsPartial | Should -Be @('True', 'True', 'True')
        $csv.Text | Should -Not -Match $TypeNameCell
    }

    It 'gives the full records when the rows are piped to Get-RrInventory' {
        $full = @($rows | Get-RrInventory)
        $full.IsPartial | Should -Be @($false, $false, $false)
        @($full | Where-Object HasPendingVas).ReturnInventoryId | Sort-Object | Should -Be ($withVas | Sort-Object)
        ($full | Where-Object ReturnInventoryId -eq $plain[0]).HasPendingVas | Should -BeFalse
        ($full | Where-Object ReturnInventoryId -eq $plain[0]).HasPendingVas | Should -Not -BeNullOrEmpty
        (Export-AndRead $full).Text | Should -Not -Match $TypeNameCell
    }

    It 'has CreateOn as a UTC DateTimeOffset that views and CSV show with its offset' {
        $rows[0].CreateOn | Should -BeOfType [DateTimeOffset]
        $rows[0].CreateOn.Offset | Should -Be ([timespan]::Zero)
        $rows[0].CreateOn.UtcDateTime | Should -Be $T0.AddHours(1)
        ($rows[0] | Format-List CreateOn | Out-String) | Should -Match '\+00:00'
        (Export-AndRead $rows[0]).Rows[0].CreateOn | Should -Match '\+00:00$'
    }

    It 'takes a CreateOn back as -CreatedAfter and -CreatedBefore, to the tick' {
        $from = $rows[0].CreateOn
        @(Get-RrInventory -CreatedAfter $from -CreatedBefore $from.AddTicks(1)) | Should -HaveCount 3
        @(Get-RrInventory -CreatedAfter $from.AddTicks(1) -CreatedBefore $from.AddDays(1)) | Should -HaveCount 0
    }
}

Describe 'A recall after Stop-RrRecall -ReturnInventoryId' {
    BeforeAll {
        Reset-RrTestEmulator $emulator
        $script:ids = New-RrTestInventory -Emulator $emulator -Count 3
        $script:recall = $ids | New-RrRecall
        $script:changed = Stop-RrRecall -ReturnInventoryId $ids[1] -Confirm:$false
    }

    It 'shows the removed inventory apart from the ones still in the recall' {
        $changed.RecallId | Should -Be $recall.RecallId
        $changed.RecallStatusCode | Should -Be 'pending'
        @($changed.RecallInventoryList.ReturnInventoryId) | Should -Be @($ids[0], $ids[2])
        @($changed.ReturnInventoryIds) | Should -Be @($ids[0], $ids[2])
        $changed.Items | Should -Be 2
        $changed.ReturnInventoryIdText | Should -Be "$($ids[0]);$($ids[2])"
        @($changed.RemovedInventoryList.ReturnInventoryId) | Should -Be @($ids[1])
        $changed.RemovedInventoryList[0].RecallInventoryStatusCode | Should -Be 'canceled'
        $changed.RemovedReturnInventoryIdText | Should -Be "$($ids[1])"
    }

    It 'reads back the same from the ledger, also by the removed inventory' {
        $known = Get-RrRecall -ReturnInventoryId $ids[1]
        $known.RecallId | Should -Be $recall.RecallId
        @($known.ReturnInventoryIds) | Should -Be @($ids[0], $ids[2])
        $known.RemovedReturnInventoryIdText | Should -Be "$($ids[1])"
        ($known | Format-Table | Out-String -Width 80) | Should -Match "(?m)^$([regex]::Escape($recall.RecallNumber))\s+pending\s+2\s+2\s+$($ids[0]);$($ids[2])\s*$"
    }

    It 'keeps every inventory in the list once the whole recall is cancelled' {
        $cancelled = Stop-RrRecall -ReturnInventoryId $ids[0], $ids[2] -Confirm:$false
        $cancelled.RecallStatusCode | Should -Be 'canceled'   # the service cancels a recall left without inventories
        @($cancelled.RecallInventoryList.ReturnInventoryId) | Should -Be $ids
        $cancelled.Items | Should -Be 3
        $cancelled.RemovedInventoryList | Should -BeNullOrEmpty
    }
}

Describe 'Default views' {
    BeforeAll {
        Reset-RrTestEmulator $emulator
        # Values as long as the service's: 23-character RMAs, 17-character recall numbers, many ids.
        $inventoryIds = New-RrTestInventory -Emulator $emulator -Count 12
        $recalls = @($inventoryIds | New-RrRecall)
        $body = @{
            recall   = '{"category":"recall","action":"recallUpdateStatus","eventTime":"2026-11-30T10:00:00Z","version":"202407","recallUpdateTypeStatus":"updateTrackingNumber","recall":{"recallId":1,"recallNumber":"RCL261130-0000001","recallStatusCode":"in-progress","recallInventoryList":[{"returnInventoryId":11,"trackingNumber":"AWB-0000000001"}]}}'
            created  = '{"category":"newInventoryCreated","action":"newInventoryCreated","eventTime":"2026-11-30T10:00:00Z","version":"202407","returnInventory":{"returnInventoryId":"12","rma":"USE-2-261130-D00001-12"},"shipment":{"shipmentId":1234567,"trackingNumber":"1Z999AA10123456784","serviceType":"ups-ground","shipToWarehouseId":1034,"receiveDate":"2026-11-30T09:00:00Z"}}'
            label    = '{"category":"labelGenerated","action":"labelGenerated","eventTime":"2026-11-30T10:00:00Z","label":{"labelId":9876543,"shipmentId":1234567,"labelRequestStatusCode":"success","trackingNumber":"1Z999AA10123456784","labelUrl":"https://label.example.com/labels/2026/11/30/1234567.pdf"}}'
        }
        $events = @($body.recall, $body.created, $body.label | ConvertFrom-RrWebhook)
        $shipTo = @{ ServiceType = 'SHIPMENT_USPS_PM_NJ'; Name = 'Ada Buyer'; Street1 = '1 Main St'; City = 'New York'; PostalCode = '10001'; CountryCode = 'usa' }
        $resendIds = New-RrTestInventory -Emulator $emulator -Count 6
        $resends = @($resendIds | New-RrResend @shipTo)
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path "resends/$($resends[0].ResendId)/advance"
        $script:samples = @{
            'ReturnsHelper.Inventory'       = @($inventoryIds | Get-RrInventory)
            'ReturnsHelper.HandlingType'    = @(Get-RrHandlingType)
            'ReturnsHelper.Warehouse'       = @(Get-RrWarehouse)
            'ReturnsHelper.Recall'          = $recalls
            'ReturnsHelper.RecallInventory' = @($recalls | Select-Object -ExpandProperty RecallInventoryList)
            'ReturnsHelper.WebhookEvent'    = $events
            'ReturnsHelper.WebhookShipment' = @($events[1].Shipment)
            'ReturnsHelper.WebhookLabel'    = @($events[2].Label)
            'ReturnsHelper.Vas'             = @(New-RrTestInventory -Emulator $emulator -Count 2 -With @{ handlingCode = 'ohd' } | New-RrVasRequest -Service req-pic, prd-inspec -Quantity 12 -Note 'Photograph the screen')
            'ReturnsHelper.VasType'         = @(Get-RrVasType)
            'ReturnsHelper.Resend'          = @($resends | Get-RrResend)
            'ReturnsHelper.ResendQuote'     = @($resendIds[0..1] | Get-RrResendQuote -CountryCode usa -PostalCode 10001)
            'ReturnsHelper.ApiBalance'      = @(Get-RrBalance)
        }
        $script:formats = @(Get-FormatData -TypeName 'ReturnsHelper.*')
        $script:tableViews = @($formats | Where-Object { $_.FormatViewDefinition[0].Control -is [System.Management.Automation.TableControl] })
    }

    It 'has a sample for every table view' {
        @($tableViews.TypeNames | Sort-Object) | Should -Be @($samples.Keys | Sort-Object)
    }

    It '<TypeName> fits 80 columns with every column and an unbroken header' -ForEach @(
        'ReturnsHelper.Inventory', 'ReturnsHelper.HandlingType', 'ReturnsHelper.Warehouse', 'ReturnsHelper.Recall',
        'ReturnsHelper.RecallInventory', 'ReturnsHelper.WebhookEvent', 'ReturnsHelper.WebhookShipment', 'ReturnsHelper.WebhookLabel',
        'ReturnsHelper.Vas', 'ReturnsHelper.VasType', 'ReturnsHelper.Resend', 'ReturnsHelper.ResendQuote', 'ReturnsHelper.ApiBalance' |
            ForEach-Object { @{ TypeName = $_ } }
    ) {
        $labels = @((Get-FormatData -TypeName $TypeName).FormatViewDefinition[0].Control.Headers.Label)
        $labels | Should -Not -Contain $null
        $lines = @(($samples[$TypeName] | Format-Table | Out-String -Width 80) -split '\r?\n')
        $lines | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
        # The header is one line holding every label, in order, none cut short.
        $header = $lines | Where-Object { $_ -match "^\s*$([regex]::Escape($labels[0]))\s" } | Select-Object -First 1
        $header | Should -Not -BeNullOrEmpty
        $header | Should -Match (($labels | ForEach-Object { [regex]::Escape($_) }) -join '\s+')
        $header | Should -Not -Match '…|\.\.\.'
        # Every object has its row: the value of its first column is there, whole.
        $firstColumn = (Get-FormatData -TypeName $TypeName).FormatViewDefinition[0].Control.Rows[0].Columns[0].DisplayEntry.Value
        foreach ($object in $samples[$TypeName]) {
            $lines -match "(^|\s)$([regex]::Escape([string] $object.$firstColumn))(\s|$)" | Should -Not -BeNullOrEmpty
        }
    }

    It 'labels of <TypeName> are property names' -ForEach @(
        'ReturnsHelper.Inventory', 'ReturnsHelper.HandlingType', 'ReturnsHelper.Warehouse', 'ReturnsHelper.Recall',
        'ReturnsHelper.RecallInventory', 'ReturnsHelper.WebhookEvent', 'ReturnsHelper.WebhookShipment', 'ReturnsHelper.WebhookLabel',
        'ReturnsHelper.Vas', 'ReturnsHelper.VasType', 'ReturnsHelper.Resend', 'ReturnsHelper.ResendQuote', 'ReturnsHelper.ApiBalance' |
            ForEach-Object { @{ TypeName = $_ } }
    ) {
        $sample = $samples[$TypeName][0]
        foreach ($label in (Get-FormatData -TypeName $TypeName).FormatViewDefinition[0].Control.Headers.Label) {
            $sample.PSObject.Properties[$label] | Should -Not -BeNullOrEmpty -Because "'$label' is a column of the $TypeName view"
        }
    }

    It 'Get-RrSession | Select-Object with every label of its view gives values' {
        $items = (Get-FormatData -TypeName ReturnsHelper.RrSession).FormatViewDefinition[0].Control.Entries[0].Items
        $labels = @($items | ForEach-Object { if ($_.Label) { $_.Label } else { $_.DisplayEntry.Value } })
        $labels | Should -Contain 'MaskedApiKey'
        $labels | Should -Contain 'IsConnected'
        $selected = Get-RrSession | Select-Object $labels
        foreach ($label in $labels) {
            $selected.$label | Should -Not -BeNullOrEmpty -Because "'$label' is shown by the session view"
        }
        $selected.IsConnected | Should -BeTrue
        ($selected | Out-String) | Should -Not -Match 'emulator-token|emulator-key'
    }
}
