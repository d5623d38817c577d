# Receive-RrWebhook in service mode against the emulator: events are journaled and acknowledged whatever processing
# does; processing (-RecallNewInventory, -Process) acts on each event once, retries failures, resumes after a restart.
# The emulator delivers each new inventory's newInventoryCreated event itself, retrying until the receiver listens.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:KeyText = 'dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm'
    $script:Key = ConvertTo-SecureString $KeyText -AsPlainText -Force
    $script:emulator = Start-RrTestEmulator

    function New-TestInventory([int] $Count) {
        $items = foreach ($i in 1..$Count) { @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 } }
        @(Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'inventories' -Body @($items) | ForEach-Object returnInventoryId)
    }
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'Receive-RrWebhook service mode' {
    BeforeEach {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 10 }
        Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
        $script:port = Get-RrTestFreePort
        $script:endpoint = "http://127.0.0.1:$port/hooks/rh"
        $script:journal = Join-Path $TestDrive "events-$port.jsonl"
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks' -Body @{ url = $endpoint; signingKey = $KeyText }
    }

    It 'keeps accepting while recalls fail with 401, then, fixed and restarted, recalls every new inventory exactly once' {
        # The API token is rotated in the portal while the receiver still uses the old one: every recall is refused with 401.
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'accounts' -Body @{ apiKey = $emulator.ApiKey; apiToken = 'rotated-token'; replace = $true }
        $ids = New-TestInventory 3
        $recalled = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $journal -RecallNewInventory -Count 3 -Timeout '00:01:30' `
            -WarningVariable warnings -WarningAction SilentlyContinue
        $recalled | Should -BeNullOrEmpty
        $deliveries = @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'webhooks/deliveries' | Where-Object outcome -EQ 'delivered')
        $deliveries | Should -HaveCount 3 -Because 'the listener acknowledged every event although processing failed'
        @($warnings | Where-Object { "$_" -match 'failed' }) | Should -HaveCount 1 -Because 'one error is warned about once, not once per event'
        @($warnings | Where-Object { "$_" -match 'not processed yet' }) | Should -HaveCount 1
        $backlog = @(Get-RrWebhookBacklog -Path $journal)
        @($backlog.ReturnInventoryId | Sort-Object) | Should -Be @($ids | Sort-Object)
        # Processing stopped with the receiver at its first failure after -Count: the events it tried carry the error.
        $tried = @($backlog | Where-Object ProcessingAttempts -GE 1)
        $tried | Should -Not -BeNullOrEmpty
        $tried.ProcessingError | Should -Match 'token'
        $warnings[0] | Should -Match 'token'
        Get-RrTestActiveRecalledId -Emulator $emulator | Where-Object { $_ -in $ids } | Should -BeNullOrEmpty

        # Fixed: restarted with the new token on the same journal, it processes the backlog first, then a new event.
        Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken (ConvertTo-SecureString 'rotated-token' -AsPlainText -Force)
        $ids += New-TestInventory 1
        $recalled = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $journal -RecallNewInventory -Count 1 -Timeout '00:01:30'
        @($recalled.RecallInventoryList.ReturnInventoryId | Sort-Object) | Should -Be @($ids | Sort-Object)
        @(Get-RrTestActiveRecalledId -Emulator $emulator | Where-Object { $_ -in $ids } | Sort-Object) | Should -Be @($ids | Sort-Object) -Because 'each inventory is in exactly one recall'
        Get-RrWebhookBacklog -Path $journal | Should -BeNullOrEmpty
    }

    It 'runs a -Process script block once per event on the pipeline thread and writes what it returns' {
        $ids = New-TestInventory 2
        $out = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $journal -Count 2 -Timeout '00:01:30' `
            -Process { param($e) "$($e.ReturnInventoryId) on runspace $([runspace]::DefaultRunspace.Id)" }
        $out | Should -Be @($ids | ForEach-Object { "$_ on runspace $([runspace]::DefaultRunspace.Id)" })
        Get-RrWebhookBacklog -Path $journal | Should -BeNullOrEmpty
    }

    It 'puts every new inventory on hold with -HoldNewInventory' {
        $ids = New-TestInventory 2
        Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $journal -HoldNewInventory -Count 2 -Timeout '00:01:30' |
            Should -BeNullOrEmpty
        (Get-RrInventory -ReturnInventoryId $ids).HandlingCode | Should -Be @('ohd', 'ohd')
        Get-RrWebhookBacklog -Path $journal | Should -BeNullOrEmpty
    }

    It 'keeps serving under $ErrorActionPreference = Stop when a signed delivery is not a readable event' {
        $ErrorActionPreference = 'Stop'
        $bytes = [Text.Encoding]::UTF8.GetBytes('not an event')
        $stamp = [DateTime]::UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", [Globalization.CultureInfo]::InvariantCulture)
        # WebhookSignature is internal to the module: called by reflection.
        $signer = [ReturnsHelper.RrSession].Assembly.GetType('ReturnsHelper.Webhooks.WebhookSignature', $true)
        $signature = $signer.GetMethod('Compute').Invoke($null, @($signer.GetMethod('DecodeSigningKey').Invoke($null, @($KeyText)), $endpoint, $stamp, $bytes))
        $sender = Start-ThreadJob -ArgumentList $endpoint, $stamp, $signature, $bytes, $emulator.BaseAddress -ScriptBlock {
            param($Endpoint, $Stamp, $Signature, $Bytes, $Base)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($true) {
                try {
                    $status = [int](Invoke-WebRequest -Method POST -Uri $Endpoint -Body $Bytes -ContentType 'application/json' -Headers @{ timestamp = $Stamp; 'returnhelper-signature' = $Signature } `
                            -SkipHeaderValidation -SkipHttpErrorCheck -NoProxy -TimeoutSec 20).StatusCode
                    break
                }
                catch { if ([DateTime]::UtcNow -gt $deadline) { throw }; Start-Sleep -Milliseconds 100 } # not listening yet
            }
            # Then a genuine event, which the emulator delivers.
            (Invoke-RestMethod -Method POST -Uri "$Base/_emulator/inventories" -Body '[{}]' -ContentType 'application/json' -NoProxy).returnInventoryId
            $status
        }
        $out = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $journal -Count 1 -Timeout '00:01:30' `
            -Process { param($e) $e.ReturnInventoryId } -WarningVariable warnings -WarningAction SilentlyContinue
        $id, $status = try { $sender | Wait-Job -Timeout 90 | Receive-Job -ErrorAction Stop } finally { $sender | Remove-Job -Force }
        $status | Should -Be 200
        $out | Should -Be $id
        @($warnings | Where-Object { "$_" -match 'not a readable event' }) | Should -HaveCount 1
    }

    It 'needs -Path for an action, and one action at a time' {
        { Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -RecallNewInventory -Timeout '00:00:01' } |
            Should -Throw -ErrorId 'RrWebhook.PathRequired,*'
        { Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $journal -RecallNewInventory -HoldNewInventory -Timeout '00:00:01' } |
            Should -Throw -ErrorId 'RrWebhook.OneAction,*'
    }
}
