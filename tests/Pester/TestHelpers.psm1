# Shared helpers for the Pester tests: import the built module, start/stop the local emulator, drive its control API.
# The emulator process handling itself lives in src/Build/BuildTools.psm1 (the demo and benchmarks use it too).
#
#   BeforeAll {
#       Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
#       $null = Import-RrTestModule
#       $emulator = Start-RrTestEmulator                      # or -ExtraArgs '--seed-inventory', '50'
#       Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken
#   }
#   BeforeEach { $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' }
#   AfterAll   { Stop-RrTestEmulator $emulator }
#
# build.ps1 Test sets RR_MODULE_PATH and RR_EMULATOR_PATH; without them the default build output under out/ is used,
# so a developer can run Invoke-Pester directly after `dotnet pwsh ./build.ps1 Build`.
Set-StrictMode -Version Latest

Import-Module (Join-Path $PSScriptRoot '../../src/Build/BuildTools.psm1')

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath

function Get-BuildOutputPath {
    param([string] $EnvironmentValue, [string] $DefaultRelativePath, [string] $What)
    $path = if ($EnvironmentValue) { $EnvironmentValue } else { Join-Path $script:RepoRoot $DefaultRelativePath }
    if (-not (Test-Path -LiteralPath $path)) { throw "The built $What is missing at '$path'. Run: dotnet pwsh ./build.ps1 Build" }
    (Resolve-Path -LiteralPath $path).ProviderPath
}

function Get-RrModulePath {
    <# .SYNOPSIS Path of the built module manifest (out/ReturnsHelper/ReturnsHelper.psd1 unless RR_MODULE_PATH says otherwise). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Get-BuildOutputPath $env:RR_MODULE_PATH 'out/ReturnsHelper/ReturnsHelper.psd1' 'module manifest'
}

function Get-RrEmulatorPath {
    <# .SYNOPSIS Path of the published emulator (out/emulator/ReturnsHelper.Emulator.dll unless RR_EMULATOR_PATH says otherwise). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Get-BuildOutputPath $env:RR_EMULATOR_PATH 'out/emulator/ReturnsHelper.Emulator.dll' 'emulator'
}

# Every test process keeps its recall ledgers in a folder of its own (never the user's), and an emulator reset empties
# it: the ledger describes the emulator's recalls, which a reset forgets (and whose ids it then hands out again).
if (-not $env:RR_LEDGER_PATH) {
    $env:RR_LEDGER_PATH = Join-Path ([IO.Path]::GetTempPath()) "rr-test-ledger-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
}

function Clear-RrTestLedger {
    <# .SYNOPSIS Deletes the recall ledgers of this test process (RR_LEDGER_PATH). #>
    [CmdletBinding()]
    param()
    if ($env:RR_LEDGER_PATH -and (Test-Path -LiteralPath $env:RR_LEDGER_PATH)) {
        Get-ChildItem -LiteralPath $env:RR_LEDGER_PATH -File | Remove-Item -Force
    }
}

function Import-RrTestModule {
    <#
    .SYNOPSIS
    Imports the built ReturnsHelper module into the global scope and returns its PSModuleInfo.
    .DESCRIPTION
    -Global matters: imported from inside this helper module, it would otherwise land in the helper's own
    scope and the test script would not see the cmdlets. Importing again is harmless (same assembly).
    #>
    [CmdletBinding()]
    [OutputType([psmoduleinfo])]
    param()
    Import-Module (Get-RrModulePath) -Global -PassThru -ErrorAction Stop
}

function Start-RrTestEmulator {
    <#
    .SYNOPSIS
    Starts the built emulator on a free loopback port (--port 0 --seed 42, then -ExtraArgs) and waits until it listens.
    .DESCRIPTION
    Returns the object of Start-RrEmulatorProcess (Process, BaseAddress = http://127.0.0.1:<port>,
    UserApiBase = <BaseAddress>/uat/user/api, ListeningLine, CommandLine, StdErr) plus the emulator's account:
    ApiKey ('emulator-key'), ApiToken (SecureString of 'emulator-token') and Credential (both as a PSCredential).
    Throws with the emulator's stdout/stderr when it exits or does not listen within -TimeoutSeconds.
    .EXAMPLE
    $emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '50'
    #>
    [CmdletBinding()]
    param(
        # More emulator arguments, after the default --port 0 --seed 42.
        [string[]] $ExtraArgs = @(),
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 30
    )
    $emulator = Start-RrEmulatorProcess -EmulatorPath (Get-RrEmulatorPath) -Arguments (@('--port', '0', '--seed', '42') + $ExtraArgs) -TimeoutSeconds $TimeoutSeconds
    $apiKey = 'emulator-key'
    $apiToken = ConvertTo-SecureString 'emulator-token' -AsPlainText -Force
    $emulator | Add-Member -NotePropertyMembers ([ordered]@{
            ApiKey     = $apiKey
            ApiToken   = $apiToken
            Credential = [pscredential]::new($apiKey, $apiToken)
        }) -PassThru
}

function Stop-RrTestEmulator {
    <#
    .SYNOPSIS
    Stops an emulator started by Start-RrTestEmulator; $null is ignored, so AfterAll is safe after a failed BeforeAll.
    #>
    [CmdletBinding()]
    param([Parameter(Position = 0, ValueFromPipeline)] [AllowNull()] [psobject] $Emulator)
    process { Stop-RrEmulatorProcess $Emulator }
}

function Invoke-RrEmulatorControl {
    <#
    .SYNOPSIS
    Calls the emulator's control API, <BaseAddress>/_emulator/<Path>, with an optional JSON body; returns the parsed
    response (a JSON array comes back element by element).
    .EXAMPLE
    Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset'
    .EXAMPLE
    Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'faults' -Body @{ status = 503; count = 2 }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [psobject] $Emulator,
        [ValidateSet('GET', 'POST', 'PUT', 'DELETE')] [string] $Method = 'GET',
        [Parameter(Mandatory)] [string] $Path,
        [object] $Body
    )
    $request = @{
        Method      = $Method
        Uri         = "$($Emulator.BaseAddress)/_emulator/$($Path.TrimStart('/'))"
        NoProxy     = $true
        ErrorAction = 'Stop'
    }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $request.ContentType = 'application/json'
        $request.Body = ConvertTo-Json -InputObject $Body -Depth 20 -Compress
    }
    # Invoke-RestMethod writes a JSON array as ONE object; returning it from a variable enumerates it, so
    # @(Invoke-RrEmulatorControl ...) counts the elements and an empty array yields nothing.
    $response = Invoke-RestMethod @request
    if ($Method -eq 'POST' -and $Path.Trim('/') -eq 'reset') { Clear-RrTestLedger }
    $response
}

function Reset-RrTestEmulator {
    <# .SYNOPSIS Resets an emulator to an empty state (no seeded inventories or recalls), clears its request log and this process's ledgers. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [psobject] $Emulator)
    $null = Invoke-RrEmulatorControl -Emulator $Emulator -Method POST -Path 'reset' -Body @{ seedInventory = 0 }
    $null = Invoke-RrEmulatorControl -Emulator $Emulator -Method DELETE -Path 'requests'
}

function New-RrTestInventory {
    <# .SYNOPSIS Adds -Count eligible inventories (tbc/pending, warehouse 2, overridden by -With) and returns their ids. #>
    [CmdletBinding()]
    [OutputType([long])]
    param([Parameter(Mandatory)] [psobject] $Emulator, [int] $Count = 1, [hashtable] $With = @{})
    $items = foreach ($i in 1..$Count) {
        $item = @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 }
        foreach ($key in $With.Keys) { $item[$key] = $With[$key] }
        $item
    }
    $created = Invoke-RrEmulatorControl -Emulator $Emulator -Method POST -Path 'inventories' -Body @($items)
    [long[]]@($created | ForEach-Object returnInventoryId)
}

function Get-RrTestApiCall {
    <# .SYNOPSIS The emulator's request log entries whose path ends with -PathLike (in the order they ended). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [psobject] $Emulator, [string] $PathLike)
    @(Invoke-RrEmulatorControl -Emulator $Emulator -Path 'requests' | Where-Object { $_.path -like "*$PathLike" })
}

function Add-RrTestFault {
    <# .SYNOPSIS Queues one emulator fault (see the emulator README: status, delay, drop-before, drop-after-commit). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [psobject] $Emulator, [Parameter(Mandatory)] [hashtable] $Fault)
    $null = Invoke-RrEmulatorControl -Emulator $Emulator -Method POST -Path 'faults' -Body $Fault
}

function Get-RrTestActiveRecalledId {
    <# .SYNOPSIS The inventory ids in active (not cancelled) recalls of the emulator, each as often as it is recalled. #>
    [CmdletBinding()]
    [OutputType([long])]
    param([Parameter(Mandatory)] [psobject] $Emulator)
    [long[]]@(Invoke-RrEmulatorControl -Emulator $Emulator -Path 'recalls' | Where-Object recallStatusCode -ne 'canceled' |
            ForEach-Object { $_.recallInventoryList } | Where-Object recallInventoryStatusCode -ne 'canceled' | ForEach-Object returnInventoryId)
}

function Get-RrTestFreePort {
    <# .SYNOPSIS A loopback TCP port that was free a moment ago (for a listener a test starts itself). #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

Export-ModuleMember -Function Get-RrTestFreePort, Get-RrModulePath, Get-RrEmulatorPath, Import-RrTestModule, Start-RrTestEmulator, Stop-RrTestEmulator, Invoke-RrEmulatorControl, Clear-RrTestLedger, Reset-RrTestEmulator, New-RrTestInventory, Get-RrTestApiCall, Add-RrTestFault, Get-RrTestActiveRecalledId
