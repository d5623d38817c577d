#Requires -Version 7.2
<#
.SYNOPSIS
Runs the Pester suite in this (fresh) process and writes a JSON summary for build.ps1.

.DESCRIPTION
build.ps1 Test starts this script in a new pwsh, because the binary module under test cannot be
unloaded or reloaded in one process. The settings file (JSON) holds: PesterModule (path of Pester.psd1),
Path (test files/folders), Tag, FullName (filters, may be empty), NUnitPath and ResultPath.
The summary has Passed, Failed, Skipped and Failures (Name, Message). Failed counts failed tests plus
failed blocks (errors in BeforeAll/AfterAll) plus failed containers (files that could not be discovered),
the same sum Pester uses to decide that a run failed.
Exit code: 0 when the summary was written (whatever the test results), non-zero when the run itself broke.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $SettingsPath)

# No Set-StrictMode here: it would leak into every test file's scope; strictness is each test file's choice.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$settings = Get-Content -LiteralPath $SettingsPath -Raw | ConvertFrom-Json
Import-Module $settings.PesterModule -Force

$config = New-PesterConfiguration
$config.Run.Path = [string[]]$settings.Path
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Normal'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $settings.NUnitPath
if ($settings.Tag) { $config.Filter.Tag = [string[]]$settings.Tag }
if ($settings.FullName) { $config.Filter.FullName = [string[]]$settings.FullName }

$run = Invoke-Pester -Configuration $config

# Test files stop their emulators in AfterAll; this catches any that a crashed or careless file left behind.
Import-Module (Join-Path $PSScriptRoot '../../src/Build/BuildTools.psm1')
$leftOver = @(Stop-RrEmulatorProcess -All)
if ($leftOver) { Write-Warning "Stopped $($leftOver.Count) emulator process(es) left running by the tests." }

function ConvertTo-FailureEntry {
    param([string] $Kind, [string] $Name, $ErrorRecords)
    $messages = @($ErrorRecords | ForEach-Object {
            if ($_.PSObject.Properties['DisplayErrorMessage'] -and $_.DisplayErrorMessage) { $_.DisplayErrorMessage } else { $_.Exception.Message }
        })
    # A test in a block whose BeforeAll failed is failed without an error of its own.
    if (-not $messages) { $messages = @('not run: a BeforeAll or AfterAll of its block failed (see the block entry).') }
    [pscustomobject]@{ Name = "$Kind$Name"; Message = $messages -join [Environment]::NewLine }
}

$failures = @(
    foreach ($test in $run.Failed) { ConvertTo-FailureEntry '' $test.ExpandedPath $test.ErrorRecord }
    foreach ($block in $run.FailedBlocks) { ConvertTo-FailureEntry 'block: ' $block.ExpandedPath $block.ErrorRecord }
    foreach ($container in $run.FailedContainers) { ConvertTo-FailureEntry 'file: ' "$($container.Item)" $container.ErrorRecord }
)
[pscustomobject]@{
    Passed   = $run.PassedCount
    Failed   = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount
    Skipped  = $run.SkippedCount + $run.InconclusiveCount
    NotRun   = $run.NotRunCount
    Failures = $failures
} | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $settings.ResultPath -Encoding utf8
