<#
.SYNOPSIS
Every decision an admin makes about returns on hold, against the local emulator: ask the warehouse for photos, read
the results, then recall some, resend one to a new buyer and dispose of the rest, with the balance before and after.

.DESCRIPTION
Run it with `dotnet tool restore && dotnet pwsh ./build.ps1 Demo -Name Decision`. It starts the emulator (a local
stand-in for the Return Helper API, so nothing real is shipped), connects to it, and walks through the decisions.
Every step prints the PowerShell it runs; the emulator's control surface plays the warehouse where one is needed.
The script exits 0 when every step did what it shows, and 1 at the first failure.
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
$workFolder = Join-Path ([IO.Path]::GetTempPath()) "returnshelper-decision-demo-$PID"
try {
    Write-Step '1. Start the local emulator of the Return Helper API' 'dotnet pwsh ./build.ps1 Emulator   # or: dotnet out/emulator/ReturnsHelper.Emulator.dll'
    $emulator = Start-RrEmulatorProcess -EmulatorPath $EmulatorPath -Arguments '--port', '0', '--seed', '7', '--seed-inventory', '0'
    Write-Host "   $($emulator.ListeningLine)"
    $baseUri = $emulator.UserApiBase
    $control = "$($emulator.BaseAddress)/_emulator"
    $null = New-Item -ItemType Directory -Path $workFolder -Force
    Push-Location -LiteralPath $workFolder

    Invoke-Step '2. Import the module and connect (the demo keeps its ledger apart from yours)' {
        Import-Module $ModulePath
        Connect-RrService -BaseUri $baseUri -ApiKey emulator-key -ApiToken (ConvertTo-SecureString 'emulator-token' -AsPlainText -Force) -LedgerPath ./ledger
    }

    # For real, parcels arrive through newInventoryCreated webhooks and someone put these on hold to look closer.
    Invoke-Step '3. The warehouse receives eight parcels; six of them are on hold (the emulator''s control surface plays the warehouse)' {
        $parcels = @(1..6 | ForEach-Object { @{ warehouseId = 2; handlingCode = 'ohd'; handlingStatusCode = 'pending' } }) +
            @(1..2 | ForEach-Object { @{ warehouseId = 2; handlingCode = 'tbc'; handlingStatusCode = 'pending' } })
        $null = Invoke-RestMethod -Method Post "$control/inventories" -ContentType application/json -Body (ConvertTo-Json -InputObject $parcels -Compress)
    }

    Invoke-Step '4. The balance that resends and recalls draw on' {
        $balanceBefore = Get-RrBalance
        $balanceBefore
    }

    Invoke-Step '5. The parcels on hold: what is there to decide' {
        $onHold = @(Get-RrInventory -HandlingCode ohd | Sort-Object ReturnInventoryId)
        $onHold | Format-Table ReturnInventoryId, WarehouseId, Rma, HandlingCode, HandlingStatusCode
    }
    if ($onHold.Count -ne 6) { throw "Expected 6 inventories on hold, got $($onHold.Count)." }

    Invoke-Step '6. Ask the warehouse for two photos of the first three' {
        $photoRequests = @($onHold[0..2] | New-RrVasRequest -Service req-pic -Quantity 2 -Note 'The item and its serial label')
        $photoRequests
    }

    Invoke-Step '7. While the photos are pending, the parcel cannot be recalled, resent or given another handling' {
        $null = $onHold[0] | New-RrRecall -ErrorAction SilentlyContinue -ErrorVariable blocked
        $blocked | Select-Object @{ n = 'Error'; e = { $_.FullyQualifiedErrorId.Split(',')[0] } }, @{ n = 'Reason'; e = { $_.Exception.Message } } | Format-List
    }
    if (@($blocked).Count -ne 1 -or $blocked[0].FullyQualifiedErrorId -notlike 'RrApi.PendingVas,*') { throw "Expected one RrApi.PendingVas error, got: $blocked" }

    Invoke-Step '8. The warehouse takes the photos and writes what it saw (control surface again; for real, a vasUpdated webhook tells you)' {
        $findings = 'Like new, box sealed', 'Scratch on the lid', 'Screen cracked'
        foreach ($i in 0..2) {
            $body = @{ vasResult = $findings[$i] } | ConvertTo-Json -Compress
            $null = Invoke-RestMethod -Method Post "$control/vas/$($photoRequests[$i].VasId)/complete" -ContentType application/json -Body $body
        }
    }

    Invoke-Step '9. Read the results and the photos' {
        $results = @($onHold | Get-RrVas -Status successful)
        $results | Format-Table ReturnInventoryId, VasCode, Status, Result, @{ n = 'Photos'; e = { $_.PhotoUrls.Count } }
    }
    if ($results.Count -ne 3 -or @($results | Where-Object { $_.PhotoUrls.Count -ne 2 }).Count -ne 0) { throw 'Expected three finished photo requests with two photos each.' }

    Invoke-Step '10. Decide: resend the one like new to a buyer, recall the scratched one and two unseen ones, dispose of the rest' {
        $toResend = @($results | Where-Object Result -like 'Like new*' | ForEach-Object ReturnInventoryId)
        $toRecall = @(@($results | Where-Object Result -like 'Scratch*') + $onHold[3..4] | ForEach-Object ReturnInventoryId)
        $toDispose = @($onHold.ReturnInventoryId | Where-Object { $_ -notin $toResend -and $_ -notin $toRecall })
        [pscustomobject]@{ Resend = "$toResend"; Recall = "$toRecall"; Dispose = "$toDispose" } | Format-List
    }

    Invoke-Step '11. Recall: back to the seller (one recall per warehouse; charged when it ships)' {
        $recall = $toRecall | New-RrRecall
        $recall
    }

    Invoke-Step '12. Resend: what would it cost to New York, cheapest first' {
        $quotes = @($toResend | Get-RrResendQuote -CountryCode usa -PostalCode 10001)
        $quotes | Format-Table -AutoSize
    }

    Invoke-Step '13. Resend with the cheapest service type (the fee is charged now)' {
        $resend = $toResend | New-RrResend -ServiceType $quotes[0].ServiceTypeCode -Name 'Ada Buyer' -Street1 '1 Main St' -City 'New York' -State NY -PostalCode 10001 -CountryCode usa
        $resend | Format-List ResendNumber, ResendStatusCode, ServiceType, ShipTo, ReturnInventoryIdText
    }

    Invoke-Step '14. Dispose of the rest' {
        $toDispose | Set-RrInventoryHandling -HandlingCode dis
    }

    Invoke-Step '15. Every parcel that was on hold now has a decision' {
        $decided = @($onHold | Get-RrInventory)
        $decided | Format-Table ReturnInventoryId, HandlingCode, HandlingStatusCode
    }
    $codes = ($decided | Group-Object HandlingCode | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ' '
    if ($codes -ne 'dis=2 rsd=1 rtn=3') { throw "Expected dis=2 rsd=1 rtn=3, got $codes." }

    Invoke-Step '16. The balance after: the resend''s fee is charged (the recall is charged when it ships)' {
        $balanceAfter = Get-RrBalance
        $balanceAfter
        "Charged: $($balanceBefore.Balance - $balanceAfter.Balance) $($balanceAfter.CurrencyCode) (the quote said $($quotes[0].Fee))"
    }
    if ($balanceBefore.Balance - $balanceAfter.Balance -ne $quotes[0].Fee) { throw 'The balance did not go down by the quoted fee.' }

    Write-Step 'Done' ''
    Write-Host '   Next: Get-Help New-RrVasRequest -Full, Get-Help New-RrResend -Full, Get-Help about_ReturnsHelper.'
    Disconnect-RrService
    exit 0
}
catch {
    Write-Host "Demo failed: $_" -ForegroundColor Red
    Write-Host $_.ScriptStackTrace
    exit 1
}
finally {
    if ((Get-Location).ProviderPath -eq $workFolder) { Pop-Location }
    if ($emulator) { Stop-RrEmulatorProcess $emulator }
    Remove-Item -LiteralPath $workFolder -Recurse -Force -ErrorAction SilentlyContinue
}
