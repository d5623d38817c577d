# Rotating the API token (Connect-RrService -TokenPath) and the webhook signing key (Receive-RrWebhook -SigningKeyPath)
# while a service-mode receiver runs: nothing is restarted and no event is lost. A thread job plays the admin.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:OldKey = 'dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm'
    $script:NewKey = 'bmV3LXNpZ25pbmcta2V5LWZlZGNiYTk4NzY1NDMyMTA='
    $script:emulator = Start-RrTestEmulator
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'Rotation without a restart' {
    It 'recalls after the token file is rotated and accepts the new signing key once the key file has it' {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 0 }
        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/hooks/rh"
        $journal = Join-Path $TestDrive 'events.jsonl'
        $tokenPath = Join-Path $TestDrive 'api-token'
        $keyPath = Join-Path $TestDrive 'signing-keys'
        Set-Content -LiteralPath $tokenPath -Value 'emulator-token'
        Set-Content -LiteralPath $keyPath -Value "# old key`n$OldKey"
        Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -TokenPath $tokenPath
        (Get-RrSession).ApiTokenPath | Should -Be $tokenPath
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks' -Body @{ url = $endpoint; signingKey = $OldKey }
        # The token is rotated in the portal: the running service's recalls are refused until its token file changes.
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'accounts' -Body @{ apiKey = $emulator.ApiKey; apiToken = 'rotated-token'; replace = $true }
        $first = New-RrTestInventory -Emulator $emulator

        $admin = Start-ThreadJob -ArgumentList $emulator.BaseAddress, $tokenPath, $keyPath, $endpoint, $OldKey, $NewKey -ScriptBlock {
            param($Base, $TokenPath, $KeyPath, $Endpoint, $OldKey, $NewKey)
            function Control($Method, $Path, $Body) {
                $call = @{ Method = $Method; Uri = "$Base/_emulator/$Path"; NoProxy = $true }
                if ($Body) { $call.Body = ConvertTo-Json $Body -Compress; $call.ContentType = 'application/json' }
                Invoke-RestMethod @call
            }
            function WaitFor([scriptblock] $Condition, $What) {
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (-not (& $Condition)) { if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for $What" }; Start-Sleep -Milliseconds 100 }
            }
            WaitFor { @(Control GET requests | Where-Object { $_.path -like '*createRecall*' -and ($_.status -eq 401 -or $_.metaStatus -eq 401) }).Count -gt 0 } 'a refused recall'
            # The new token goes in as an administrator would: a new file renamed over the old one.
            Set-Content -LiteralPath "$TokenPath.new" -Value 'rotated-token'
            Move-Item -LiteralPath "$TokenPath.new" -Destination $TokenPath -Force
            WaitFor { @(Control GET recalls).Count -ge 1 } 'the first recall'
            # The signing key is regenerated: deliveries signed with it are refused until the key file has it too.
            $null = Control POST webhooks @{ url = $Endpoint; signingKey = $NewKey }
            $second = (Control POST inventories @(@{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 })).returnInventoryId
            WaitFor { @(Control GET webhooks/deliveries | Where-Object { $_.outcome -eq 'failed' -and $_.status -eq 401 }).Count -gt 0 } 'a refused delivery'
            Set-Content -LiteralPath $KeyPath -Value "$OldKey`n$NewKey"
            $second
        }
        try {
            $recalls = Receive-RrWebhook -Port $port -SigningKeyPath $keyPath -EndpointUri $endpoint -Path $journal -RecallNewInventory -Count 2 -Timeout '00:01:30' `
                -WarningVariable warnings -WarningAction SilentlyContinue
            $second = $admin | Wait-Job -Timeout 90 | Receive-Job -ErrorAction Stop
        }
        finally { $admin | Remove-Job -Force }

        $ids = @($first) + @($second)
        @($recalls.RecallInventoryList.ReturnInventoryId | Sort-Object) | Should -Be @($ids | Sort-Object)
        @(Get-RrTestActiveRecalledId -Emulator $emulator | Sort-Object) | Should -Be @($ids | Sort-Object) -Because 'each inventory is in exactly one recall'
        Get-RrWebhookBacklog -Path $journal | Should -BeNullOrEmpty
        @($warnings | Where-Object { "$_" -match 'signature that does not match' }) | Should -HaveCount 1
        "$warnings" | Should -Not -Match 'rotated-token|emulator-token'
        "$warnings" | Should -Not -Match ([regex]::Escape($NewKey))
    }

    It 'refuses to start without a key, and with both -SigningKey and -SigningKeyPath' {
        $keyPath = Join-Path $TestDrive 'keys'
        Set-Content -LiteralPath $keyPath -Value '# no key yet'
        { Receive-RrWebhook -Port 1 -EndpointUri 'http://127.0.0.1:1/' -Timeout '00:00:01' } | Should -Throw -ErrorId 'RrWebhook.SigningKeyRequired,*'
        { Receive-RrWebhook -Port 1 -SigningKey (ConvertTo-SecureString $OldKey -AsPlainText -Force) -SigningKeyPath $keyPath -EndpointUri 'http://127.0.0.1:1/' -Timeout '00:00:01' } |
            Should -Throw -ErrorId 'RrWebhook.SigningKeyRequired,*'
        { Receive-RrWebhook -Port 1 -SigningKeyPath $keyPath -EndpointUri 'http://127.0.0.1:1/' -Timeout '00:00:01' } | Should -Throw -ErrorId 'RrWebhook.InvalidSigningKey,*'
    }

    It 'fails to connect with a token file that is missing or empty, naming the file only' {
        $empty = Join-Path $TestDrive 'empty-token'
        Set-Content -LiteralPath $empty -Value ''
        { Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -TokenPath $empty } | Should -Throw -ErrorId 'RrTokenFileUnreadable,*'
        { Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -TokenPath (Join-Path $TestDrive 'absent') } | Should -Throw -ErrorId 'RrTokenFileUnreadable,*'
    }
}
