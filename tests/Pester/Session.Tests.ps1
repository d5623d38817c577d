# Sessions: Connect/Get/Disconnect, environments, credentials, runspace isolation, Invoke-RrApi,
# the error contract, retries and the no-secret-leak guarantee.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '20'
    function Connect-Emulator { Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken @args }
    function Get-Requests { @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'requests') }
    function Clear-Requests { $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'requests' }
    $script:dummyToken = ConvertTo-SecureString 'not-a-real-token' -AsPlainText -Force
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'Connect-RrService' {
    AfterEach { Disconnect-RrService }

    It 'writes nothing without -PassThru and makes the session the default' {
        $output = Connect-Emulator
        $output | Should -BeNullOrEmpty
        $session = Get-RrSession
        $session | Should -BeOfType ([ReturnsHelper.RrSession])
        $session.Environment | Should -Be 'Custom'
        $session.BaseUri.AbsoluteUri | Should -Be "$($emulator.UserApiBase)/"
        $session.PublicBaseUri.AbsoluteUri | Should -Be "$($emulator.BaseAddress)/uat/public/api/"
    }

    It 'returns the session with -PassThru and shows a masked key in its default view' {
        $session = Connect-Emulator -PassThru
        $session | Should -BeOfType ([ReturnsHelper.RrSession])
        $view = $session | Out-String
        $view | Should -Match 'Environment'
        $view | Should -Match ([regex]::Escape($session.MaskedApiKey))
        $view | Should -Match 'ConnectedAt'
        $view | Should -Not -Match 'emulator-token'
        $view | Should -Not -Match 'emulator-key'
    }

    It 'accepts a PSCredential' {
        Connect-RrService -BaseUri $emulator.UserApiBase -Credential $emulator.Credential
        (Get-RrSession).MaskedApiKey | Should -Be '****-key'
    }

    It 'reads RR_API_KEY, RR_API_TOKEN and RR_BASE_URI when no credential is given' {
        $env:RR_API_KEY = $emulator.ApiKey; $env:RR_API_TOKEN = 'emulator-token'; $env:RR_BASE_URI = $emulator.UserApiBase
        try {
            Connect-RrService
            (Get-RrSession).BaseUri.AbsoluteUri | Should -Be "$($emulator.UserApiBase)/"
        }
        finally { Remove-Item Env:RR_API_KEY, Env:RR_API_TOKEN, Env:RR_BASE_URI -ErrorAction SilentlyContinue }
    }

    It 'lets -Environment and -BaseUri win over RR_BASE_URI, with a warning naming both' {
        $env:RR_BASE_URI = $emulator.UserApiBase
        try {
            $production = Connect-RrService -Environment Production -ApiKey 'k-12345678' -ApiToken $dummyToken -SkipCredentialCheck -PassThru -WarningVariable warned 3>$null
            $production.Environment | Should -Be 'Production'
            "$warned" | Should -Match 'RR_BASE_URI.*ignored.*-Environment Production'
            $custom = Connect-RrService -BaseUri 'https://proxy.example/v1/user/api' -ApiKey 'k-12345678' -ApiToken $dummyToken -SkipCredentialCheck -PassThru -WarningVariable warned 3>$null
            $custom.BaseUri.AbsoluteUri | Should -Be 'https://proxy.example/v1/user/api/'
            "$warned" | Should -Match 'RR_BASE_URI.*ignored.*-BaseUri'
            "$warned" | Should -Not -Match ([regex]::Escape($emulator.UserApiBase))
        }
        finally { Remove-Item Env:RR_BASE_URI -ErrorAction SilentlyContinue }
    }

    It 'lets -ApiKey/-ApiToken and -Credential win over RR_API_KEY and RR_API_TOKEN, with a warning naming both and no secret' {
        $env:RR_API_KEY = 'variable-key-1234'; $env:RR_API_TOKEN = 'variable-token-secret'
        try {
            $session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -PassThru -WarningVariable warned 3>$null
            $session.MaskedApiKey | Should -Be '****-key'
            "$warned" | Should -Match 'RR_API_KEY.*ignored.*-ApiKey and -ApiToken'
            "$warned" | Should -Match 'RR_API_TOKEN.*ignored.*-ApiKey and -ApiToken'
            Connect-RrService -BaseUri $emulator.UserApiBase -Credential $emulator.Credential -WarningVariable warned 3>$null
            "$warned" | Should -Match 'RR_API_KEY.*ignored.*-Credential'
            "$warned" | Should -Not -Match 'variable-token-secret|variable-key-1234'
        }
        finally { Remove-Item Env:RR_API_KEY, Env:RR_API_TOKEN -ErrorAction SilentlyContinue }
    }

    It 'lets -LedgerPath and -NoLedger win over RR_LEDGER_PATH, with a warning naming both' {
        $folder = Join-Path $TestDrive 'ledger-parameter'
        # (This test process sets RR_LEDGER_PATH: see TestHelpers.psm1.)
        $session = Connect-RrService -BaseUri $emulator.UserApiBase -Credential $emulator.Credential -LedgerPath $folder -PassThru -WarningVariable warned 3>$null
        Split-Path -Parent $session.LedgerPath | Should -Be ([IO.Path]::GetFullPath($folder))
        "$warned" | Should -Match 'RR_LEDGER_PATH.*ignored.*-LedgerPath'
        Connect-RrService -BaseUri $emulator.UserApiBase -Credential $emulator.Credential -NoLedger -WarningVariable warned 3>$null
        "$warned" | Should -Match 'RR_LEDGER_PATH.*ignored.*-NoLedger'
    }

    It 'does not warn when only the variables say it' {
        $env:RR_API_KEY = $emulator.ApiKey; $env:RR_API_TOKEN = 'emulator-token'; $env:RR_BASE_URI = $emulator.UserApiBase
        try {
            Connect-RrService -WarningVariable warned 3>$null
            $warned | Should -BeNullOrEmpty
        }
        finally { Remove-Item Env:RR_API_KEY, Env:RR_API_TOKEN, Env:RR_BASE_URI -ErrorAction SilentlyContinue }
    }

    It 'names all three ways when no credential is given' {
        Remove-Item Env:RR_API_KEY, Env:RR_API_TOKEN -ErrorAction SilentlyContinue
        $err = $null
        try { Connect-RrService -BaseUri $emulator.UserApiBase } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'RrNoCredentials*'
        $err.Exception.Message | Should -Match '-ApiKey'
        $err.Exception.Message | Should -Match '-Credential'
        $err.Exception.Message | Should -Match 'RR_API_KEY'
    }

    It 'fails fast with a clear terminating error when the token is wrong' {
        $err = $null
        try { Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken (ConvertTo-SecureString 'wrong-token-123' -AsPlainText -Force) } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'RrApi.*Unauthorized*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$err" | Should -Match 'rejected'
        "$err" | Should -Not -Match 'wrong-token-123'
        Get-RrSession | Should -BeNullOrEmpty
    }

    It 'connects without checking with -SkipCredentialCheck' {
        Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $dummyToken -SkipCredentialCheck
        Get-RrSession | Should -Not -BeNullOrEmpty
    }

    It 'uses the documented URL for <Environment>' -ForEach @(
        @{ Environment = 'Sandbox'; Expected = 'https://api.returnshelper.com/uat/user/api/' }
        @{ Environment = 'Production'; Expected = 'https://api.returnhelpercentre.com/v1/user/api/' }
        @{ Environment = 'China'; Expected = 'https://api.returnhelperchina.com/user/' }
    ) {
        $session = Connect-RrService -Environment $Environment -ApiKey 'k-12345678' -ApiToken $dummyToken -SkipCredentialCheck -PassThru
        $session.BaseUri.AbsoluteUri | Should -Be $Expected
        $session.Environment | Should -Be $Environment
    }

    It 'defaults to the sandbox' {
        Remove-Item Env:RR_BASE_URI -ErrorAction SilentlyContinue
        (Connect-RrService -ApiKey 'k-12345678' -ApiToken $dummyToken -SkipCredentialCheck -PassThru).Environment | Should -Be 'Sandbox'
    }

    It 'refuses plain http to a non-loopback host' {
        { Connect-RrService -BaseUri 'http://example.com/uat/user/api' -ApiKey k -ApiToken $dummyToken -SkipCredentialCheck } |
            Should -Throw -ErrorId 'RrInvalidEndpoint*'
    }

    It 'derives or takes the Public API base' {
        $derived = Connect-RrService -BaseUri 'https://proxy.example/v1/user/api' -ApiKey k -ApiToken $dummyToken -SkipCredentialCheck -PassThru
        $derived.PublicBaseUri.AbsoluteUri | Should -Be 'https://proxy.example/v1/public/api/'
        $given = Connect-RrService -BaseUri 'https://proxy.example/rh' -PublicBaseUri 'https://proxy.example/rh-public' -ApiKey k -ApiToken $dummyToken -SkipCredentialCheck -PassThru
        $given.PublicBaseUri.AbsoluteUri | Should -Be 'https://proxy.example/rh-public/'
    }

    It 'asks for -PublicBaseUri when the Public API base cannot be derived' {
        $thrown = { Connect-RrService -BaseUri 'https://proxy.example/rh' -ApiKey k -ApiToken $dummyToken -SkipCredentialCheck } |
            Should -Throw -ErrorId 'RrInvalidEndpoint*' -PassThru
        $thrown.Exception.Message | Should -Be "Cannot derive the Public API base from 'https://proxy.example/rh': it does not end in /user/api. Give -PublicBaseUri as well."
    }
}

Describe 'Session scope and lifetime' {
    It 'tells the user to run Connect-RrService when there is no session' {
        Disconnect-RrService
        { Invoke-RrApi -Path 'ApiBalance/GetApiBalance' } | Should -Throw -ErrorId 'RrNoSession*'
        { Invoke-RrApi -Path 'ApiBalance/GetApiBalance' } | Should -Throw '*Connect-RrService*'
    }

    It 'disposes the session on Disconnect-RrService' {
        $session = Connect-Emulator -PassThru
        Disconnect-RrService
        Get-RrSession | Should -BeNullOrEmpty
        $session.IsDisposed | Should -BeTrue
        { Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -Session $session } | Should -Throw -ErrorId 'RrSessionDisconnected*'
    }

    It 'disposes a replaced default session that the user was never given' {
        # Read the default without Get-RrSession, which would hand it to the user (and so keep it alive).
        $store = (Get-Command Connect-RrService).ImplementingType.Assembly.GetType('ReturnsHelper.Commands.SessionStore')
        Connect-Emulator
        $first = $store.GetMethod('Current').Invoke($null, @($ExecutionContext.SessionState))
        $first | Should -Not -BeNullOrEmpty
        Connect-Emulator
        $first.IsDisposed | Should -BeTrue
        (Get-RrSession).IsDisposed | Should -BeFalse
        Disconnect-RrService
    }

    It 'keeps a replaced default session working when the user holds it (-PassThru or Get-RrSession)' {
        $passedThrough = Connect-Emulator -PassThru
        Connect-Emulator
        $fromGet = Get-RrSession
        Connect-Emulator
        foreach ($held in $passedThrough, $fromGet) {
            $held.IsDisposed | Should -BeFalse
            Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -Query @{ pageSize = 1; offset = 0 } -Session $held | Should -Not -BeNullOrEmpty
        }
        Disconnect-RrService
        Disconnect-RrService -Session $passedThrough
        Disconnect-RrService -Session $fromGet
    }

    It 'keeps the default session per runspace: two runspaces on two servers do not see each other' {
        $second = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '5'
        try {
            Connect-Emulator
            $connectAndRead = {
                param($modulePath, $base, $key, $token)
                Import-Module $modulePath
                Connect-RrService -BaseUri $base -ApiKey $key -ApiToken $token
                Start-Sleep -Milliseconds 300   # let the other runspace connect meanwhile
                (Get-RrSession).BaseUri.AbsoluteUri
                # A call really goes to this runspace's server.
                (Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -Query @{ pageSize = 1; offset = 0 }) -ne $null
            }
            $runners = foreach ($server in $emulator, $second) {
                $ps = [powershell]::Create()
                $null = $ps.AddScript($connectAndRead).AddArgument((Get-RrModulePath)).AddArgument($server.UserApiBase).AddArgument($server.ApiKey).AddArgument($server.ApiToken)
                [pscustomobject]@{ PowerShell = $ps; Async = $ps.BeginInvoke(); Server = $server }
            }
            foreach ($runner in $runners) {
                $result = $runner.PowerShell.EndInvoke($runner.Async)
                $runner.PowerShell.Streams.Error | Should -BeNullOrEmpty
                $result[0] | Should -Be "$($runner.Server.UserApiBase)/"
                $result[1] | Should -BeTrue
                $runner.PowerShell.Dispose()
            }
            # This runspace's default is untouched.
            (Get-RrSession).BaseUri.AbsoluteUri | Should -Be "$($emulator.UserApiBase)/"
            # A fresh parallel runspace has no default session.
            $modulePath = Get-RrModulePath
            $seen = 1..2 | ForEach-Object -Parallel { Import-Module $using:modulePath; [bool](Get-RrSession) } -ThrottleLimit 2
            $seen | Should -Not -Contain $true
        }
        finally { Stop-RrTestEmulator $second }
    }
}

Describe 'Invoke-RrApi and the error contract' {
    BeforeAll { Connect-Emulator }
    BeforeEach {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 20 }
        Clear-Requests
    }

    It 'returns the payload without the envelope' {
        $payload = Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -Query @{ pageSize = 10; offset = 0 }
        $payload.PSObject.Properties.Name | Should -Contain 'apiBalances'
        $payload.PSObject.Properties.Name | Should -Not -Contain 'meta'
        $payload.PSObject.Properties.Name | Should -Not -Contain 'correlationId'
    }

    It 'calls the Public API' {
        $payload = Invoke-RrApi -Api Public -Path 'handling/getAllHandlings'
        $payload.handlings.handlingCode | Should -Contain 'ohd'
    }

    It 'turns a soft error into an error record with errorCode, error map and correlation id' {
        $err = $null
        Invoke-RrApi -Method POST -Path 'Recall/createRecallByReturnInventoryId' -Body @{ returnInventoryIdList = @() } -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.Rejected,*'
        $err[0].Exception | Should -BeOfType ([ReturnsHelper.Http.RrApiException])
        $err[0].Exception.ErrorCode | Should -Be 'VALIDATION_FAILED'
        $err[0].Exception.Errors.Keys | Should -Contain 'returnInventoryIdList'
        $err[0].Exception.CorrelationId | Should -Match '^0HN[A-Z0-9]{10}:\d{8}$'
        $err[0].Exception.HttpStatus | Should -Be 200
        $err[0].Exception.MetaStatus | Should -Be 400
        $err[0].TargetObject | Should -Be 'Recall/createRecallByReturnInventoryId'
    }

    It 'refuses a path that could leave the base URI' {
        { Invoke-RrApi -Path 'https://evil.example/steal' -ErrorAction Stop } | Should -Throw -ErrorId 'RrInvalidRequest*'
        { Invoke-RrApi -Path '../../other/api' -ErrorAction Stop } | Should -Throw -ErrorId 'RrInvalidRequest*'
        Get-Requests | Should -HaveCount 0
    }

    It 'refuses -Body on a GET and -Query on a POST with a terminating InvalidArgument error, sending nothing' {
        { Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -Body @{ pageSize = 1 } -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'RrBodyNeedsPost*'
        { @{ pageSize = 1 } | Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'RrBodyNeedsPost*'
        $err = $null
        try { Invoke-RrApi -Method POST -Path 'Recall/createRecallByReturnInventoryId' -Query @{ returnInventoryIdList = 1 } -ErrorAction SilentlyContinue } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'RrQueryNeedsGet*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-Requests | Should -HaveCount 0
    }

    It 'sends nothing for a POST with -WhatIf' {
        Invoke-RrApi -Method POST -Path 'Recall/createRecallByReturnInventoryId' -Body @{ returnInventoryIdList = @(100001) } -WhatIf
        Get-Requests | Should -HaveCount 0
    }

    It 'retries 503 with Retry-After and reports each decision with -Verbose' {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'faults' -Body @{ path = 'ApiBalance/GetApiBalance'; kind = 'status'; status = 503; retryAfterSeconds = 1; count = 2 }
        $verbose = Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -Query @{ pageSize = 1; offset = 0 } -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        (Get-Requests | Where-Object path -like '*GetApiBalance').Count | Should -Be 3
        ($verbose -join "`n") | Should -Match 'GET ApiBalance/GetApiBalance -> 503'
        ($verbose -join "`n") | Should -Match 'retrying in \d+ ms \(server asked Retry-After 1 s\)'
        ($verbose -join "`n") | Should -Match '200'
    }

    It 'reuses one idempotency key across the retries of one write and replays a committed write' {
        $id = (Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'inventories' -Body @(@{ handlingCode = 'tbc' }))[0].returnInventoryId
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'faults' -Body @{ path = 'Recall/createRecallByReturnInventoryId'; kind = 'drop-after-commit'; count = 1 }
        $payload = Invoke-RrApi -Method POST -Path 'Recall/createRecallByReturnInventoryId' -Body @{ returnInventoryIdList = @($id) }
        $payload.recallList | Should -HaveCount 1
        @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'recalls' | Where-Object { $_.recallInventoryList.returnInventoryId -contains $id }) | Should -HaveCount 1
        $keys = @(Get-Requests | Where-Object path -like '*createRecallByReturnInventoryId' | ForEach-Object idempotencyKey)
        $keys.Count | Should -BeGreaterOrEqual 2
        @($keys | Select-Object -Unique) | Should -HaveCount 1
    }

    It 'maps an HTML 502 page to a readable ServerError after retries' {
        $session = Connect-Emulator -MaxAttempts 2 -PassThru
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'faults' -Body @{ path = 'ApiBalance/GetApiBalance'; kind = 'status'; status = 502; retryAfterSeconds = 0; count = 2 }
        Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -Query @{ pageSize = 1; offset = 0 } -Session $session -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.*,*'
        $err[0].Exception.HttpStatus | Should -Be 502
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        Connect-Emulator
    }
}

Describe 'Secrets never leak' {
    It 'keeps the key and token out of every stream, error and transcript' {
        $key = 'leakcheck-key-7731'
        $token = 'leakcheck-token-SECRET-5d2e'
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'accounts' -Body @{ apiKey = $key; apiToken = $token }
        $secure = ConvertTo-SecureString $token -AsPlainText -Force
        $transcript = Join-Path $TestDrive 'transcript.txt'
        Start-Transcript -LiteralPath $transcript -IncludeInvocationHeader | Out-Null
        $oldDebug = $DebugPreference
        $DebugPreference = 'Continue'
        try {
            $captured = & {
                Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $key -ApiToken $secure -Verbose -Debug -PassThru | Format-List | Out-String
                Get-RrSession | Format-List * | Out-String
                Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -Query @{ pageSize = 1; offset = 0 } -Verbose -Debug
                Invoke-RrApi -Method POST -Path 'Recall/createRecallByReturnInventoryId' -Body @{ returnInventoryIdList = @(1, 2) } -Verbose -Debug -ErrorAction Continue
                $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'faults' -Body @{ path = 'ApiBalance/GetApiBalance'; kind = 'status'; status = 503; retryAfterSeconds = 0; count = 1 }
                Invoke-RrApi -Path 'ApiBalance/GetApiBalance' -Query @{ pageSize = 1; offset = 0 } -Verbose -Debug
                try { Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $key -ApiToken (ConvertTo-SecureString "$token-wrong" -AsPlainText -Force) -Verbose -Debug } catch { $_ | Format-List * -Force | Out-String; $_.Exception | Format-List * -Force | Out-String }
            } *>&1 | Out-String
        }
        finally {
            $DebugPreference = $oldDebug
            Stop-Transcript | Out-Null
        }
        $everything = $captured + (Get-Content -LiteralPath $transcript -Raw) + ($Error | Format-List * -Force | Out-String)
        $everything | Should -Match 'GetApiBalance'          # the capture really holds the verbose/debug output
        $everything | Should -Match 'retrying'
        $everything.Contains($token) | Should -BeFalse
        $everything.Contains($key) | Should -BeFalse
        (Invoke-RrEmulatorControl -Emulator $emulator -Path 'requests' | ConvertTo-Json -Depth 5).Contains($token) | Should -BeFalse
        Connect-Emulator
    }
}
