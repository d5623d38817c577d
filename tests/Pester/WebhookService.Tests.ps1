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
        $backlog | ForEach-Object { $_.Payload.returnInventory.returnInventoryId | Should -Be $_.ReturnInventoryId -Because 'an event read back from the journal has its body as Payload' }
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
        # Signed as Return Helper signs: HMAC-SHA256 of "POST" + endpoint + timestamp, then the raw body bytes.
        $hmac = [Security.Cryptography.HMACSHA256]::new([Convert]::FromBase64String($KeyText))
        $signature = [Convert]::ToBase64String($hmac.ComputeHash([byte[]]([Text.Encoding]::UTF8.GetBytes("POST$endpoint$stamp") + $bytes)))
        $hmac.Dispose()
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

    It 'records a permanent refusal once and moves on, answers the health probe and writes the log file' {
        $log = Join-Path $TestDrive "service-$port.log"
        $prober = Start-ThreadJob -ArgumentList $emulator.BaseAddress, "http://127.0.0.1:$port/health" -ScriptBlock {
            param($Base, $Health)
            function Inventory($Code) {
                (Invoke-RestMethod -Method POST -Uri "$Base/_emulator/inventories" -ContentType 'application/json' -NoProxy `
                        -Body (ConvertTo-Json -Compress @(@{ handlingCode = $Code; handlingStatusCode = 'pending'; warehouseId = 2 }))).returnInventoryId
            }
            function Probe { try { Invoke-RestMethod -Uri $Health -NoProxy -TimeoutSec 5 } catch { $null } }
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not ($first = Probe)) { if ([DateTime]::UtcNow -gt $deadline) { throw 'The health probe never answered.' }; Start-Sleep -Milliseconds 100 }
            $disposed = Inventory 'dis'   # not eligible for a recall: refused for good
            $eligible = Inventory 'tbc'
            while (($now = Probe).processing.processed + $now.processing.failedPermanently -lt 2) {
                if ([DateTime]::UtcNow -gt $deadline) { throw "Processing did not settle: $($now | ConvertTo-Json -Compress)" }
                Start-Sleep -Milliseconds 100
            }
            $last = Inventory 'tbc'       # the third event ends the run (-Count 3)
            [pscustomobject]@{ First = $first; Settled = $now; Disposed = $disposed; Ids = @($eligible, $last) }
        }
        try {
            $recalls = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $journal -RecallNewInventory -Count 3 -Timeout '00:01:30' `
                -LogPath $log -WarningVariable warnings -WarningAction SilentlyContinue
            $probe = $prober | Wait-Job -Timeout 90 | Receive-Job -ErrorAction Stop
        }
        finally { $prober | Remove-Job -Force }

        @($recalls.RecallInventoryList.ReturnInventoryId | Sort-Object) | Should -Be @($probe.Ids | Sort-Object)
        $probe.First.status | Should -Be 'ok'
        $probe.Settled.status | Should -Be 'ok' -Because 'a permanent refusal is settled, not retried'
        $probe.Settled.received.events | Should -Be 2
        $probe.Settled.processing.processed | Should -Be 1
        $probe.Settled.processing.failedPermanently | Should -Be 1
        $probe.Settled.processing.backlog | Should -Be 0
        $probe.Settled.processing.lastError | Should -Match 'cannot be recalled'
        $probe.Settled.uptimeSeconds | Should -BeGreaterThan 0
        ($probe.Settled | ConvertTo-Json -Depth 5) | Should -Not -Match ([regex]::Escape($KeyText))

        Get-RrWebhookBacklog -Path $journal | Should -BeNullOrEmpty
        $failed = @(Get-RrWebhookBacklog -Path $journal -FailedPermanently)
        $failed.ReturnInventoryId | Should -Be $probe.Disposed
        $failed.ProcessingStatus | Should -Be 'FailedPermanently'
        $failed.ProcessingError | Should -Match 'cannot be recalled'
        @($warnings | Where-Object { "$_" -match 'failed permanently' }) | Should -HaveCount 1

        $lines = Get-Content -LiteralPath $log
        $lines[0] | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO Listening on http://127\.0\.0\.1:\d+/ .*health probe: GET http://127\.0\.0\.1:\d+/health'
        @($lines | Where-Object { $_ -match ' WARNING The webhook event .* failed permanently' }) | Should -HaveCount 1
        $lines[-1] | Should -Match 'INFO Stopped: 3 events, 0 duplicates dropped, no deliveries refused\.$'
    }

    It 'needs -Path for an action, and one action at a time' {
        { Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -RecallNewInventory -Timeout '00:00:01' } |
            Should -Throw -ErrorId 'RrWebhook.PathRequired,*'
        { Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $journal -RecallNewInventory -HoldNewInventory -Timeout '00:00:01' } |
            Should -Throw -ErrorId 'RrWebhook.OneAction,*'
    }
}
