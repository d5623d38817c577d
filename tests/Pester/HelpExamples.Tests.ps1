# Every help example is a promise: each example of the BUILT help (the MAML file, so the markdown conversion is tested
# too) runs in a new runspace (a fresh default session) of a fresh pwsh, one pwsh per cmdlet, against a freshly reset
# emulator, and must finish without an error record.
#
# How an example is run (the "adaptation"; nothing else in the example text changes):
# - State: the emulator is reset to what `dotnet pwsh ./build.ps1 Emulator` starts with (seed 1, 1000 inventories, so
#   inventories 100001 and 100002 exist and are 'tbc'), and the example gets an empty recall ledger (RR_LEDGER_PATH)
#   and an empty working directory: './recall.csv' is a file there that the example's setup (below) wrote.
# - Connection: the child is connected to the emulator before the example. In the example, every Connect-RrService
#   (found by the parser, also inside script blocks) gets -BaseUri <emulator> instead of its -Environment or -BaseUri;
#   its other parameters (-Credential, -ThrottleLimit, -PassThru ...) stay. RR_API_KEY and RR_API_TOKEN hold the
#   emulator's account, as a scheduler would set them; a variable named *Credential that the example uses without
#   assigning it (the reader's own credential) holds the same account.
# - Webhooks: RR_SIGNING_KEY holds the emulator's signing key. The reader's endpoint https://hooks.example.com/... and
#   the listener port of Receive-RrWebhook (-Port, http://127.0.0.1:<port>/...) become a free local port that the
#   emulator posts its signed events to.
# - An example with -WhatIf must send no write (POST) to the emulator.
# - $ErrorActionPreference = 'Stop' and Set-StrictMode -Version Latest (an undefined variable is a broken example).
#   -NonInteractive: an example that prompts fails instead of waiting.
#
# Setup: $ExampleSetup below, keyed by '<Cmdlet> <number>', holds what the reader is assumed to have before the example
# (a CSV file of their IDs, recalls made earlier, webhook deliveries recorded earlier, the variables of their own web
# handler). It lives here, not in the help, because it is not what the example teaches; it is kept to files and state
# the example names, and is made with the module's own cmdlets where possible. Replace maps a literal of the example
# that names the reader's own object (a recall number) to the one the setup made. Output says whether the example must
# write to the pipeline ('Some'/'None'); without it, an example whose last statement is an unassigned pipeline without
# -WhatIf must write something unless that pipeline ends in a cmdlet that is quiet by design (no -PassThru). Check
# runs in this process on the child's result (Output: deserialized objects, so enums are numbers; OutputText: the
# output as formatted; Folder: the example's working directory) for the promises of the remarks.
#
# Marking: an example that cannot run here (it prompts, it listens until stopped) says so in its help remarks, as a
# paragraph "Not run by the tests: <reason>." The test is then skipped with that reason; at most one example per cmdlet
# may be marked, and a mark needs a reason.
BeforeDiscovery {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $mamlPath = Join-Path (Split-Path -Parent (Get-RrModulePath)) 'en-US/ReturnsHelper.dll-Help.xml'
    if (-not (Test-Path -LiteralPath $mamlPath)) { throw "The built help is missing at '$mamlPath'. Run: dotnet pwsh ./build.ps1 Build" }
    $maml = [xml](Get-Content -LiteralPath $mamlPath -Raw -Encoding utf8)
    $ns = [Xml.XmlNamespaceManager]::new($maml.NameTable)
    $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
    $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')

    $cmdlets = foreach ($command in $maml.SelectNodes('//command:command', $ns)) {
        $name = $command.SelectSingleNode('command:details/command:name', $ns).InnerText.Trim()
        $number = 0
        $examples = foreach ($example in $command.SelectNodes('command:examples/command:example', $ns)) {
            $number++
            $remarks = @($example.SelectNodes('dev:remarks/maml:para', $ns) | ForEach-Object { $_.InnerText.Trim() })
            $mark = $remarks | Where-Object { $_ -match '^Not run by the tests\b' } | Select-Object -First 1
            @{
                Cmdlet        = $name
                Number        = $number
                Code          = $example.SelectSingleNode('dev:code', $ns).InnerText
                Marked        = [bool]$mark
                NotRunBecause = if ($mark -match '^Not run by the tests\s*:\s*(?<reason>\S.*?)\.?$') { $Matches.reason } else { $null }
            }
        }
        @{ Name = $name; Examples = @($examples) }
    }
    $runnable = @($cmdlets | ForEach-Object { $_.Examples } | Where-Object { -not $_.Marked } | ForEach-Object { "$($_.Cmdlet) $($_.Number)" })
}

BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/../../src/Build/BuildTools.psm1"   # Get-PwshLauncher
    $script:emulator = Start-RrTestEmulator
    # A made-up signing key for the emulator's webhooks (Base64, as the portal shows one).
    $script:SigningKeyText = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('help-examples-signing-key-0123456'))
    $script:ApiToken = [Net.NetworkCredential]::new('', $emulator.ApiToken).Password

    # What the reader is assumed to have before an example (see the top of this file).
    $script:ExampleSetup = @{
        'Connect-RrService 1'     = @{
            Check = { param($Result)
                $Result.OutputText | Should -Match '\bCustom\b'
                $Result.OutputText | Should -Not -Match 'emulator-token' -Because 'the token never appears'
            }
        }
        'Connect-RrService 3'     = @{ Setup = { Get-RrInventory -HandlingCode tbc -First 3 | Select-Object ReturnInventoryId | Export-Csv ./to-recall.csv } }
        'ConvertFrom-RrWebhook 1' = @{
            Setup = {
                Save-ExampleEvent ./received.jsonl 'inventories', 'inventories'
                $null = New-Item -ItemType Directory ./events
                $i = 0
                Get-Content ./received.jsonl | ConvertFrom-Json | ForEach-Object { Set-Content -LiteralPath "./events/$((++$i)).json" -Value $_.body -NoNewline }
            }
            Check = { param($Result) $Result.Output | Should -HaveCount 2 }
        }
        'ConvertFrom-RrWebhook 2' = @{
            Setup = { Save-ExampleEvent ./events.jsonl 'inventories', 'inventories' }
            Check = { param($Result) @($Result.Output.RecallNumber) | Should -HaveCount 1 -Because 'both new inventories are in warehouse 2: one recall' }
        }
        'ConvertFrom-RrWebhook 3' = @{
            # One delivery as the reader's web handler sees it.
            Setup = {
                Save-ExampleEvent ./received.jsonl 'inventories'
                $delivery = Get-Content ./received.jsonl | ConvertFrom-Json -DateKind String
                $rawBody = $delivery.body
                $request = @{ Headers = @{ 'timestamp' = $delivery.timestamp; 'returnhelper-signature' = $delivery.signature } }
            }
        }
        'ConvertFrom-RrWebhook 4' = @{
            Setup = {
                $recall = Get-RrInventory -HandlingCode tbc -First 1 | New-RrRecall
                Save-ExampleEvent ./events.jsonl "recalls/$($recall.RecallId)/advance", "recalls/$($recall.RecallId)/advance"
            }
            Check = { param($Result) $Result.Output | Should -HaveCount 2 }
        }
        'Disconnect-RrService 1'  = @{ Output = 'None' }
        'Get-RrHandlingType 2'    = @{ Check = { param($Result) @($Result.Output.HandlingCode) | Should -Be 'dis' } }
        'Get-RrInventory 1'       = @{ Check = { param($Result) @($Result.Output.HandlingCode | Sort-Object -Unique) | Should -Be 'tbc' } }
        'Get-RrInventory 2'       = @{
            # Two IDs that exist and one that does not (999).
            Setup = { @(100001, 999, 100002) | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_ } } | Export-Csv ./inventories.csv }
            Check = { param($Result) @($Result.Output.ReturnInventoryId) | Should -Be 100001, 100002 }
        }
        'Get-RrInventory 3'       = @{ Check = { param($Result) @($Result.Output.Name) | Should -Contain 'tbc' } }
        'Get-RrInventory 4'       = @{ Check = { param($Result) @($Result.Output.RecallInventoryList).Count | Should -Be 10 } }
        'Get-RrInventory 6'       = @{
            Setup = { Get-RrInventory -HandlingCode tbc -First 3 | Select-Object Rma, @{ n = 'Customer'; e = { 'C' + $_.ReturnInventoryId } } | Export-Csv ./rmas.csv }
            Check = { param($Result) @($Result.Output.ReturnInventoryId | Where-Object { $_ }) | Should -HaveCount 3 -Because 'every RMA of the file was found' }
        }
        'Get-RrInventory 7'       = @{
            Check = { param($Result) $Result.Output | ForEach-Object { $_.Rma | Should -BeLike "USE-2-$((Get-Date).AddDays(-2).ToString('yyMMdd'))-*" } }
        }
        'Get-RrInventory 5'       = @{ Check = { param($Result) $Result.Output | ForEach-Object { $_.Sku | Should -BeLike 'SN-*' } } }
        'Get-RrRecall 1'          = @{
            Setup = {
                Get-RrInventory -HandlingCode tbc -First 3 | Select-Object ReturnInventoryId | Export-Csv ./recall.csv
                $null = Import-Csv ./recall.csv | New-RrRecall
            }
        }
        'Get-RrRecall 2'          = @{
            Setup  = { $ExampleReplace['RCL261130-0000014'] = (Get-RrInventory -HandlingCode tbc -First 1 | New-RrRecall).RecallNumber }
            Output = 'Some'
        }
        'Get-RrRecall 3'          = @{ Setup = { $null = Get-RrInventory -HandlingCode tbc -First 2 | New-RrRecall } }
        'Get-RrRecall 4'          = @{
            # The crash: the service executes a batch but its answer never arrives (and the session does not retry).
            Setup = {
                $fault = '{"path":"Recall/createRecallByReturnInventoryId","kind":"drop-after-commit"}'
                $null = Invoke-RestMethod -Method Post -Uri "$Control/faults" -ContentType 'application/json' -Body $fault -NoProxy
                $crashed = Connect-RrService -BaseUri $BaseUri -MaxAttempts 1 -PassThru
                $null = 100001, 100002 | New-RrRecall -Session $crashed -ErrorAction SilentlyContinue
            }
            Check = { param($Result) @($Result.Output | Where-Object { $_.PSObject.TypeNames -match 'Recall$' }).Count | Should -BeGreaterThan 0 }
        }
        'Get-RrSession 1'         = @{
            Check = { param($Result)
                $names = $Result.Output[0].PSObject.Properties.Name
                foreach ($name in 'Environment', 'BaseUri', 'PublicBaseUri', 'ConnectedAt') { $names | Should -Contain $name }
            }
        }
        'Get-RrSession 2'         = @{ Setup = { Disconnect-RrService } }
        'Invoke-RrApi 1'          = @{ Check = { param($Result) $Result.Output[0].PSObject.Properties.Name | Should -Contain 'apiBalances' } }
        'New-RrRecall 1'          = @{
            Setup = { @(100001, 999, 100002) | ForEach-Object { [pscustomobject]@{ 'Return Inventory ID' = $_; Note = "row $_" } } | Export-Csv ./recall.csv }
            Check = {
                param($Result)
                $Result.OutputText | Should -Match 'Return inventory 999 was not found'
                $rejected = @(Import-Csv (Join-Path $Result.Folder 'rejected.csv'))
                $rejected.Note | Should -Be 'row 999' -Because 'the rejected rows keep their own columns'
            }
        }
        'New-RrRecall 5'          = @{
            Check = { param($Result) $Result.OutputText | Should -Match 'pending VAS' -Because 'the seed has inventories on hold with a pending VAS request' }
        }
        'New-RrRecall 6'          = @{
            Setup = { Get-RrInventory -HandlingCode tbc -First 3 | Select-Object ReturnInventoryId | Export-Csv ./to-recall.csv }
            Check = { param($Result) @(Import-Csv (Join-Path $Result.Folder 'recalled.csv')) | Should -Not -BeNullOrEmpty }
        }
        'New-RrResend 1'          = @{ Check = { param($Result) @($Result.Output) | Should -HaveCount 1 -Because 'both inventories are in warehouse 2: one resend' } }
        'New-RrResend 2'          = @{
            # Three rows to one buyer and one row that does not exist (999).
            Setup = {
                $rows = @(Get-RrInventory -HandlingCode tbc -WarehouseId 2 -First 3 | ForEach-Object ReturnInventoryId) + 999
                $rows | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_; ServiceType = 'SHIPMENT_USPS_PM_NJ'; Name = 'Ada Buyer'; Street1 = '1 Main St'; City = 'New York'; State = 'NY'; PostalCode = '10001'; CountryCode = 'usa' } } |
                    Export-Csv ./resend.csv
            }
            Check = { param($Result)
                @($Result.Output) | Should -HaveCount 1
                @(Import-Csv (Join-Path $Result.Folder 'rejected.csv')).ReturnInventoryId | Should -Be '999'
            }
        }
        'Get-RrResend 1'          = @{ Setup = { $null = Get-RrInventory -HandlingCode tbc -WarehouseId 2 -First 1 | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ -Name 'Ada Buyer' -Street1 '1 Main St' -City 'New York' -PostalCode 10001 -CountryCode usa } }
        'Get-RrResend 2'          = @{ Setup = { $null = Get-RrInventory -HandlingCode tbc -WarehouseId 2 -First 1 | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ -Name 'Ada Buyer' -Street1 '1 Main St' -City 'New York' -PostalCode 10001 -CountryCode usa } }
        'Stop-RrResend 1'         = @{
            Setup = { $null = Get-RrInventory -HandlingCode tbc -WarehouseId 2 -First 1 | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ -Name 'Ada Buyer' -Street1 '1 Main St' -City 'New York' -PostalCode 10001 -CountryCode usa }
            Check = { param($Result) $Result.Output.ResendStatusCode | Should -Be 'canceled' }
        }
        'Stop-RrResend 2'         = @{ Setup = { $null = Get-RrInventory -HandlingCode tbc -WarehouseId 2 -First 1 | New-RrResend -ServiceType SHIPMENT_USPS_PM_NJ -Name 'Ada Buyer' -Street1 '1 Main St' -City 'New York' -PostalCode 10001 -CountryCode usa } }
        'Get-RrBalance 2'         = @{ Output = 'None' }
        'New-RrRecall 3'          = @{ Setup = { Get-RrInventory -HandlingCode tbc -First 3 | ForEach-Object ReturnInventoryId | Set-Content ./ids.txt } }
        'Receive-RrWebhook 1'     = @{
            Setup = { $null = Start-ExampleEventSender (@('inventories') * 10) }
            Check = { param($Result)
                @($Result.Output.RecallInventoryList).Count | Should -Be 10
                Get-Content -LiteralPath (Join-Path $Result.Folder 'events.jsonl') | Should -HaveCount 10 -Because 'every event is kept in events.jsonl'
            }
        }
        'Receive-RrWebhook 2'     = @{
            Setup = { $null = Start-ExampleEventSender 'inventories', 'inventories', 'inventories' }
            Check = { param($Result) $Result.OutputText | Should -Match 'newInventoryCreated' }
        }
        'Receive-RrWebhook 4'     = @{
            Setup = { $null = Start-ExampleEventSender 'inventories', 'inventories', 'inventories' }
            Check = { param($Result) @($Result.Output.RecallInventoryList).Count | Should -Be 3 }
        }
        'Get-RrWebhookBacklog 1'  = @{ Setup = { Save-ExampleEvent ./events.jsonl 'inventories' }; Output = 'Some' }
        'Get-RrWebhookBacklog 2'  = @{ Setup = { Save-ExampleEvent ./events.jsonl 'inventories', 'inventories' }; Check = { param($Result) @($Result.Output)[0].Count | Should -Be 2 -Because 'both events wait, with no error yet' } }
        'Set-RrInventoryHandling 3' = @{
            Setup = { @(100001, 999, 100002) | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_ } } | Export-Csv ./dispose.csv }
            # The chosen properties, not the error view: one refused row (999 does not exist), the other two disposed.
            Check = {
                param($Result)
                $rows = @($Result.OutputText -split '\r?\n' | Where-Object { $_ -match '^Row\s*:' })
                $rows | Should -HaveCount 1
                $rows[0] | Should -Match '^Row\s*: 999\s*$'
                $Result.OutputText | Should -Match '(?m)^Error\s*: RrApi\.NotFound,'
                $Result.OutputText | Should -Match '(?m)^Reason\s*: \S'
            }
        }
        'Stop-RrRecall 2'         = @{ Setup = { $null = 100001, 100002 | New-RrRecall } }
        'Stop-RrRecall 3'         = @{ Setup = { $ExampleReplace['RCL261130-0000014'] = (Get-RrInventory -HandlingCode tbc -First 1 | New-RrRecall).RecallNumber } }
        'Test-RrWebhookSignature 1' = @{ Check = { param($Result) $Result.Output | Should -Be $true } }
        'Test-RrWebhookSignature 2' = @{
            Setup = {
                Save-ExampleEvent ./received.jsonl 'inventories'
                $delivery = Get-Content ./received.jsonl | ConvertFrom-Json -DateKind String
                Set-Content -LiteralPath ./event.json -Value $delivery.body -NoNewline
                $headers = @{ 'timestamp' = $delivery.timestamp; 'returnhelper-signature' = $delivery.signature }
            }
            Check = { param($Result) $Result.Output | Should -Be $true }
        }
        'Test-RrWebhookSignature 3' = @{
            Setup = { Save-ExampleEvent ./events.jsonl 'inventories', 'inventories' }
            Check = { param($Result) $Result.Output | Should -Be @($true, $true) }
        }
        'Undo-RrInventoryHandling 1' = @{ Setup = { Set-RrInventoryHandling -ReturnInventoryId 100001 -HandlingCode dis } }
        'New-RrVasRequest 1'      = @{
            Setup = { Set-RrInventoryHandling -ReturnInventoryId 100001, 100002 -HandlingCode ohd }
            Check = { param($Result) @($Result.Output | Where-Object VasCode) | Should -HaveCount 4 -Because 'two services for each of two inventories' }
        }
        'New-RrVasRequest 2'      = @{
            # 100001 on hold, 100002 still tbc.
            Setup = {
                Set-RrInventoryHandling -ReturnInventoryId 100001 -HandlingCode ohd
                @(100001, 100002) | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_; Note = "row $_" } } | Export-Csv ./on-hold.csv
            }
            Check = { param($Result) $Result.OutputText | Should -Match 'RrApi\.NotEligible' }
        }
        'New-RrVasRequest 3'      = @{ Setup = { Set-RrInventoryHandling -ReturnInventoryId 100001 -HandlingCode ohd } }
        'Get-RrVas 1'             = @{
            Setup = {
                Set-RrInventoryHandling -ReturnInventoryId 100001 -HandlingCode ohd
                $null = New-RrVasRequest -ReturnInventoryId 100001 -Service req-pic -Quantity 2
            }
            Check = { param($Result) @($Result.Output.Status) | Should -Be 'pending' }
        }
        'Get-RrVas 3'             = @{
            # The warehouse took the photos.
            Setup = {
                Set-RrInventoryHandling -ReturnInventoryId 100001 -HandlingCode ohd
                $vas = New-RrVasRequest -ReturnInventoryId 100001 -Service req-pic -Quantity 2
                $null = Invoke-RestMethod -Method Post -Uri "$Control/vas/$($vas.VasId)/complete" -ContentType 'application/json' -Body '{"vasResult":"Scratch on the lid"}' -NoProxy
            }
            Check = { param($Result) $Result.OutputText | Should -Match 'Scratch on the lid' }
        }
        'Get-RrVas 4'             = @{ Check = { param($Result) @(Import-Csv (Join-Path $Result.Folder 'vas-results.csv')) | Should -Not -BeNullOrEmpty } }
        'Get-RrVasType 2'         = @{ Check = { param($Result) @($Result.Output.VasCode) | Should -Be 'req-pic', 'split-parcel' } }
    }

    # Cmdlets that write nothing unless -PassThru: a final pipeline ending in one of them is not expected to write.
    $script:QuietCmdlet = 'Connect-RrService', 'Disconnect-RrService', 'Set-RrInventoryHandling', 'Undo-RrInventoryHandling'

    # The script the child pwsh of one cmdlet runs: for each example (a folder with example.ps1, maybe setup.ps1), reset
    # the emulator, then connect, run setup.ps1 and example.ps1 in a new runspace (a fresh default session), and keep
    # the result. One process per cmdlet, not per example: starting pwsh is most of the cost of a small example.
    $script:RunnerPath = Join-Path $TestDrive 'Invoke-HelpExample.ps1'
    Set-Content -LiteralPath $RunnerPath -Encoding utf8 -Value @'
param([string] $ModulePath, [string] $BaseUri, [string] $Control, [string] $PlanPath, [string] $ResultPath)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

$inRunspace = {
    param([string] $ModulePath, [string] $BaseUri, [string] $Control, [string] $Endpoint, [int] $Port, [string] $Folder)
    $ErrorActionPreference = 'Stop'
    $ProgressPreference = 'SilentlyContinue'
    Set-Location -LiteralPath $Folder
    Import-Module $ModulePath

    # Plays Return Helper in a thread job: once the listener at the example's endpoint answers, each control call in
    # $Post makes the emulator raise one signed event ('inventories' adds an inventory, 'recalls/<id>/advance' moves a
    # recall on).
    function Start-ExampleEventSender([string[]] $Post) {
        Start-ThreadJob -ArgumentList $Endpoint, $Control, $Post -ScriptBlock {
            param($endpoint, $control, $post)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($true) {
                try { $null = Invoke-WebRequest -Uri $endpoint -SkipHttpErrorCheck -NoProxy -TimeoutSec 5; break }
                catch { if ([DateTime]::UtcNow -gt $deadline) { throw "Nothing listens on $endpoint." }; Start-Sleep -Milliseconds 100 }
            }
            foreach ($path in $post) {
                $body = if ($path -eq 'inventories') { '[{}]' } else { '{}' }
                $null = Invoke-RestMethod -Method Post -Uri "$control/$path" -ContentType 'application/json' -Body $body -NoProxy
            }
        }
    }

    # Records the deliveries of the events $Post raises in a JSON-lines file, as Receive-RrWebhook -Path does.
    function Save-ExampleEvent([string] $Path, [string[]] $Post) {
        $sender = Start-ExampleEventSender $Post
        $key = ConvertTo-SecureString $env:RR_SIGNING_KEY -AsPlainText -Force
        $null = Receive-RrWebhook -Port $Port -SigningKey $key -EndpointUri $Endpoint -Count $Post.Count -Timeout '00:01:00' -Path $Path
        $sender | Wait-Job | Receive-Job
        $sender | Remove-Job
    }

    $result = [ordered]@{ Stage = 'connect'; Error = $null; Output = @(); OutputText = ''; WritesSent = $null }
    try {
        Connect-RrService -BaseUri $BaseUri
        $ExampleReplace = @{}
        $result.Stage = 'setup'
        if (Test-Path ./setup.ps1) { . ./setup.ps1 }
        $text = Get-Content -Raw ./example.ps1
        foreach ($literal in $ExampleReplace.Keys) { $text = $text.Replace($literal, $ExampleReplace[$literal]) }
        Set-Content -LiteralPath ./example.ps1 -Value $text -NoNewline
        $null = Invoke-RestMethod -Method Delete -Uri "$Control/requests" -NoProxy
        $result.Stage = 'example'
        Set-StrictMode -Version Latest
        $output = @(. ./example.ps1)
        Set-StrictMode -Off
        $result.Output = $output
        $result.OutputText = $output | Out-String -Width 200
        # The API writes (POST) the example itself sent: a -WhatIf example must send none.
        $requests = Invoke-RestMethod -Uri "$Control/requests" -NoProxy
        $result.WritesSent = @($requests | Where-Object method -EQ 'POST').Count
    }
    catch {
        Set-StrictMode -Off
        $result.Error = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)$([Environment]::NewLine)$($_.InvocationInfo.PositionMessage)"
    }
    [pscustomobject]$result
}

$results = @{}
foreach ($example in Get-Content -Raw -LiteralPath $PlanPath | ConvertFrom-Json) {
    $null = Invoke-RestMethod -Method Post -Uri "$Control/reset" -ContentType 'application/json' -Body '{"seedInventory":1000,"seed":1}' -NoProxy
    $webhooks = @{ url = $example.Endpoint; signingKey = $env:RR_SIGNING_KEY } | ConvertTo-Json -Compress
    $null = Invoke-RestMethod -Method Post -Uri "$Control/webhooks" -ContentType 'application/json' -Body $webhooks -NoProxy
    $env:RR_LEDGER_PATH = Join-Path $example.Folder 'ledger'
    [Environment]::CurrentDirectory = $example.Folder
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript($inRunspace).AddParameters(@{
                ModulePath = $ModulePath; BaseUri = $BaseUri; Control = $Control; Endpoint = $example.Endpoint; Port = $example.Port; Folder = $example.Folder
            })
        # The result is the runspace's last output (a setup may write too).
        $result = $ps.Invoke() | Select-Object -Last 1
        if (-not $result) { throw "The runspace returned no result: $($ps.Streams.Error)" }
        $results[[string]$example.Number] = $result
    }
    catch { $results[[string]$example.Number] = [pscustomobject]@{ Stage = 'runspace'; Error = "$_"; Output = @(); OutputText = '' } }
    finally { $ps.Dispose() }
}
$results | Export-Clixml -LiteralPath $ResultPath -Depth 3
'@


    # Replaces the extents (Offset, Length, Text) in $Text, last first so the offsets stay valid.
    function Edit-Text([string] $Text, [object[]] $Edits) {
        foreach ($edit in $Edits | Sort-Object Offset -Descending) { $Text = $Text.Remove($edit.Offset, $edit.Length).Insert($edit.Offset, $edit.Text) }
        $Text
    }

    # The argument of a named parameter (-Name value or -Name:value), or $null.
    function Get-ParameterArgument($Command, $Parameter) {
        if ($Parameter.Argument) { return $Parameter.Argument }
        $elements = $Command.CommandElements
        $index = $elements.IndexOf($Parameter)
        if ($index + 1 -lt $elements.Count) { $elements[$index + 1] }
    }

    # The edits that make -<first of $Names> $NewArgument the only one of $Names that $Command has (adding it when
    # missing, with -AddWhenMissing).
    function Get-ArgumentEdit($Command, [string[]] $Names, [string] $NewArgument, [switch] $AddWhenMissing) {
        $found = $false
        foreach ($parameter in $Command.CommandElements | Where-Object { $_ -is [Management.Automation.Language.CommandParameterAst] -and $_.ParameterName -in $Names }) {
            $end = (Get-ParameterArgument $Command $parameter).Extent.EndOffset
            $text = if ($found) { '' } else { "-$($Names[0]) $NewArgument" }
            [pscustomobject]@{ Offset = $parameter.Extent.StartOffset; Length = $end - $parameter.Extent.StartOffset; Text = $text }
            $found = $true
        }
        $elements = $Command.CommandElements
        if (-not $found -and $AddWhenMissing) {
            [pscustomobject]@{ Offset = $elements[0].Extent.EndOffset; Length = 0; Text = " -$($Names[0]) $NewArgument" }
        }
    }

    # The example text with the connection and the webhook endpoint adapted to this test (see the top of this file).
    function ConvertTo-AdaptedExample([string] $Code, [int] $Port) {
        $ast = [Management.Automation.Language.Parser]::ParseInput($Code, [ref]$null, [ref]$null)
        $commands = @($ast.FindAll({ param($node) $node -is [Management.Automation.Language.CommandAst] }, $true))
        $edits = foreach ($command in $commands) {
            switch ($command.GetCommandName()) {
                'Connect-RrService' { Get-ArgumentEdit $command 'BaseUri', 'Environment' "'$($emulator.UserApiBase)'" -AddWhenMissing }
                'Receive-RrWebhook' { Get-ArgumentEdit $command 'Port' $Port }
            }
        }
        $adapted = Edit-Text $Code @($edits)
        $adapted = $adapted -replace 'https://hooks\.example\.com', "http://127.0.0.1:$Port"
        # The listener's own URL (http://127.0.0.1:<example port>/...) follows the port.
        foreach ($command in $commands | Where-Object { $_.GetCommandName() -eq 'Receive-RrWebhook' }) {
            $portParameter = $command.CommandElements | Where-Object { $_ -is [Management.Automation.Language.CommandParameterAst] -and $_.ParameterName -eq 'Port' }
            if ($portParameter) {
                $original = (Get-ParameterArgument $command $portParameter).Extent.Text
                $adapted = $adapted -replace "http://127\.0\.0\.1:$original/", "http://127.0.0.1:$Port/"
            }
        }
        $adapted
    }

    # Variables the example uses but never assigns whose name ends in Credential: the reader's own credential.
    function Get-GivenCredentialName([string] $Code) {
        $ast = [Management.Automation.Language.Parser]::ParseInput($Code, [ref]$null, [ref]$null)
        $assigned = @($ast.FindAll({ param($node) $node -is [Management.Automation.Language.AssignmentStatementAst] }, $true) |
                ForEach-Object { $_.Left.Find({ param($node) $node -is [Management.Automation.Language.VariableExpressionAst] }, $true).VariablePath.UserPath })
        $ast.FindAll({ param($node) $node -is [Management.Automation.Language.VariableExpressionAst] }, $true) |
            ForEach-Object { $_.VariablePath.UserPath } | Where-Object { $_ -like '*Credential' -and $_ -notin $assigned } | Sort-Object -Unique
    }

    # 'Some' when the example's last statement is an unassigned pipeline that is there to show something.
    function Get-ExpectedOutput([string] $Code) {
        $ast = [Management.Automation.Language.Parser]::ParseInput($Code, [ref]$null, [ref]$null)
        $last = $ast.EndBlock.Statements | Select-Object -Last 1
        if ($last -isnot [Management.Automation.Language.PipelineAst]) { return 'Any' }
        $lastCommand = $last.PipelineElements[-1]
        if ($lastCommand -isnot [Management.Automation.Language.CommandAst]) { return 'Some' }
        $switches = @($last.FindAll({ param($node) $node -is [Management.Automation.Language.CommandParameterAst] }, $true) | ForEach-Object ParameterName)
        if ('WhatIf' -in $switches) { return 'Any' }
        if ($lastCommand.GetCommandName() -in $QuietCmdlet -and 'PassThru' -notin $switches) { return 'Any' }
        'Some'
    }

    # Prepares a folder per example (adapted example.ps1, setup.ps1) and runs them all in one fresh pwsh; returns the
    # results by example number, each with the adapted code and the fixture added.
    function Invoke-HelpExample([string] $Cmdlet, [hashtable[]] $Examples) {
        $plan = foreach ($example in $Examples) {
            $key = "$Cmdlet $($example.Number)"
            $fixture = if ($ExampleSetup.ContainsKey($key)) { $ExampleSetup[$key] } else { @{} }
            $folder = Join-Path $TestDrive ($key -replace ' ', '-')
            $null = New-Item -ItemType Directory -Path $folder
            $port = Get-RrTestFreePort
            $code = ConvertTo-AdaptedExample $example.Code $port
            # The emulator posts to the endpoint the example names (as adapted), else to one of this port.
            $named = [regex]::Match($code, "-EndpointUri\s+'(?<uri>http://127\.0\.0\.1:$port/[^']*)'")
            $endpoint = if ($named.Success) { $named.Groups['uri'].Value } else { "http://127.0.0.1:$port/returnhelper" }
            $given = @(Get-GivenCredentialName $example.Code | ForEach-Object {
                    "`$$_ = [pscredential]::new(`$env:RR_API_KEY, (ConvertTo-SecureString `$env:RR_API_TOKEN -AsPlainText -Force))"
                })
            $setup = @($given) + @(if ($fixture.Setup) { $fixture.Setup.ToString() })
            if ($setup) { Set-Content -LiteralPath (Join-Path $folder 'setup.ps1') -Value $setup -Encoding utf8 }
            Set-Content -LiteralPath (Join-Path $folder 'example.ps1') -Value $code -Encoding utf8 -NoNewline
            [pscustomobject]@{ Number = $example.Number; Folder = $folder; Port = $port; Endpoint = $endpoint; Code = $code; Fixture = $fixture }
        }
        $work = Join-Path $TestDrive $Cmdlet
        $planPath = Join-Path $work 'plan.json'
        $resultPath = Join-Path $work 'results.xml'
        $null = New-Item -ItemType Directory -Path $work -Force
        $plan | Select-Object Number, Folder, Port, Endpoint | ConvertTo-Json -AsArray | Set-Content -LiteralPath $planPath -Encoding utf8

        $launcher = Get-PwshLauncher
        $start = [Diagnostics.ProcessStartInfo]::new($launcher.FilePath)
        $arguments = @($launcher.Arguments) + @('-NoProfile', '-NonInteractive', '-File', $RunnerPath, '-ModulePath', (Get-RrModulePath),
            '-BaseUri', $emulator.UserApiBase, '-Control', "$($emulator.BaseAddress)/_emulator", '-PlanPath', $planPath, '-ResultPath', $resultPath)
        foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
        $start.WorkingDirectory = $work
        $start.Environment['RR_API_KEY'] = $emulator.ApiKey
        $start.Environment['RR_API_TOKEN'] = $ApiToken
        $start.Environment['RR_SIGNING_KEY'] = $SigningKeyText
        $null = $start.Environment.Remove('RR_BASE_URI')
        # As installed (README, Installing): examples that say Import-Module ReturnsHelper find the built module.
        $start.Environment['PSModulePath'] = (Split-Path (Split-Path (Get-RrModulePath))) + [IO.Path]::PathSeparator + $env:PSModulePath
        $start.UseShellExecute = $false
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [Diagnostics.Process]::Start($start)
        try {
            $process.StandardInput.Close()
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            # A bound for a hung example (a listener that never gets its events), not a performance assertion.
            if (-not $process.WaitForExit(300000)) { $process.Kill($true); throw "The examples of $Cmdlet did not end within 300 s. Console: $($stdout.Result) $($stderr.Result)" }
            $process.WaitForExit()
            $console = "$($stdout.Result)$($stderr.Result)".Trim()
            if (-not (Test-Path -LiteralPath $resultPath)) { throw "The child pwsh for $Cmdlet wrote no result (exit $($process.ExitCode)). Console: $console" }
            $results = Import-Clixml -LiteralPath $resultPath
        }
        finally { $process.Dispose() }
        $byNumber = @{}
        foreach ($entry in $plan) {
            $byNumber[$entry.Number] = $results[[string]$entry.Number] | Add-Member -NotePropertyMembers @{ Code = $entry.Code; Fixture = $entry.Fixture; Folder = $entry.Folder } -PassThru
        }
        $byNumber
    }
}

AfterAll {
    Stop-RrTestEmulator $emulator
}

Describe 'Help example setup' {
    It 'is only for examples that run' -TestCases @(@{ Runnable = $runnable }) {
        @($ExampleSetup.Keys | Where-Object { $_ -notin $Runnable }) | Should -BeNullOrEmpty -Because 'an entry for a renumbered, removed or marked example is dead'
    }
}

Describe 'Help examples of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $toRun = @($Examples | Where-Object { -not $_.Marked })
        $script:results = if ($toRun) { Invoke-HelpExample $Name $toRun } else { @{} }
    }

    It 'marks at most one example as not run, each with a reason' {
        $marked = @($Examples | Where-Object { $_.Marked })
        $marked.Count | Should -BeLessOrEqual 1 -Because "only an example that cannot run may be marked (examples $($marked.Number -join ', ') are)"
        foreach ($example in $marked) {
            $example.NotRunBecause | Should -Not -BeNullOrEmpty -Because "example $($example.Number) needs 'Not run by the tests: <reason>.'"
        }
    }

    It '<Cmdlet> example <Number>' -ForEach $Examples {
        if ($Marked) { Set-ItResult -Skipped -Because "$NotRunBecause (help remarks)"; return }
        $result = $results[$Number]
        $context = "`n--- adapted example ---`n$($result.Code)`n--- output ---`n$($result.OutputText)"
        $result.Error | Should -BeNullOrEmpty -Because "the example must run without an error ($($result.Stage))$context"
        $expected = if ($result.Fixture.Output) { $result.Fixture.Output } else { Get-ExpectedOutput $Code }
        if ($expected -eq 'Some') { @($result.Output).Count | Should -BeGreaterThan 0 -Because "the example shows something$context" }
        if ($expected -eq 'None') { @($result.Output).Count | Should -Be 0 -Because "the example writes nothing$context" }
        if ($Code -match '-WhatIf\b') { $result.WritesSent | Should -Be 0 -Because "-WhatIf changes nothing$context" }
        if ($result.Fixture.Check) { & $result.Fixture.Check $result }
    }
}
