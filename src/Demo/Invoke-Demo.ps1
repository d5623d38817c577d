<#
.SYNOPSIS
A five-minute tour of ReturnsHelper against the local emulator: recall the return inventories listed in a CSV
export, see what was rejected and why, and cancel one recall.

.DESCRIPTION
Run it with `dotnet tool restore && dotnet pwsh ./build.ps1 Demo`. It starts the emulator (a local stand-in for
the Return Helper API, so nothing real is shipped), connects to it, and walks through the main job of the module.
Every step prints the PowerShell you would type yourself.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/ReturnsHelper/ReturnsHelper.psd1'),
    [string] $EmulatorPath = (Join-Path $PSScriptRoot '../../out/emulator/ReturnsHelper.Emulator.dll')
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Build/BuildTools.psm1')
Import-Module (Join-Path $PSScriptRoot 'DemoSteps.psm1')

$emulator = $null
$workFolder = Join-Path ([IO.Path]::GetTempPath()) "returnshelper-demo-$PID"
try {
    Write-Step '1. Start the local emulator of the Return Helper API' 'dotnet pwsh ./build.ps1 Emulator   # or: dotnet out/emulator/ReturnsHelper.Emulator.dll'
    $emulator = Start-RrEmulatorProcess -EmulatorPath $EmulatorPath -Arguments '--port', '0', '--seed', '7', '--seed-inventory', '200'
    Write-Host "   $($emulator.ListeningLine)"

    Write-Step '2. Import the module and connect (nothing is written unless -PassThru)' (
        "Import-Module ./out/ReturnsHelper/ReturnsHelper.psd1`n" +
        "Connect-RrService -BaseUri $($emulator.UserApiBase) -ApiKey emulator-key -ApiToken (ConvertTo-SecureString 'emulator-token' -AsPlainText -Force) -LedgerPath ./ledger   # the demo keeps its recall ledger apart from yours`n" +
        'Get-RrSession')
    Import-Module $ModulePath
    $null = New-Item -ItemType Directory -Path $workFolder -Force
    Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey 'emulator-key' -ApiToken (ConvertTo-SecureString 'emulator-token' -AsPlainText -Force) -LedgerPath (Join-Path $workFolder 'ledger')
    Get-RrSession | Format-List | Out-String | Write-Host

    # The warehouse receives twelve parcels (the emulator's control surface plays the warehouse here; for real,
    # their ids reach you through newInventoryCreated webhooks) and one parcel someone already chose to dispose of.
    $received = Invoke-RestMethod -Method Post -Uri "$($emulator.BaseAddress)/_emulator/inventories" -ContentType 'application/json' -Body (ConvertTo-Json -Compress -InputObject @(
            foreach ($i in 1..12) { @{ warehouseId = @(2, 2, 2, 1034)[$i % 4]; handlingCode = 'tbc'; handlingStatusCode = 'pending' } }
            @{ warehouseId = 2; handlingCode = 'dis'; handlingStatusCode = 'pending' }))
    $eligible = @($received | Where-Object handlingCode -eq 'tbc' | ForEach-Object returnInventoryId)
    $disposed = ($received | Where-Object handlingCode -eq 'dis').returnInventoryId

    # A CSV export as operations people have them: a few typos, an empty cell, an id from nowhere, a disposed parcel.
    $null = New-Item -ItemType Directory -Path $workFolder -Force
    $csv = Join-Path $workFolder 'recall-request.csv'
    $rows = [Collections.Generic.List[object]]::new()
    foreach ($id in $eligible[0..5]) { $rows.Add([pscustomobject]@{ 'Return Inventory ID' = $id; Note = 'end of season' }) }
    $rows.Add([pscustomobject]@{ 'Return Inventory ID' = 'abc'; Note = 'typo' })
    $rows.Add([pscustomobject]@{ 'Return Inventory ID' = ''; Note = 'empty cell' })
    $rows.Add([pscustomobject]@{ 'Return Inventory ID' = $disposed; Note = 'already being disposed' })
    $rows.Add([pscustomobject]@{ 'Return Inventory ID' = 99999999; Note = 'not ours' })
    foreach ($id in $eligible[6..11]) { $rows.Add([pscustomobject]@{ 'Return Inventory ID' = $id; Note = 'customer asked' }) }
    $rows.Add([pscustomobject]@{ 'Return Inventory ID' = $eligible[0]; Note = 'listed twice' })
    $rows | Export-Csv -LiteralPath $csv -NoTypeInformation

    Write-Step '3. The CSV to recall (note the bad rows)' 'Import-Csv ./recall-request.csv | Format-Table'
    Import-Csv -LiteralPath $csv | Format-Table | Out-String | Write-Host

    Write-Step '4. Preview: -WhatIf sends nothing and names the environment' 'Import-Csv ./recall-request.csv | New-RrRecall -WhatIf'
    Import-Csv -LiteralPath $csv | New-RrRecall -WhatIf -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

    Write-Step '5. Recall for real: one recall per warehouse; every rejected row is its own error' (
        "`$recalls = Import-Csv ./recall-request.csv | New-RrRecall -ErrorVariable rejected -ErrorAction SilentlyContinue`n" +
        '$recalls')
    $recalls = Import-Csv -LiteralPath $csv | New-RrRecall -ErrorVariable rejected -ErrorAction SilentlyContinue -WarningVariable duplicates -WarningAction SilentlyContinue
    $recalls | Format-Table | Out-String | Write-Host

    Push-Location -LiteralPath $workFolder
    Invoke-Step '6. What was rejected, and why: each error''s TargetObject is your own CSV row (nothing good was held back by the bad rows)' {
        $rejected | ForEach-Object TargetObject | Export-Csv ./rejected.csv -NoTypeInformation    # your own columns, ready to fix and rerun
        $rejected | Select-Object @{ n = 'Row'; e = { $_.TargetObject.'Return Inventory ID' } }, @{ n = 'Note'; e = { $_.TargetObject.Note } },
            @{ n = 'Error'; e = { $_.FullyQualifiedErrorId.Split(',')[0] } }, @{ n = 'Message'; e = { $_.Exception.Message } } | Format-Table -Wrap
    }
    Pop-Location
    $duplicates | ForEach-Object { Write-Host "   WARNING: $_" -ForegroundColor Yellow }

    $recalledIds = @($recalls.RecallInventoryList.ReturnInventoryId)
    if ($recalledIds.Count -ne 12) { throw "Expected the 12 eligible inventories to be recalled, got $($recalledIds.Count)." }
    if (@($rejected).Count -ne 4) { throw "Expected 4 rejected rows, got $(@($rejected).Count)." }

    Write-Step '7. Ran it twice (a scheduled script restarted after a crash)? The recall ledger knows what was created' (
        'Import-Csv ./recall-request.csv | New-RrRecall -ErrorAction SilentlyContinue')
    $again = @(Import-Csv -LiteralPath $csv | New-RrRecall -ErrorAction SilentlyContinue -WarningVariable skipped -WarningAction SilentlyContinue)
    $again | Format-Table | Out-String | Write-Host
    $skipped | ForEach-Object { Write-Host "   WARNING: $_" -ForegroundColor Yellow }
    if (@($again | Where-Object { -not $_.AlreadyExisted }).Count -ne 0) { throw 'The rerun created recalls again.' }

    Write-Step '8. Look a recall up: the API cannot, the ledger can' "Get-RrRecall -ReturnInventoryId $($eligible[0]) | Format-List RecallNumber, RecallStatusCode, ReturnInventoryIds, LedgerUpdatedOn, LedgerSource"
    Get-RrRecall -ReturnInventoryId $eligible[0] | Format-List RecallNumber, RecallStatusCode, ReturnInventoryIds, LedgerUpdatedOn, LedgerSource | Out-String | Write-Host

    $number = $recalls[0].RecallNumber
    Invoke-Step '9. Changed your mind about one recall? Cancel it by its number while the warehouse has not started' {
        Stop-RrRecall -RecallId $number
    }

    Write-Step 'Done' ''
    Write-Host '   Next: Get-Help New-RrRecall -Full, Get-Help about_ReturnsHelper, and the emulator README (src/ReturnsHelper.Emulator/README.md).'
    Disconnect-RrService
    exit 0
}
catch {
    Write-Host "Demo failed: $_" -ForegroundColor Red
    Write-Host $_.ScriptStackTrace
    exit 1
}
finally {
    if ($emulator) { Stop-RrEmulatorProcess $emulator }
    Remove-Item -LiteralPath $workFolder -Recurse -Force -ErrorAction SilentlyContinue
}
