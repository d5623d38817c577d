# Webhooks: Test-RrWebhookSignature (known-good, tampered, skewed and malformed deliveries), ConvertFrom-RrWebhook
# (typed events, per-item errors, verification, JSON-lines records) and Receive-RrWebhook end to end in a real pwsh:
# the emulator posts signed events to the receiver, whose output is piped into New-RrRecall.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null

    # The fixed vector (expected signature computed independently with python3 hmac and openssl).
    $script:KeyText = 'dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm'   # Base64 of "test-signing-key-0123456789abcdef"
    $script:Key = ConvertTo-SecureString $KeyText -AsPlainText -Force
    $script:Url = 'https://example.com/hooks/rh'
    $script:Stamp = '2024-01-12T09:23:08.4863561Z'
    $script:Body = '{"category":"rsl"}'
    $script:Signature = '3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs='

    # Helpers used here and, as text, inside the thread jobs that play Return Helper (a job is another runspace).
    $script:SenderFunctions = @'
function New-TestSignature([string] $Url, [string] $Timestamp, [string] $Body, [string] $KeyBase64) {
    $hmac = [Security.Cryptography.HMACSHA256]::new([Convert]::FromBase64String($KeyBase64))
    try { [Convert]::ToBase64String($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes("POST$Url$Timestamp$Body"))) }
    finally { $hmac.Dispose() }
}

function Get-UtcStamp([TimeSpan] $Offset = [TimeSpan]::Zero) {
    [DateTime]::UtcNow.Add($Offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", [Globalization.CultureInfo]::InvariantCulture)
}

# Posts a body like Return Helper does; signs it for -SignedFor (default the target) unless -Signature is given. Returns the status.
function Send-TestWebhook {
    param([string] $Uri, [string] $Body, [string] $KeyBase64, [string] $Timestamp = (Get-UtcStamp), [string] $Signature, [string] $SignedFor)
    if (-not $SignedFor) { $SignedFor = $Uri }
    if (-not $Signature) { $Signature = New-TestSignature $SignedFor $Timestamp $Body $KeyBase64 }
    $headers = @{ timestamp = $Timestamp; 'returnhelper-signature' = $Signature }
    $response = Invoke-WebRequest -Method POST -Uri $Uri -Body ([Text.Encoding]::UTF8.GetBytes($Body)) -ContentType 'application/json; charset=utf-8' `
        -Headers $headers -SkipHeaderValidation -SkipHttpErrorCheck -NoProxy -TimeoutSec 20
    [int] $response.StatusCode
}

# Waits until a receiver listens at $Uri (it answers anything but a signed POST with 401).
function Wait-TestListener([string] $Uri, [int] $TimeoutSeconds = 30) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        try {
            if ((Invoke-WebRequest -Method GET -Uri $Uri -SkipHttpErrorCheck -NoProxy -TimeoutSec 5).StatusCode -eq 401) { return }
        }
        catch { }
        Start-Sleep -Milliseconds 100
    }
    throw "Nothing listens on $Uri after $TimeoutSeconds s."
}

# Calls the emulator's control surface; a JSON array answer is written item by item.
function Invoke-TestControl([string] $Base, [string] $Path, [object] $Body) {
    $answer = Invoke-RestMethod -Method POST -Uri "$Base/_emulator/$Path" -Body (ConvertTo-Json -InputObject $Body -Depth 10 -Compress) `
        -ContentType 'application/json' -NoProxy
    $answer
}
'@
    . ([scriptblock]::Create($SenderFunctions))


    # Starts a thread job that waits until the receiver at $Endpoint listens, then runs $Script; inside it
    # $Endpoint, $Base (the emulator) and $KeyText are set and the sender functions are defined.
    function Start-SenderJob([string] $Endpoint, [scriptblock] $Script) {
        $base = if ($script:emulator) { $script:emulator.BaseAddress } else { $null }
        Start-ThreadJob -ArgumentList $Endpoint, $base, $KeyText, $SenderFunctions, $Script.ToString() -ScriptBlock {
            param($Endpoint, $Base, $KeyText, $Functions, $Work)
            . ([scriptblock]::Create($Functions))
            Wait-TestListener $Endpoint
            . ([scriptblock]::Create($Work))
        }
    }

    function Receive-SenderJob($Job) {
        try { $Job | Wait-Job -Timeout 90 | Receive-Job -ErrorAction Stop }
        finally { $Job | Remove-Job -Force }
    }

    $script:Samples = @{
        NewInventory = '{"category":"newInventoryCreated","action":"newInventoryCreated","eventTime":"2024-07-15T03:30:05.1984163Z","version":"202407","returnInventory":{"returnInventoryId":"19973","warehouseId":2,"handlingCode":"tbc","handlingStatusCode":"pending","rma":"USE-2-240715-D00003-30"},"shipment":{"shipmentId":"9999","returnRequestId":"1234","trackingNumber":"tracking1234","shipToWarehouseId":2}}'
        Recall       = '{"recall":{"recallId":938,"recallNumber":"RCL240423-0000001","recallStatusCode":"completed","recallInventoryList":[{"recallInventoryId":1145,"returnInventoryId":18600,"recallInventoryStatusCode":"picked-up","pickUpCode":"courier-pick-up","trackingNumber":"S240423-0000018-AWB"}]},"recallUpdateTypeStatus":"pickupByCourier","category":"recall","action":"recallUpdateStatus","eventTime":"2024-04-23T09:03:38.4028454Z"}'
        Handling     = '{"returnInventory":{"returnInventoryId":18203,"warehouseId":2,"handlingCode":2,"handlingStatusCode":2,"completeOn":"2024-04-08T07:43:55.0619393Z"},"category":"rinv","action":"completeInventoryHandling","eventTime":"2024-04-08T07:44:05.68514Z"}'
        Label        = '{"label":{"labelId":11345,"referenceNumber":"ystest07110001","shipmentId":"10825","labelRequestStatusCode":"success","trackingNumber":"9201994884299101443342","labelUrl":"https://example.com/l.pdf","error":null},"category":"labelGenerated","action":"labelGenerated","eventTime":"2021-09-04T17:03:15.8888073Z"}'
        Arrived      = '{"shipment":{"shipmentId":"9999","returnRequestId":"1234","trackingNumber":"tracking1234","serviceType":"fedex","shipToWarehouseId":3},"category":"rsl","action":"markShipmentArrive","eventTime":"2024-07-20T01:00:00Z","version":"202407"}'
        Unknown      = '{"payload":{"returnInventoryId":"19029","oldRma":"A","newRma":"B"},"category":"notifyUserRmaSwapped","action":"notifyUserRmaSwapped","eventTime":"2024-05-23T06:26:43.4416977Z"}'
    }
}

Describe 'Test-RrWebhookSignature' {
    It 'returns $true for the known-good vector' {
        Test-RrWebhookSignature -Body $Body -Timestamp $Stamp -Signature $Signature -EndpointUri $Url -SigningKey $Key -SkipClockSkewCheck |
            Should -BeTrue
    }

    It 'returns $false when one byte of the <What> changes' -ForEach @(
        @{ What = 'body'; Change = @{ Body = '{"category":"rsm"}' } }
        @{ What = 'timestamp'; Change = @{ Timestamp = '2024-01-12T09:23:08.4863562Z' } }
        @{ What = 'URL'; Change = @{ EndpointUri = 'https://example.com/hooks/rH' } }
        @{ What = 'key'; Change = @{ SigningKey = (ConvertTo-SecureString ([Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes('test-signing-key-0123456789abcdeF'))) -AsPlainText -Force) } }
        @{ What = 'signature'; Change = @{ Signature = '4FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs=' } }
    ) {
        $arguments = @{ Body = $Body; Timestamp = $Stamp; Signature = $Signature; EndpointUri = $Url; SigningKey = $Key; SkipClockSkewCheck = $true }
        foreach ($name in $Change.Keys) { $arguments[$name] = $Change[$name] }
        Test-RrWebhookSignature @arguments | Should -BeFalse
    }

    It 'checks the clock skew (15 minutes by default) unless told not to' {
        Test-RrWebhookSignature -Body $Body -Timestamp $Stamp -Signature $Signature -EndpointUri $Url -SigningKey $Key -Verbose 4>&1 |
            ForEach-Object { if ($_ -is [Management.Automation.VerboseRecord]) { $_.Message | Should -Match 'more than the allowed 15 min' } else { $_ | Should -BeFalse } }
        Test-RrWebhookSignature -Body $Body -Timestamp $Stamp -Signature $Signature -EndpointUri $Url -SigningKey $Key -MaxClockSkew ([TimeSpan]::FromDays(36500)) |
            Should -BeTrue

        foreach ($offset in -14, 14, -16, 16) {
            $now = Get-UtcStamp ([TimeSpan]::FromMinutes($offset))
            $signature = New-TestSignature $Url $now $Body $KeyText
            Test-RrWebhookSignature -Body $Body -Timestamp $now -Signature $signature -EndpointUri $Url -SigningKey $Key |
                Should -Be ([Math]::Abs($offset) -lt 15) -Because "a timestamp $offset minutes from now"
        }
    }

    It 'signs the UTF-8 bytes of the body as given' {
        $body = "{`"category`":`"rsl`",`"note`":`"caf$([char]0xE9) $([char]0x2713)`"}`n"
        $now = Get-UtcStamp
        Test-RrWebhookSignature -Body $body -Timestamp $now -Signature (New-TestSignature $Url $now $body $KeyText) -EndpointUri $Url -SigningKey $Key |
            Should -BeTrue
        Test-RrWebhookSignature -Body $body.TrimEnd() -Timestamp $now -Signature (New-TestSignature $Url $now $body $KeyText) -EndpointUri $Url -SigningKey $Key |
            Should -BeFalse -Because 'a trimmed body is not the body that was signed'
    }

    It 'reports a malformed <What> as an error, not $false' -ForEach @(
        @{ What = 'signature'; Change = @{ Signature = 'abc' }; ErrorId = 'RrWebhook.InvalidSignature' }
        @{ What = 'signature length'; Change = @{ Signature = 'AAECAwQFBgcICQoLDA0ODw==' }; ErrorId = 'RrWebhook.InvalidSignature' }
        @{ What = 'empty signature'; Change = @{ Signature = '' }; ErrorId = 'RrWebhook.InvalidSignature' }
        @{ What = 'timestamp'; Change = @{ Timestamp = 'yesterday' }; ErrorId = 'RrWebhook.InvalidTimestamp' }
        @{ What = 'missing timestamp'; Change = @{ Timestamp = $null }; ErrorId = 'RrWebhook.InvalidTimestamp' }
    ) {
        $arguments = @{ Body = $Body; Timestamp = $Stamp; Signature = $Signature; EndpointUri = $Url; SigningKey = $Key }
        foreach ($name in $Change.Keys) { $arguments[$name] = $Change[$name] }
        $output = Test-RrWebhookSignature @arguments -ErrorVariable failures -ErrorAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        { Test-RrWebhookSignature @arguments -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,*"
    }

    It 'stops with a clear error for a signing key that is not Base64, without showing it' {
        $bad = ConvertTo-SecureString 'super secret key!' -AsPlainText -Force
        $failure = { Test-RrWebhookSignature -Body $Body -Timestamp $Stamp -Signature $Signature -EndpointUri $Url -SigningKey $bad } |
            Should -Throw -ErrorId 'RrWebhook.InvalidSigningKey,*' -PassThru
        $failure.Exception.Message | Should -Match 'not valid Base64'
        "$failure $($failure.Exception) $($failure.ErrorDetails)" | Should -Not -Match 'super secret'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'binds recorded deliveries by property name' {
        $now = Get-UtcStamp
        $records = @(
            [pscustomobject]@{ body = $Body; timestamp = $now; signature = (New-TestSignature $Url $now $Body $KeyText) }
            [pscustomobject]@{ body = '{"category":"x"}'; timestamp = $now; signature = (New-TestSignature $Url $now $Body $KeyText) }
        )
        $records | Test-RrWebhookSignature -EndpointUri $Url -SigningKey $Key | Should -Be @($true, $false)
    }
}

Describe 'ConvertFrom-RrWebhook' {
    It 'makes typed events from the documented shapes' {
        $events = $Samples.NewInventory, $Samples.Recall, $Samples.Handling, $Samples.Label, $Samples.Arrived, $Samples.Unknown | ConvertFrom-RrWebhook
        $events | Should -HaveCount 6
        $events[0] | Should -BeOfType ([ReturnsHelper.NewInventoryCreatedEvent])
        $events[0].ReturnInventoryId | Should -Be 19973
        $events[0].ReturnInventoryId | Should -BeOfType ([long])
        $events[0].Inventory.HandlingCode | Should -Be 'tbc'
        $events[0].ShipmentId | Should -Be 9999
        $events[1] | Should -BeOfType ([ReturnsHelper.RecallUpdateEvent])
        $events[1].UpdateType | Should -Be 'pickUpToCourierPickUp'
        $events[1].ReturnInventoryIds | Should -Be @(18600)
        $events[2] | Should -BeOfType ([ReturnsHelper.InventoryHandlingEvent])
        $events[2].Inventory.HandlingCode | Should -Be 'dis'
        $events[2].Inventory.HandlingStatusCode | Should -Be 'completed'
        $events[3] | Should -BeOfType ([ReturnsHelper.LabelGeneratedEvent])
        $events[3].ShipmentId | Should -Be 10825
        $events[3].Succeeded | Should -BeTrue
        $events[4] | Should -BeOfType ([ReturnsHelper.ShipmentArrivedEvent])
        $events[4].IsVersion1 | Should -BeFalse
        $events[5].GetType() | Should -Be ([ReturnsHelper.WebhookEvent])
        $events[5].Payload.payload.newRma | Should -Be 'B'
        foreach ($e in $events) {
            $e.RawBody | Should -Not -BeNullOrEmpty
            $e.DedupeKey | Should -Match '^sha256:[0-9a-f]{64}$'
            $e.EventTime.Offset | Should -Be ([timespan]::Zero)
        }
        ($events | Format-Table | Out-String) | Should -Match 'Summary'
    }

    It 'reports malformed JSON and bodies without a category per item and converts the rest' {
        $inputs = $Samples.Label, 'not json', '{"action":"x"}', '', $Samples.Arrived
        $events = $inputs | ConvertFrom-RrWebhook -ErrorVariable failures -ErrorAction SilentlyContinue
        $events | Should -HaveCount 2
        $failures | Should -HaveCount 3
        $failures.TargetObject | Should -Be @('not json', '{"action":"x"}', '')
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'RrWebhook.InvalidBody,*' }
        $failures[0].Exception.Message | Should -Match 'not valid JSON'
        $failures[1].Exception.Message | Should -Match "no 'category'"
    }

    It 'reads every record of a journal, reporting an unreadable one with its line number and going on' {
        function Record([string] $BodyField) { '{"rrWebhookRecord":1,"receivedAt":"2024-07-20T01:00:00.0000000Z","endpointUri":"u","timestamp":"t","signature":"s",' + $BodyField + '}' }
        $utf8 = [Text.UTF8Encoding]::new($false)
        $invalidBody = $utf8.GetBytes('{"category":"rinv","action":"completeInventoryHandling","returnInventory":{"returnInventoryId":7,"description":"caf') + [byte[]] 0xC3 + $utf8.GetBytes('"}}')
        $lines = @(
            $utf8.GetBytes((Record ('"body":' + (ConvertTo-Json $Samples.Label -Compress))) + "`n")
            $utf8.GetBytes((Record ('"bodyBase64":"' + [Convert]::ToBase64String($invalidBody) + '"')) + "`n")   # a delivery that was not UTF-8
            $damagedHead = Record '"body":"{\"category\":\"caf'
            $utf8.GetBytes($damagedHead.Substring(0, $damagedHead.Length - 1)) + [byte[]] 0xC3 + $utf8.GetBytes('\"}"}' + "`n")    # a damaged line
            $utf8.GetBytes((Record ('"body":' + (ConvertTo-Json $Samples.Arrived -Compress))) + "`n")
        )
        $file = Join-Path $TestDrive 'journal.jsonl'
        [IO.File]::WriteAllBytes($file, [byte[]] ($lines | ForEach-Object { $_ }))

        $events = ConvertFrom-RrWebhook -Path $file -ErrorVariable failures -ErrorAction SilentlyContinue
        $events | Should -HaveCount 2
        $events[1].Category | Should -Be 'rsl'
        $failures | Should -HaveCount 2
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'RrWebhook.InvalidBody,*' }
        $failures[0].ErrorDetails.Message | Should -BeLike "$($file):2: *not valid UTF-8*"
        $failures[1].ErrorDetails.Message | Should -BeLike "$($file):3: *"
        $failures.TargetObject | Should -Be @("$($file):2", "$($file):3")
    }

    It 'reads a raw body from a file unchanged (-Path and Get-Content -Raw)' {
        $file = Join-Path $TestDrive 'event.json'
        [IO.File]::WriteAllText($file, ($Samples.Handling -replace ',', ",`r`n  "))
        $fromPath = ConvertFrom-RrWebhook -Path (Join-Path $TestDrive 'event.js*')
        $fromRaw = Get-Content -Raw -LiteralPath $file | ConvertFrom-RrWebhook
        $fromItem = Get-Item -LiteralPath $file | ConvertFrom-RrWebhook
        foreach ($e in $fromPath, $fromRaw, $fromItem) {
            $e.ReturnInventoryId | Should -Be 18203
            $e.RawBody | Should -BeExactly ([IO.File]::ReadAllText($file))
        }
    }

    It 'verifies before converting when given the headers and the key' {
        $now = Get-UtcStamp
        $good = ConvertFrom-RrWebhook -Body $Samples.NewInventory -Timestamp $now -Signature (New-TestSignature $Url $now $Samples.NewInventory $KeyText) `
            -EndpointUri $Url -SigningKey $Key
        $good.ReturnInventoryId | Should -Be 19973

        $forged = ConvertFrom-RrWebhook -Body $Samples.NewInventory -Timestamp $now -Signature (New-TestSignature $Url $now $Samples.Label $KeyText) `
            -EndpointUri $Url -SigningKey $Key -ErrorVariable failures -ErrorAction SilentlyContinue
        $forged | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrWebhook.SignatureMismatch,*'
        $failures[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $failures[0].TargetObject | Should -Be $Samples.NewInventory

        $old = Get-UtcStamp ([TimeSpan]::FromHours(-1))
        ConvertFrom-RrWebhook -Body $Samples.NewInventory -Timestamp $old -Signature (New-TestSignature $Url $old $Samples.NewInventory $KeyText) `
            -EndpointUri $Url -SigningKey $Key -ErrorVariable skewed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $skewed[0].FullyQualifiedErrorId | Should -BeLike 'RrWebhook.ClockSkew,*'
    }

    It 'refuses half a verification' {
        { ConvertFrom-RrWebhook -Body $Samples.Label -Timestamp $Stamp -Signature $Signature } | Should -Throw -ErrorId 'RrWebhook.IncompleteVerification,*'
        { ConvertFrom-RrWebhook -Body $Samples.Label -SigningKey $Key } | Should -Throw -ErrorId 'RrWebhook.IncompleteVerification,*'
        $Samples.Label | ConvertFrom-RrWebhook -SigningKey $Key -EndpointUri $Url -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrWebhook.MissingHeaders,*'
    }
}

Describe 'Receive-RrWebhook' {
    It 'ends at -Timeout with a warning when -Count was not reached' {
        $events = Receive-RrWebhook -Port (Get-RrTestFreePort) -SigningKey $Key -EndpointUri $Url -Count 2 -Timeout '00:00:00.300' `
            -WarningVariable warnings -WarningAction SilentlyContinue
        $events | Should -BeNullOrEmpty
        $warnings[0] | Should -Match 'timed out after .* with 0 of 2 events'
    }

    It 'rotates its -Path file at -MaxJournalMB, reads the rotated files back, and still drops a redelivery after a restart' {
        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/hooks/rh"
        $file = Join-Path $TestDrive 'rotating.jsonl'
        $job = Start-SenderJob $endpoint {
            # Three deliveries of about 400 KB: the third does not fit in a 1 MB file.
            foreach ($n in 1..3) {
                $body = '{"category":"rsl","action":"markShipmentArrive","version":"202407","notificationId":"ROT-' + $n + '","shipment":{"shipmentId":' + $n + ',"trackingNumber":"' + ('x' * 400KB) + '"}}'
                Send-TestWebhook -Uri $Endpoint -Body $body -KeyBase64 $KeyText
            }
        }
        $received = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $file -MaxJournalMB 1 -KeepJournalFiles 1 -Count 3 -Timeout '00:01:00'
        Receive-SenderJob $job | Should -Be @(200, 200, 200)
        $received.NotificationId | Should -Be @('ROT-1', 'ROT-2', 'ROT-3')

        $rotated = Join-Path $TestDrive 'rotating.1.jsonl'
        @(Get-Content -LiteralPath $rotated) | Should -HaveCount 2
        @(Get-Content -LiteralPath $file) | Should -HaveCount 1
        (ConvertFrom-RrWebhook -Path (Join-Path $TestDrive 'rotating*.jsonl') -SigningKey $Key -EndpointUri $endpoint).NotificationId | Sort-Object |
            Should -Be @('ROT-1', 'ROT-2', 'ROT-3')

        # A restarted receiver remembers the last -MaxJournalMB of deliveries, into the rotated file: ROT-2 again is a duplicate.
        $port = Get-RrTestFreePort
        $endpoint2 = "http://127.0.0.1:$port/hooks/rh"
        $job = Start-SenderJob $endpoint2 {
            $redelivery = '{"category":"rsl","action":"markShipmentArrive","version":"202407","notificationId":"ROT-2","shipment":{"shipmentId":2}}'
            $new = '{"category":"rsl","action":"markShipmentArrive","version":"202407","notificationId":"ROT-4","shipment":{"shipmentId":4}}'
            Send-TestWebhook -Uri $Endpoint -Body $redelivery -KeyBase64 $KeyText
            Send-TestWebhook -Uri $Endpoint -Body $new -KeyBase64 $KeyText
        }
        $again = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint2 -Path $file -MaxJournalMB 1 -KeepJournalFiles 1 -Count 1 -Timeout '00:01:00'
        Receive-SenderJob $job | Should -Be @(200, 200)
        $again.NotificationId | Should -Be 'ROT-4'
    }

    It 'stops cleanly when the pipeline is stopped (Ctrl+C) and frees the port' {
        $port = Get-RrTestFreePort
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($ModulePath, $Port, $KeyText)
                    Import-Module $ModulePath
                    Receive-RrWebhook -Port $Port -SigningKey (ConvertTo-SecureString $KeyText -AsPlainText -Force) -EndpointUri 'https://example.com/hooks/rh'
                }).AddArgument((Get-RrModulePath)).AddArgument($port).AddArgument($KeyText)
            $null = $ps.BeginInvoke()
            Wait-TestListener "http://127.0.0.1:$port/"
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
        Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $Url -Timeout '00:00:00.200' | Should -BeNullOrEmpty
    }

    It 'is a terminating error when the port is taken' {
        $blocker = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $blocker.Start()
        try {
            $failure = { Receive-RrWebhook -Port $blocker.LocalEndpoint.Port -SigningKey $Key -EndpointUri $Url -Timeout '00:00:05' } |
                Should -Throw -ErrorId 'RrWebhook.ListenFailed,*' -PassThru
            $failure.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        }
        finally { $blocker.Stop() }
    }

    It 'is a PermissionDenied error when HTTP.sys refuses the prefix to the user' {
        # Only Windows refuses with access denied (error 5): the refusal is built as the receiver builds it, then turned
        # into the error record the command throws (both internal: reached by reflection).
        $core = [ReturnsHelper.RrSession].Assembly.GetType('ReturnsHelper.Webhooks.WebhookReceiver', $true)
        $refusal = $core.GetMethod('ListenFailure', [Reflection.BindingFlags] 'NonPublic, Static').Invoke($null, @('http://127.0.0.1:8080/', [Net.HttpListenerException]::new(5), 'CONTOSO\svc-returns'))
        $support = (Get-Command Receive-RrWebhook).ImplementingType.Assembly.GetType('ReturnsHelper.Commands.WebhookCmdletSupport', $true)
        $record = $support.GetMethod('ListenError').Invoke($null, @($refusal, 'http://127.0.0.1:8080/'))
        $record.FullyQualifiedErrorId | Should -Be 'RrWebhook.ListenFailed'
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.Exception.Message | Should -BeLike '*netsh http add urlacl url=http://127.0.0.1:8080/ user=CONTOSO\svc-returns'
    }

    It 'refuses a prefix that is not http(s)' {
        { Receive-RrWebhook -Prefix 'ftp://127.0.0.1:1/' -SigningKey $Key -EndpointUri $Url } | Should -Throw -ErrorId 'RrWebhook.InvalidPrefix,*'
    }

    It 'warns once at the first delivery signed for another URL, and the timeout warning counts the refused deliveries' {
        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/hooks/rh"
        $job = Start-SenderJob $endpoint {
            # Signed for the local URL, while the receiver was told the registered one ($Url).
            foreach ($n in 1..2) { Send-TestWebhook -Uri $Endpoint -Body ('{"category":"rsl","notificationId":"W' + $n + '"}') -KeyBase64 $KeyText }
        }
        $events = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $Url -Count 1 -Timeout '00:00:08' -WarningVariable warnings -WarningAction SilentlyContinue
        Receive-SenderJob $job | Should -Be @(401, 401)
        $events | Should -BeNullOrEmpty
        $warnings | Should -HaveCount 2
        $warnings[0] | Should -BeLike "*does not match*'$Url'*signing key*"
        $warnings[1] | Should -Match 'with 0 of 1 events; \d+ deliveries refused \(.*2 SignatureMismatch\)'
    }
}

Describe 'A relative -EndpointUri' {
    It 'is a terminating InvalidArgument error in <Name>' -ForEach @(
        @{ Name = 'Receive-RrWebhook'; Call = { Receive-RrWebhook -Port (Get-RrTestFreePort) -SigningKey $Key -EndpointUri '/hooks/rh' -Timeout '00:00:05' } }
        @{ Name = 'Test-RrWebhookSignature'; Call = { Test-RrWebhookSignature -Body $Body -Timestamp $Stamp -Signature $Signature -SigningKey $Key -EndpointUri '/hooks/rh' -ErrorAction SilentlyContinue } }
        @{ Name = 'ConvertFrom-RrWebhook'; Call = { ConvertFrom-RrWebhook -Body $Body -Timestamp $Stamp -Signature $Signature -SigningKey $Key -EndpointUri 'hooks/rh' -ErrorAction SilentlyContinue } }
    ) {
        $failure = { & $Call } | Should -Throw -ErrorId 'RrWebhook.InvalidEndpointUri,*' -PassThru
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.Exception.Message | Should -BeLike '*not an absolute http(s) URL*registered with Return Helper*'
    }
}

Describe 'Webhooks end to end with the emulator' {
    BeforeAll {
        $script:emulator = Start-RrTestEmulator
        Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken

        function New-TestInventory([int] $Count = 1) {
            $items = foreach ($i in 1..$Count) { @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 } }
            @(Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'inventories' -Body @($items) | ForEach-Object returnInventoryId)
        }
    }

    AfterAll {
        Disconnect-RrService
        Stop-RrTestEmulator $emulator
    }

    BeforeEach {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 10 }
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'webhooks'
    }

    It 'receives signed newInventoryCreated events, recalls them, refuses a forgery and drops a duplicate' {
        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/hooks/rh"
        $file = Join-Path $TestDrive 'events.jsonl'
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks' -Body @{ url = $endpoint; signingKey = $KeyText }

        $job = Start-SenderJob $endpoint {
            $forgedBody = '{"category":"newInventoryCreated","action":"newInventoryCreated","notificationId":"FORGED-1","returnInventory":{"returnInventoryId":"100001"}}'
            $duplicateBody = '{"category":"rsl","action":"markShipmentArrive","version":"202407","notificationId":"DUP-1","eventTime":"2024-07-20T01:00:00Z","shipment":{"shipmentId":"77"}}'
            [pscustomobject]@{
                Forged       = Send-TestWebhook -Uri $Endpoint -Body $forgedBody -KeyBase64 $KeyText -Signature (New-TestSignature $Endpoint (Get-UtcStamp) $forgedBody 'QUFBQQ==')
                WrongUrl     = Send-TestWebhook -Uri $Endpoint -Body $forgedBody -KeyBase64 $KeyText -SignedFor 'https://elsewhere.example.com/hooks/rh'
                First        = Send-TestWebhook -Uri $Endpoint -Body $duplicateBody -KeyBase64 $KeyText
                Duplicate    = Send-TestWebhook -Uri $Endpoint -Body $duplicateBody -KeyBase64 $KeyText
                # The emulator now sends one signed newInventoryCreated per inventory.
                Ids          = @(Invoke-TestControl $Base 'inventories' @(
                        @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 }
                        @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 }
                        @{ handlingCode = 'ohd'; handlingStatusCode = 'pending'; warehouseId = 2 }) | ForEach-Object returnInventoryId)
            }
        }
        $recalls = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Count 4 -Timeout '00:01:30' -Path $file -OutVariable received `
            -WarningVariable warnings -WarningAction SilentlyContinue |
            Where-Object Category -eq newInventoryCreated |
            New-RrRecall
        $sent = Receive-SenderJob $job

        $sent.Forged | Should -Be 401
        $sent.WrongUrl | Should -Be 401
        $sent.First | Should -Be 200
        $sent.Duplicate | Should -Be 200 -Because 'a duplicate is acknowledged so it is not retried'
        $warnings | Should -HaveCount 1 -Because 'only the first of the two mismatching deliveries warns'

        # The forged events never reached the pipeline; the duplicate reached it once.
        $received | Should -HaveCount 4
        $received.NotificationId | Should -Not -Contain 'FORGED-1'
        @($received | Where-Object NotificationId -EQ 'DUP-1') | Should -HaveCount 1
        @($received.DedupeKey | Sort-Object -Unique) | Should -HaveCount 4
        $created = @($received | Where-Object Category -EQ newInventoryCreated)
        $created | Should -HaveCount 3
        $created | ForEach-Object { $_ | Should -BeOfType ([ReturnsHelper.NewInventoryCreatedEvent]) }
        @($created.ReturnInventoryId | Sort-Object) | Should -Be @($sent.Ids | Sort-Object)

        # New-RrRecall recalled exactly those inventories, and the emulator has the recall.
        @($recalls.RecallInventoryList.ReturnInventoryId | Sort-Object) | Should -Be @($sent.Ids | Sort-Object)
        $inEmulator = @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'recalls')
        @($inEmulator.recallInventoryList.returnInventoryId | Sort-Object) | Should -Be @($sent.Ids | Sort-Object)
        $deliveries = @(Invoke-RrEmulatorControl -Emulator $emulator -Path 'webhooks/deliveries' | Where-Object category -EQ newInventoryCreated)
        $deliveries.outcome | Sort-Object -Unique | Should -Be 'delivered'

        # The JSON-lines file round-trips: same events, same raw bytes, still verifiable.
        Get-Content -LiteralPath $file | Should -HaveCount 4
        $replayed = ConvertFrom-RrWebhook -Path $file -SigningKey $Key -EndpointUri $endpoint
        $replayed | Should -HaveCount 4
        $replayed.DedupeKey | Should -Be $received.DedupeKey
        for ($i = 0; $i -lt 4; $i++) {
            $replayed[$i].RawBody | Should -BeExactly $received[$i].RawBody
            $replayed[$i].GetType() | Should -Be $received[$i].GetType()
            $replayed[$i].ReceivedAt | Should -Be $received[$i].ReceivedAt
        }
        @(Get-Content -LiteralPath $file | ConvertFrom-RrWebhook).Count | Should -Be 4
        # -DateKind String keeps the timestamp header text exact (PowerShell 7 otherwise turns it into a DateTime).
        Get-Content -LiteralPath $file | ConvertFrom-Json -DateKind String |
            Test-RrWebhookSignature -EndpointUri $endpoint -SigningKey $Key -SkipClockSkewCheck |
            Should -Be @($true, $true, $true, $true)
        ConvertFrom-RrWebhook -Path $file -SigningKey $Key -EndpointUri 'https://elsewhere.example.com/hooks/rh' -ErrorAction SilentlyContinue -ErrorVariable mismatches |
            Should -BeNullOrEmpty
        $mismatches | Should -HaveCount 4
    }

    It 'receives recallUpdateStatus and completeInventoryHandling events from the emulator' {
        $ids = New-TestInventory -Count 2
        $recall = $ids[0] | New-RrRecall
        $null = $ids[1] | Set-RrInventoryHandling -HandlingCode dis
        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/"
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks' -Body @{ url = $endpoint; signingKey = $KeyText }

        $job = Start-SenderJob $endpoint ([scriptblock]::Create(@"
`$null = Invoke-TestControl `$Base 'recalls/$($recall.RecallId)/advance' @{}
`$null = Invoke-TestControl `$Base 'inventories/$($ids[1])/complete' @{}
"@))
        $events = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Count 2 -Timeout '00:01:30'
        $null = Receive-SenderJob $job

        $update = $events | Where-Object Category -EQ recall
        $update | Should -BeOfType ([ReturnsHelper.RecallUpdateEvent])
        $update.RecallId | Should -Be $recall.RecallId
        $update.UpdateType | Should -Be 'updateTrackingNumber'
        $update.ReturnInventoryIds | Should -Be @($ids[0])
        $update.TrackingNumber | Should -Not -BeNullOrEmpty

        $completed = $events | Where-Object Action -EQ completeInventoryHandling
        $completed | Should -BeOfType ([ReturnsHelper.InventoryHandlingEvent])
        $completed.ReturnInventoryId | Should -Be $ids[1]
        $completed.Inventory.HandlingCode | Should -Be 'dis'
        $completed.Inventory.HandlingStatusCode | Should -Be 'completed'
    }

    It 'pipes a converted newInventoryCreated event into Set-RrInventoryHandling' {
        $id = New-TestInventory -Count 1
        $body = $Samples.NewInventory -replace '"19973"', "`"$id`""
        $inventory = $body | ConvertFrom-RrWebhook | Set-RrInventoryHandling -HandlingCode ohd -PassThru
        $inventory.ReturnInventoryId | Should -Be $id
        $inventory.HandlingCode | Should -Be 'ohd'
    }
}

Describe 'A journal Receive-RrWebhook is writing' {
    It 'is read by ConvertFrom-RrWebhook -Path while the receiver runs' {
        # Windows refuses a reader that does not share the writer's access; .NET on Linux refuses only FileShare.None.
        # (The sharing itself is checked as Windows applies it in Core.Tests WindowsReceiverTests.)
        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/hooks/rh"
        $file = Join-Path $TestDrive 'live.jsonl'
        $work = @'
Import-Module '<module>'
$template = '{"category":"rsl","action":"markShipmentArrive","version":"202407","notificationId":"LIVE-<n>","shipment":{"shipmentId":<n>}}'
$first = Send-TestWebhook -Uri $Endpoint -Body $template.Replace('<n>', '1') -KeyBase64 $KeyText
# Answered means journaled; the receiver, waiting for a second event, still has the file open for appending.
$read = @(ConvertFrom-RrWebhook -Path '<file>' -ErrorAction Stop).NotificationId
$second = Send-TestWebhook -Uri $Endpoint -Body $template.Replace('<n>', '2') -KeyBase64 $KeyText
$first, $second, "read while receiving: $($read -join ', ')"
'@.Replace('<module>', (Get-RrModulePath)).Replace('<file>', $file)
        $job = Start-SenderJob $endpoint ([scriptblock]::Create($work))
        $received = Receive-RrWebhook -Port $port -SigningKey $Key -EndpointUri $endpoint -Path $file -Count 2 -Timeout '00:01:00'
        Receive-SenderJob $job | Should -Be @(200, 200, 'read while receiving: LIVE-1')
        $received.NotificationId | Should -Be @('LIVE-1', 'LIVE-2')
    }
}
