# The scripting contracts of about_ReturnsHelper: one input contract (the ID column under any usual name, one
# terminating error for a file without one, the input row as TargetObject, Stop-RrRecall's pipeline) and one error
# contract (an error ID and category per reason, details as properties, output before errors, unknown outcomes).
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $module = Import-RrTestModule
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0'

    function New-TestInventory([int] $Count = 1, [hashtable] $With = @{}) { New-RrTestInventory -Emulator $emulator -Count $Count -With $With }
    function Get-ApiCall([string] $Path) { Get-RrTestApiCall -Emulator $emulator -PathLike $Path }
    function New-TestCsv([string] $Name, [object[]] $Rows, [string] $Delimiter = ',') {
        $path = Join-Path $TestDrive "$Name-$([guid]::NewGuid().ToString('N').Substring(0, 6)).csv"
        $Rows | Export-Csv -LiteralPath $path -NoTypeInformation -Delimiter $Delimiter
        $path
    }

    Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
    # Every cmdlet that takes inventory IDs, found rather than listed, so a new one is checked without editing this file.
    $script:InventoryCmdlets = @($module.ExportedCmdlets.Values | Where-Object { $_.Parameters.ContainsKey('ReturnInventoryId') } | ForEach-Object Name | Sort-Object)
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'One input contract' {
    BeforeEach { Reset-RrTestEmulator -Emulator $emulator }

    It 'reads the ID column named <Header>' -ForEach @(
        @{ Header = 'ReturnInventoryId' }, @{ Header = 'Return Inventory ID' }, @{ Header = 'Inventory ID' }, @{ Header = 'Return Inventory' },
        @{ Header = 'return_inventory_id' }, @{ Header = 'returnInventoryIdList' }, @{ Header = 'inventory-id' }, @{ Header = 'ID' }
    ) {
        $ids = New-TestInventory -Count 2
        $csv = New-TestCsv 'ids' ($ids | ForEach-Object { [pscustomobject]@{ $Header = $_; Note = 'from the admin' } })
        @(Import-Csv -LiteralPath $csv | Get-RrInventory).ReturnInventoryId | Should -Be $ids
        $recall = Import-Csv -LiteralPath $csv | New-RrRecall
        @($recall.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
        @(Import-Csv -LiteralPath $csv | Get-RrRecall).RecallId | Should -Be $recall.RecallId
        # Inventory rows piped into Stop-RrRecall take those inventories out of their recall.
        $null = Import-Csv -LiteralPath $csv | Select-Object -First 1 | Stop-RrRecall
        Get-ApiCall 'Recall/cancelRecallByReturnInventoryId' | Should -HaveCount 1
        @(Get-RrTestActiveRecalledId -Emulator $emulator) | Should -Be @($ids[1])
    }

    It 'finds the cmdlets that take inventory IDs' {
        # A few known ones: an empty or broken search would make the checks below pass vacuously.
        $InventoryCmdlets | Should -Contain 'New-RrRecall'
        $InventoryCmdlets | Should -Contain 'Set-RrInventoryHandling'
        $InventoryCmdlets | Should -Contain 'New-RrVasRequest'
        $InventoryCmdlets | Should -Contain 'Get-RrVas'
    }

    It 'gives every cmdlet the same -ReturnInventoryId aliases, and each works as a parameter and as a property name' {
        $sets = foreach ($name in $InventoryCmdlets) { , @((Get-Command $name).Parameters['ReturnInventoryId'].Aliases | Sort-Object) }
        $sets | ForEach-Object { $_ -join ',' } | Select-Object -Unique | Should -HaveCount 1
        $id = New-TestInventory
        foreach ($alias in $sets[0]) {
            (Get-RrInventory @{ $alias = $id }).ReturnInventoryId | Should -Be $id -Because "-$alias"
            (@{ $alias = $id } | Get-RrInventory).ReturnInventoryId | Should -Be $id -Because "a hashtable key '$alias'"
            ([pscustomobject]@{ $alias = $id } | Get-RrInventory).ReturnInventoryId | Should -Be $id -Because "a property '$alias'"
        }
    }

    It 'stops with one error naming the columns it found when the first row has no ID column' {
        $csv = New-TestCsv 'wrong' (1..500 | ForEach-Object { [pscustomobject]@{ Name = "item $_"; Note = 'x' } })
        $thrown = { Import-Csv -LiteralPath $csv | New-RrRecall -ErrorVariable failures } | Should -Throw -ErrorId 'RrNoIdProperty,*' -PassThru
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $thrown.Exception.Message | Should -Match "'Name', 'Note'"
        $thrown.Exception.Message | Should -Match "'ReturnInventoryId'"
        $thrown.TargetObject.Name | Should -Be 'item 1'
        @($failures) | Should -HaveCount 1
        Get-ApiCall 'Recall/createRecallByReturnInventoryId' | Should -HaveCount 0
        foreach ($name in 'Get-RrInventory', 'Set-RrInventoryHandling') {
            { Import-Csv -LiteralPath $csv | & $name -HandlingCode ohd } | Should -Throw -ErrorId 'RrNoIdProperty,*' -Because $name
        }
    }

    It 'hints at the delimiter when the one column name holds a semicolon' {
        $ids = New-TestInventory -Count 3
        $csv = New-TestCsv 'semicolon' ($ids | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_; Note = 'x' } }) -Delimiter ';'
        $thrown = { Import-Csv -LiteralPath $csv | New-RrRecall } | Should -Throw -ErrorId 'RrNoIdProperty,*' -PassThru
        $thrown.Exception.Message | Should -Match "Import-Csv -Delimiter ';'"
        # Read as the message says, it works.
        @((Import-Csv -LiteralPath $csv -Delimiter ';' | New-RrRecall).RecallInventoryList) | Should -HaveCount 3
    }

    It 'keeps the input row as the TargetObject of every error, so the rejected rows export with their own columns' {
        $good = New-TestInventory -Count 2
        $disposed = New-TestInventory -With @{ handlingCode = 'dis' }
        $rows = @(
            [pscustomobject]@{ 'Return Inventory ID' = $good[0]; Customer = 'A' }
            [pscustomobject]@{ 'Return Inventory ID' = 'abc'; Customer = 'B' }
            [pscustomobject]@{ 'Return Inventory ID' = 987654321; Customer = 'C' }
            [pscustomobject]@{ 'Return Inventory ID' = $disposed; Customer = 'D' }
            [pscustomobject]@{ 'Return Inventory ID' = $good[1]; Customer = 'E' }
        )
        $csv = New-TestCsv 'rows' $rows
        $recalls = Import-Csv -LiteralPath $csv | New-RrRecall -ErrorVariable rejected -ErrorAction SilentlyContinue
        @($recalls.RecallInventoryList) | Should -HaveCount 2
        $rejected | Should -HaveCount 3
        $out = Join-Path $TestDrive 'rejected.csv'
        $rejected | ForEach-Object TargetObject | Export-Csv -LiteralPath $out -NoTypeInformation
        $back = Import-Csv -LiteralPath $out
        $back[0].PSObject.Properties.Name | Should -Be 'Return Inventory ID', 'Customer'
        @($back.Customer) | Should -Be 'B', 'C', 'D'
        # With the reason next to the user's own columns.
        $report = $rejected | Select-Object @{ n = 'Customer'; e = { $_.TargetObject.Customer } }, @{ n = 'Reason'; e = { $_.FullyQualifiedErrorId.Split(',')[0] } }
        @($report.Reason) | Should -Be 'RrInvalidInput', 'RrApi.NotFound', 'RrApi.NotEligible'
    }

    It 'points an RMA given as an ID to Get-RrInventory -Rma, and that finds it' {
        $id = New-TestInventory
        $rma = (Get-RrInventory -ReturnInventoryId $id).Rma
        $rows = [pscustomobject]@{ 'Return Inventory ID' = $rma; Note = 'the admin had the RMA' }
        $rows | New-RrRecall -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrInvalidInput,*'
        $failures[0].Exception.Message | Should -Match ([regex]::Escape("Get-RrInventory -Rma '$rma'"))
        $failures[0].TargetObject.Note | Should -Be 'the admin had the RMA'
        Get-ApiCall 'Recall/createRecallByReturnInventoryId' | Should -HaveCount 0
        # As the message says:
        @(Get-RrInventory -Rma $rma | New-RrRecall).RecallInventoryList.ReturnInventoryId | Should -Be $id
    }

    It 'refuses IDs with control characters and reports a throwing property getter with its own message' {
        $good = New-TestInventory
        $nul = "$good`0"
        $bell = "1$([char]7)2"
        $throwing = [pscustomobject]@{}
        $throwing | Add-Member -MemberType ScriptProperty -Name ReturnInventoryId -Value { throw 'the export tool crashed here' }
        $recall = @($nul, $bell, $throwing, $good) | New-RrRecall -ErrorVariable failures -ErrorAction SilentlyContinue
        @($recall.RecallInventoryList.ReturnInventoryId) | Should -Be @($good)
        $failures | Should -HaveCount 3
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'RrInvalidInput,*' }
        $failures[0].Exception.Message | Should -Match 'control character U\+0000'
        $failures[0].Exception.Message | Should -Not -Match "`0"
        $failures[1].Exception.Message | Should -Match 'U\+0007'
        $failures[2].Exception.Message | Should -Match 'the export tool crashed here'
        $failures[2].Exception.Message | Should -Not -Match 'null'
        (Get-ApiCall 'Recall/createRecallByReturnInventoryId')[0].body | Should -Not -Match "$good\D*$good"
    }

    It 'Stop-RrRecall takes bare recall IDs and numbers from the pipeline and has no positional parameter' {
        $recalls = foreach ($i in 1..3) { @(New-TestInventory) | New-RrRecall }
        @($recalls[0].RecallId | Stop-RrRecall).RecallStatusCode | Should -Be 'canceled'
        @("$($recalls[1].RecallId)" | Stop-RrRecall).RecallStatusCode | Should -Be 'canceled'
        @($recalls[2].RecallNumber | Stop-RrRecall).RecallStatusCode | Should -Be 'canceled'
        { Stop-RrRecall 100001 } | Should -Throw -ErrorId 'PositionalParameterNotFound,*'
        (Get-Command Stop-RrRecall).ParameterSets.Parameters | Where-Object Position -ge 0 | Should -BeNullOrEmpty
    }
}

Describe 'One error contract' {
    BeforeEach {
        Reset-RrTestEmulator -Emulator $emulator
        Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken # the default again, after a test's own -PassThru session
    }

    It 'writes what a batch created before the batch''s errors under -ErrorAction Stop' {
        $good = New-TestInventory -Count 2
        $created = $null
        $thrown = $null
        try { @($good[0], 987654321, $good[1]) | New-RrRecall -ErrorAction Stop -OutVariable created | Out-Null }
        catch { $thrown = $_ }
        $thrown.FullyQualifiedErrorId | Should -BeLike 'RrApi.NotFound,*'
        @($created.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($good | Sort-Object)
    }

    It 'reports a write that got no definitive answer as an unknown outcome, and a rerun finds what it did' {
        $ids = New-TestInventory -Count 3
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -MaxAttempts 2 -PassThru
        Add-RrTestFault -Emulator $emulator -Fault @{ path = 'Recall/createRecallByReturnInventoryId'; kind = 'drop-after-commit'; count = 2 }
        $first = $ids | New-RrRecall -Session $session -ErrorVariable failures -ErrorAction SilentlyContinue
        $first | Should -BeNullOrEmpty
        $failures | Should -HaveCount 3
        foreach ($failure in $failures) {
            $failure.FullyQualifiedErrorId | Should -BeLike 'RrApi.OutcomeUnknown,*'
            $failure.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $failure.Exception.Message | Should -Match 'may have succeeded'
            $failure.Exception.Message | Should -Match 'Run the same command again'
            $failure.Exception.Message | Should -Not -Match '\.\.|\(Parameter|Object name'
        }
        @(Get-RrRecall -Pending -Session $session) | Should -HaveCount 1
        # The rerun resends the batch with its key: the recall the first attempt made, not a second one.
        $again = $ids | New-RrRecall -Session $session
        @($again.RecallInventoryList.ReturnInventoryId) | Sort-Object | Should -Be ($ids | Sort-Object)
        @(Get-RrTestActiveRecalledId -Emulator $emulator) | Sort-Object | Should -Be ($ids | Sort-Object)
        @(Get-RrRecall -Pending -Session $session) | Should -HaveCount 0
        Disconnect-RrService -Session $session
    }

    It 'keeps a failed read one sentence: no code or correlation suffix, nothing twice' {
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -MaxAttempts 2 -PassThru
        $id = New-TestInventory
        Add-RrTestFault -Emulator $emulator -Fault @{ path = 'ReturnInventory/GetReturnInventory'; kind = 'status'; status = 503; retryAfterSeconds = 0; count = 2 }
        Get-RrInventory -ReturnInventoryId $id -Session $session -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.ServiceUnavailable,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $failures[0].Exception.Message | Should -Not -Match 'correlation id|\[[A-Z_]+\]|\.\.'
        $failures[0].Exception.HttpStatus | Should -Be 503
        $failures[0].Exception.ItemId | Should -Be $id
        Disconnect-RrService -Session $session
    }

    It 'says a session was disconnected without .NET leftovers' {
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -PassThru
        Disconnect-RrService -Session $session
        $thrown = { Get-RrInventory -ReturnInventoryId 1 -Session $session } | Should -Throw -ErrorId 'RrSessionDisconnected,*' -PassThru
        $thrown.Exception.Message | Should -Not -Match 'Object name'
    }
}

Describe 'The default session of a -Parallel iteration' {
    It 'is not the one an earlier iteration in the same (reused) runspace connected' {
        $base, $key, $token = $emulator.UserApiBase, $emulator.ApiKey, $emulator.ApiToken
        $module = Get-RrModulePath
        $seen = 1..4 | ForEach-Object -ThrottleLimit 1 -Parallel {
            Import-Module $using:module
            $before = [bool](Get-RrSession)
            # Odd iterations connect; even ones must not inherit that session.
            if ($_ % 2) { Connect-RrService -BaseUri $using:base -ApiKey $using:key -ApiToken $using:token }
            [pscustomobject]@{ Iteration = $_; HadSession = $before; Runspace = [runspace]::DefaultRunspace.Id
                Failed = $(try { $null = Get-RrInventory -ReturnInventoryId 1 -ErrorAction Stop; $false } catch { $_.FullyQualifiedErrorId -like 'RrNoSession*' }) }
        }
        @($seen.Runspace | Select-Object -Unique) | Should -HaveCount 1 -Because 'the test needs the runspace to be reused'
        @($seen.HadSession) | Should -Be $false, $false, $false, $false
        @($seen | Where-Object { $_.Iteration % 2 -eq 0 }).Failed | Should -Be $true, $true -Because 'an iteration that did not connect has no session'
    }
}
