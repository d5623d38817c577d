# Trust nothing from the network (issue 12), end to end against a fake API on loopback (UntrustedServer.cs): an
# unreadable answer fails exactly its own request or batch and the command goes on; a redirect is never followed, so
# the token never reaches another origin; an echoed token is redacted from -Debug, -Verbose and $Error in its encoded
# forms; an answer over -MaxResponseMB is refused.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    Add-Type -Path "$PSScriptRoot/UntrustedServer.cs"

    # Characters that JSON writers and percent-encoding change, so each encoded form differs from the literal.
    $script:TokenText = 'reflect+tok/en<&>=long'
    $script:Token = ConvertTo-SecureString $TokenText -AsPlainText -Force

    # The recall ledger goes where the test runner's RR_LEDGER_PATH says.
    function Connect-Fake([RrTest.UntrustedServer] $Server, [switch] $SkipCredentialCheck) {
        Connect-RrService -BaseUri $Server.UserApiBase -ApiKey 'untrusted-key' -ApiToken $Token -SkipCredentialCheck:$SkipCredentialCheck -PassThru
    }
}

AfterAll {
    Get-RrSession | Where-Object IsConnected | ForEach-Object { Disconnect-RrService -Session $_ }
}

Describe 'An unreadable answer fails only its own request' {
    BeforeAll {
        $script:server = [RrTest.UntrustedServer]::new()
        $script:session = Connect-Fake $server
    }
    AfterAll {
        Disconnect-RrService -Session $session
        $server.Dispose()
    }

    It 'New-RrRecall: batch 2 answered unreadably (<As>) gets OutcomeUnknown errors for exactly its IDs; batches 1 and 3 are reported' -ForEach @(
        @{ As = 'utf8'; Says = '*not valid UTF-8*' }, @{ As = 'surrogate'; Says = '*cannot be read*' }
    ) {
        $ids = [long[]](1..250)
        $null = $server.UnreadableIds.Add(150)   # in the second batch of 100
        $server.UnreadableAs = $As
        $sentBefore = @($server.Requests | Where-Object { $_ -like 'POST */Recall/createRecallByReturnInventoryId *' }).Count
        try {
            $recalls = @($ids | New-RrRecall -Session $session -Force -ErrorVariable failures -ErrorAction SilentlyContinue)
        }
        finally {
            $server.UnreadableIds.Clear()
            $server.UnreadableAs = 'utf8'
        }

        @($server.Requests | Where-Object { $_ -like 'POST */Recall/createRecallByReturnInventoryId *' }).Count - $sentBefore | Should -Be 3
        $recalls | Should -HaveCount 2
        @($recalls.RecallInventoryList.ReturnInventoryId | Sort-Object) | Should -Be ([long[]](@(1..100) + @(201..250)))
        $failures | Should -HaveCount 100
        @($failures.FullyQualifiedErrorId | Select-Object -Unique) | Should -Be 'RrApi.OutcomeUnknown,ReturnsHelper.Commands.NewRrRecallCommand'
        @($failures.Exception.ItemId | Sort-Object) | Should -Be ([long[]](101..200))
        @($failures.Exception.Kind | Select-Object -Unique) | Should -Be 'InvalidResponse'
        @($failures.Exception.CorrelationId | Select-Object -Unique) | Should -Be 'untrusted-correlation-1'
        $failures[0].Exception.Message | Should -BeLike $Says
    }

    It 'Get-RrInventory -ReturnInventoryId 1,2,3,4 with record 2 unreadable (<As>) gives 3 records and 1 error' -ForEach @(@{ As = 'utf8' }, @{ As = 'surrogate' }) {
        $null = $server.UnreadableIds.Add(2)
        $server.UnreadableAs = $As
        try {
            $records = @(Get-RrInventory -ReturnInventoryId 1, 2, 3, 4 -Session $session -ErrorVariable failures -ErrorAction SilentlyContinue)
        }
        finally {
            $server.UnreadableIds.Clear()
            $server.UnreadableAs = 'utf8'
        }

        @($records.ReturnInventoryId) | Should -Be 1, 3, 4
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.InvalidResponse,*'
        $failures[0].Exception.ItemId | Should -Be 2
        $failures[0].Exception.CorrelationId | Should -Be 'untrusted-correlation-1'
    }

    It 'Invoke-RrApi: a payload that cannot be converted (<As>) is an InvalidResponse error' -ForEach @(@{ As = 'utf8' }, @{ As = 'surrogate' }) {
        $null = $server.UnreadableIds.Add(2)
        $server.UnreadableAs = $As
        try {
            $payload = @(Invoke-RrApi ReturnInventory/GetReturnInventory -Query @{ returnInventoryId = 2 } -Session $session -ErrorVariable failures -ErrorAction SilentlyContinue)
            $fine = Invoke-RrApi ReturnInventory/GetReturnInventory -Query @{ returnInventoryId = 3 } -Session $session
        }
        finally {
            $server.UnreadableIds.Clear()
            $server.UnreadableAs = 'utf8'
        }
        $payload | Should -HaveCount 0
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.InvalidResponse,*'
        $failures[0].Exception.CorrelationId | Should -Be 'untrusted-correlation-1'
        $fine.returnInventoryId | Should -Be 3
    }

    It 'stops a scheduled script with the module''s own error, not an InvalidOperationException' {
        $null = $server.UnreadableIds.Add(2)
        try {
            $caught = $null
            try { $ErrorActionPreference = 'Stop'; Get-RrInventory -ReturnInventoryId 2 -Session $session }
            catch { $caught = $_ }
            finally { $ErrorActionPreference = 'Continue' }
        }
        finally { $server.UnreadableIds.Clear() }
        $caught.Exception | Should -BeOfType ([ReturnsHelper.Http.RrApiException])
    }

    It 'refuses an answer over -MaxResponseMB without reading it whole' {
        $big = [RrTest.UntrustedServer]::new()
        $big.Mode = 'huge'
        $big.HugeBytes = 8MB
        try {
            $small = Connect-RrService -BaseUri $big.UserApiBase -ApiKey 'untrusted-key' -ApiToken $Token -SkipCredentialCheck -MaxResponseMB 1 -PassThru
            $records = @(Get-RrInventory -ReturnInventoryId 1 -Session $small -ErrorVariable failures -ErrorAction SilentlyContinue)
            $records | Should -HaveCount 0
            $failures | Should -HaveCount 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrApi.InvalidResponse,*'
            $failures[0].Exception.Message | Should -BeLike '*larger than the limit of 1 MB*-MaxResponseMB*'
            @($big.Requests) | Should -HaveCount 1   # not retried
            $small.MaxResponseBytes | Should -Be 1MB
        }
        finally {
            if ($small) { Disconnect-RrService -Session $small }
            $big.Dispose()
        }
    }
}

Describe 'A redirect never carries the credentials' {
    BeforeAll {
        $script:target = [RrTest.UntrustedServer]::new()
        $script:redirecting = [RrTest.UntrustedServer]::new()
        $redirecting.Mode = 'redirect'
        $redirecting.RedirectTo = $target.Origin   # another port: another origin
    }
    AfterAll {
        $redirecting.Dispose()
        $target.Dispose()
    }

    It 'Connect-RrService fails with an error naming the redirect target, and the other origin gets nothing' {
        { Connect-Fake $redirecting } | Should -Throw "*redirected (HTTP 302) to $($target.Origin)/uat/user/api/ApiBalance/GetApiBalance*Connect-RrService -BaseUri*"
        @($target.Requests) | Should -HaveCount 0
    }

    It 'New-RrRecall is not re-sent to the redirect target' {
        $session = Connect-Fake $redirecting -SkipCredentialCheck
        try {
            $recalls = @(New-RrRecall -ReturnInventoryId 1, 2 -Session $session -ErrorVariable failures -ErrorAction SilentlyContinue)
        }
        finally { Disconnect-RrService -Session $session }
        $recalls | Should -HaveCount 0
        $failures | Should -HaveCount 2
        @($failures.FullyQualifiedErrorId | Select-Object -Unique) | Should -BeLike 'RrApi.HttpError,*'
        @($target.Requests) | Should -HaveCount 0
        @($redirecting.Requests | Where-Object { $_ -like 'POST *' }) | Should -HaveCount 1
    }
}

Describe 'A server that echoes the token' {
    BeforeAll {
        $script:server = [RrTest.UntrustedServer]::new()
        $server.Mode = 'reflect'
        $script:session = Connect-Fake $server -SkipCredentialCheck
    }
    AfterAll {
        Disconnect-RrService -Session $session
        $server.Dispose()
    }

    It 'gets no form of it into -Debug, -Verbose or $Error' {
        $Error.Clear()
        $streams = Get-RrInventory -ReturnInventoryId 7 -Session $session -Debug -Verbose -ErrorAction SilentlyContinue 5>&1 4>&1 | Out-String
        $errors = $Error | ForEach-Object { $_ | Format-List * -Force | Out-String; $_.Exception | Format-List * -Force | Out-String } | Out-String
        @($server.Requests) | Should -HaveCount 1
        $streams | Should -BeLike '*response body*'   # the debug stream was captured
        $errors | Should -BeLike '*Invalid token*'
        $everyCharEscaped = -join ($TokenText.ToCharArray() | ForEach-Object { '\u{0:x4}' -f [int]$_ })
        $forms = @(
            $TokenText
            $everyCharEscaped
            $TokenText.Replace('+', '\u002B').Replace('<', '\u003C').Replace('>', '\u003E').Replace('&', '\u0026')
            [Uri]::EscapeDataString($TokenText)
            [Uri]::EscapeDataString($TokenText).ToLowerInvariant()
        )
        foreach ($form in $forms) {
            $streams.Contains($form) | Should -BeFalse -Because "the debug and verbose output must not hold '$form'"
            $errors.Contains($form) | Should -BeFalse -Because "`$Error must not hold '$form'"
        }
    }
}
