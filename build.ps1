#Requires -Version 7.2
<#
.SYNOPSIS
Builds, tests, runs and packages the ReturnsHelper module.

.DESCRIPTION
Tasks (first argument, default Build):
  Build     dotnet build of ReturnsHelper.sln, then assemble out/ReturnsHelper (manifest, license, dlls, merged
            format file, MAML help, about topic) and publish the emulator to out/emulator.
  Test      Build, run every xUnit project and all tests/Pester/*.Tests.ps1 (in one fresh pwsh),
            print the counts per suite and, as the very last line, "Tests: N passed, N failed, N skipped".
  Emulator  Build, then run the emulator in the foreground; extra arguments go to the emulator.
  Demo      Build, then run src/Demo/Invoke-Demo.ps1 (recalls from a CSV file) in a fresh pwsh, or with -Name Decision
            src/Demo/Invoke-DecisionDemo.ps1 (photos, recall, resend, dispose, balance); extra arguments go to the demo.
  Bench     Build, then run each tests/Benchmarks/*.Bench.ps1 in a fresh pwsh, then the kill-and-rerun soak of
            tests/Pester/Ledger.Tests.ps1 at full size (RR_TEST_FULL=1; Test runs it reduced).
  Package   Build, then write out/package/ReturnsHelper.<version>.nupkg (via PSResourceGet) and verify it installs.
  Clean     Remove out/ and every project's bin/ and obj/.

The version comes from ModuleVersion in ReturnsHelper.psd1 and nowhere else.

.EXAMPLE
dotnet tool restore && dotnet pwsh ./build.ps1 Test

.EXAMPLE
dotnet pwsh ./build.ps1 Test -Suite Pester -PesterPath Session

Runs only tests/Pester/Session*.Tests.ps1.

.EXAMPLE
dotnet pwsh ./build.ps1 Emulator --port 5080

.EXAMPLE
dotnet pwsh ./build.ps1 Demo -Name Decision
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Emulator', 'Demo', 'Bench', 'Package', 'Clean')]
    [string] $Task = 'Build',

    # Demo: which demo to run.
    [ValidateSet('Recall', 'Decision')]
    [string] $Name = 'Recall',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    # Test: which suites to run.
    [ValidateSet('All', 'Xunit', 'Pester')]
    [string] $Suite = 'All',

    # Test: Pester files to run; a name without a path matches tests/Pester/<name>*.Tests.ps1.
    [string[]] $PesterPath,

    # Test: only Pester tests with one of these tags.
    [string[]] $PesterTag,

    # Test: only Pester tests whose full name ("Describe Context It") matches one of these wildcards.
    [string[]] $PesterFullName,

    # Emulator / Demo: passed through unchanged.
    [Parameter(ValueFromRemainingArguments)]
    [string[]] $PassThruArgs = @()
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# From bash (`dotnet pwsh ./build.ps1 Test -PesterPath A,B`) a list arrives as one string "A,B".
$PesterPath, $PesterTag, $PesterFullName = foreach ($list in $PesterPath, $PesterTag, $PesterFullName) {
    , @($list | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ })
}

Import-Module (Join-Path $PSScriptRoot 'src/Build/BuildTools.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'tests/Tools/TestRunner.psm1') -Force

$Paths = [pscustomobject]@{
    Root          = $PSScriptRoot
    Solution      = Join-Path $PSScriptRoot 'ReturnsHelper.sln'
    Manifest      = Join-Path $PSScriptRoot 'ReturnsHelper.psd1'
    ModuleProject = Join-Path $PSScriptRoot 'src/ReturnsHelper'
    EmulatorProj  = Join-Path $PSScriptRoot 'src/ReturnsHelper.Emulator/ReturnsHelper.Emulator.csproj'
    HelpSource    = Join-Path $PSScriptRoot 'src/ReturnsHelper/Help'
    Formats       = Join-Path $PSScriptRoot 'src/ReturnsHelper/Formats'
    BuildScripts  = Join-Path $PSScriptRoot 'src/Build'
    PesterTests   = Join-Path $PSScriptRoot 'tests/Pester'
    Benchmarks    = Join-Path $PSScriptRoot 'tests/Benchmarks'
    Demo          = Join-Path $PSScriptRoot 'src/Demo/Invoke-Demo.ps1'
    DecisionDemo  = Join-Path $PSScriptRoot 'src/Demo/Invoke-DecisionDemo.ps1'
    Out           = Join-Path $PSScriptRoot 'out'
    ModuleOut     = Join-Path $PSScriptRoot 'out/ReturnsHelper'
    EmulatorOut   = Join-Path $PSScriptRoot 'out/emulator'
    EmulatorDll   = Join-Path $PSScriptRoot 'out/emulator/ReturnsHelper.Emulator.dll'
    Intermediate  = Join-Path $PSScriptRoot 'out/obj'
    TestResults   = Join-Path $PSScriptRoot 'out/TestResults'
    PackageOut    = Join-Path $PSScriptRoot 'out/package'
}
$Dotnet = Get-DotnetHostPath

#region Helpers

function Invoke-Dotnet {
    <# Runs dotnet on this console; throws on a non-zero exit unless -AllowFailure (then returns the exit code). #>
    param([Parameter(Mandatory)] [string[]] $Arguments, [switch] $AllowFailure)
    $code = Invoke-Process -FilePath $Dotnet -ArgumentList $Arguments -WorkingDirectory $Paths.Root
    if ($code -ne 0 -and -not $AllowFailure) { throw "dotnet $($Arguments -join ' ') failed with exit code $code." }
    if ($AllowFailure) { $code }
}

function Get-ModuleVersion {
    $version = (Import-PowerShellDataFile -LiteralPath $Paths.Manifest).ModuleVersion
    if (-not $version) { throw "ModuleVersion is missing from $($Paths.Manifest)." }
    $version
}

function Get-ModuleOutputEnvironment {
    <# What every child that uses the built module gets: where the module and the emulator are. #>
    @{
        RR_MODULE_PATH   = Join-Path $Paths.ModuleOut 'ReturnsHelper.psd1'
        RR_EMULATOR_PATH = $Paths.EmulatorDll
    }
}

function Get-InputFingerprint {
    <# A hash over path, size and time of the given files: changes when any is added, removed or edited. #>
    param([Parameter(Mandatory)] [IO.FileInfo[]] $Files)
    $lines = $Files | Sort-Object FullName | ForEach-Object { '{0}|{1}|{2}' -f $_.FullName, $_.Length, $_.LastWriteTimeUtc.Ticks }
    $bytes = [Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))
    [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes))
}

function Reset-Directory([string] $Path) {
    if (Test-Path -LiteralPath $Path) { Remove-Item -LiteralPath $Path -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $Path
}

#endregion

#region Build

function Merge-FormatFile {
    <# Concatenates the children of every section (ViewDefinitions, SelectionSets, Controls) of the source format files. #>
    param([Parameter(Mandatory)] [string] $SourceFolder, [Parameter(Mandatory)] [string] $Destination)
    $merged = [xml]'<?xml version="1.0" encoding="utf-8"?><Configuration><ViewDefinitions /></Configuration>'
    $sources = @(Get-ChildItem -LiteralPath $SourceFolder -Filter '*.format.ps1xml' -File -ErrorAction SilentlyContinue | Sort-Object Name)
    if (-not $sources) { Write-Warning "No format files in $SourceFolder; the module will have no default views." }
    foreach ($file in $sources) {
        try { $source = [xml](Get-Content -LiteralPath $file.FullName -Raw) }
        catch { throw "Format file $($file.FullName) is not valid XML: $($_.Exception.Message)" }
        if ($source.DocumentElement.LocalName -ne 'Configuration') { throw "Format file $($file.FullName) has no <Configuration> root." }
        foreach ($section in $source.DocumentElement.ChildNodes | Where-Object NodeType -EQ 'Element') {
            $target = $merged.DocumentElement.SelectSingleNode($section.LocalName)
            if (-not $target) { $target = $merged.DocumentElement.AppendChild($merged.CreateElement($section.LocalName)) }
            foreach ($child in $section.ChildNodes) {
                if ($child.NodeType -eq 'Element') { $null = $target.AppendChild($merged.ImportNode($child, $true)) }
            }
        }
    }
    $merged.Save($Destination)
    Write-Host "Formats: merged $($sources.Count) file(s) into $(Split-Path -Leaf $Destination)."
}

function Update-HelpCache {
    <#
    Regenerates the MAML help in a child pwsh (it imports the built module, which this process must not load),
    but only when the module, the help sources or the generator changed. Returns the path of the MAML file.
    #>
    param([Parameter(Mandatory)] [string] $ModuleManifest, [Parameter(Mandatory)] [IO.FileInfo[]] $AssemblyFiles)
    $cache = Join-Path $Paths.Intermediate 'help'
    $maml = Join-Path $cache 'ReturnsHelper.dll-Help.xml'
    $warningsFile = Join-Path $cache 'warnings.txt'
    $stampFile = Join-Path $cache 'fingerprint.txt'
    $generator = Join-Path $Paths.BuildScripts 'New-MamlHelp.ps1'

    $inputs = @($AssemblyFiles) + @(Get-Item -LiteralPath $generator, $Paths.Manifest) +
    @(Get-ChildItem -LiteralPath $Paths.HelpSource -Filter '*.md' -File -ErrorAction SilentlyContinue)
    $fingerprint = Get-InputFingerprint $inputs
    if ((Test-Path -LiteralPath $maml) -and (Test-Path -LiteralPath $stampFile) -and (Get-Content -LiteralPath $stampFile -Raw).Trim() -eq $fingerprint) {
        Write-Host 'Help: up to date.'
        foreach ($warning in Get-Content -LiteralPath $warningsFile -ErrorAction SilentlyContinue) { Write-Warning $warning }
        return $maml
    }

    $null = New-Item -ItemType Directory -Force -Path $cache
    Remove-Item -LiteralPath $stampFile -ErrorAction SilentlyContinue
    $code = Invoke-PwshChild -File $generator -WorkingDirectory $Paths.Root -ArgumentList @(
        '-ModulePath', $ModuleManifest, '-SourcePath', $Paths.HelpSource, '-OutputPath', $maml, '-WarningsPath', $warningsFile)
    if ($code -ne 0) { throw "Help generation failed (exit code $code)." }
    Set-Content -LiteralPath $stampFile -Value $fingerprint
    $maml
}

function Build-ModuleFolder {
    <# Assembles out/ReturnsHelper from the module project's netstandard2.0 output and the help/format sources. #>
    $manifestData = Import-PowerShellDataFile -LiteralPath $Paths.Manifest
    $binFolder = Join-Path $Paths.ModuleProject "bin/$Configuration/netstandard2.0"
    # Everything the module needs at run time (ReturnsHelper, Core, System.Text.Json 8 and its netstandard
    # dependencies for Windows PowerShell 5.1); PowerShell itself provides System.Management.Automation.
    $assemblies = @(Get-ChildItem -LiteralPath $binFolder -Filter '*.dll' -File | Where-Object Name -NE 'System.Management.Automation.dll')
    $rootModule = Join-Path $binFolder $manifestData.RootModule
    if (-not (Test-Path -LiteralPath $rootModule)) { throw "The build did not produce $rootModule." }

    Write-BuildStep "Assembling $($Paths.ModuleOut)"
    Reset-Directory $Paths.ModuleOut
    Copy-Item -LiteralPath $Paths.Manifest, (Join-Path $Paths.Root 'LICENSE') -Destination $Paths.ModuleOut
    Copy-Item -LiteralPath $assemblies.FullName -Destination $Paths.ModuleOut
    Write-Host "Assemblies: $($assemblies.Name -join ', ')"

    $formatFiles = @($manifestData.FormatsToProcess)
    if ($formatFiles.Count -ne 1) { throw "The manifest must list exactly one merged format file in FormatsToProcess (found $($formatFiles.Count))." }
    Merge-FormatFile -SourceFolder $Paths.Formats -Destination (Join-Path $Paths.ModuleOut $formatFiles[0])

    $moduleManifest = Join-Path $Paths.ModuleOut 'ReturnsHelper.psd1'
    $maml = Update-HelpCache -ModuleManifest $moduleManifest -AssemblyFiles $assemblies
    $helpOut = New-Item -ItemType Directory -Force -Path (Join-Path $Paths.ModuleOut 'en-US')
    Copy-Item -LiteralPath $maml -Destination $helpOut
    $about = Join-Path $Paths.HelpSource 'about_ReturnsHelper.help.txt'
    if (Test-Path -LiteralPath $about) { Copy-Item -LiteralPath $about -Destination $helpOut }
    else { Write-Warning "No about topic: create $about." }
}

function Invoke-BuildTask {
    $version = Get-ModuleVersion
    Write-BuildStep "dotnet build ReturnsHelper.sln ($Configuration, version $version)"
    # Every assembly gets the version from ModuleVersion through Directory.Build.props.
    Invoke-Dotnet 'build', $Paths.Solution, '-c', $Configuration, '--nologo'

    Write-BuildStep "Publishing the emulator to $($Paths.EmulatorOut)"
    # --no-build: the solution build above already compiled it.
    Invoke-Dotnet 'publish', $Paths.EmulatorProj, '-c', $Configuration, '--no-build', '-o', $Paths.EmulatorOut, '--nologo'

    Build-ModuleFolder
    Write-Host "Built ReturnsHelper $version in $($Paths.ModuleOut)" -ForegroundColor Green
}

#endregion

#region Test

function Get-PesterSettings {
    <# What Invoke-PesterSuite (tests/Tools/TestRunner.psm1) needs besides where to write results. #>
    param([string[]] $Path = $PesterPath, [string[]] $Tag = $PesterTag, [string[]] $FullName = $PesterFullName)
    @{ TestFolder = $Paths.PesterTests; Path = $Path; Tag = $Tag; FullName = $FullName; Environment = Get-ModuleOutputEnvironment }
}

function Invoke-TestTask {
    Invoke-TestRun -Build { Invoke-BuildTask } -Suite $Suite -Solution $Paths.Solution -Configuration $Configuration `
        -ResultsDirectory $Paths.TestResults -PesterSettings (Get-PesterSettings)
}

#endregion

#region Other tasks

function Invoke-EmulatorTask {
    Invoke-BuildTask
    Write-BuildStep "Emulator: dotnet $($Paths.EmulatorDll) $PassThruArgs"
    Invoke-Dotnet -AllowFailure (@($Paths.EmulatorDll) + $PassThruArgs)
}

function Invoke-DemoTask {
    Invoke-BuildTask
    $demo = if ($Name -eq 'Decision') { $Paths.DecisionDemo } else { $Paths.Demo }
    if (-not (Test-Path -LiteralPath $demo)) { throw "The demo script $demo does not exist." }
    Write-BuildStep "Demo: $demo"
    Invoke-PwshChild -File $demo -ArgumentList $PassThruArgs -Environment (Get-ModuleOutputEnvironment) -WorkingDirectory $Paths.Root -Interactive
}

function Invoke-BenchTask {
    Invoke-BuildTask
    $benchmarks = @(Get-ChildItem -LiteralPath $Paths.Benchmarks -Filter '*.Bench.ps1' -File | Sort-Object Name)
    if (-not $benchmarks) { throw "No *.Bench.ps1 in $($Paths.Benchmarks)." }
    $failed = @(foreach ($benchmark in $benchmarks) {
            Write-BuildStep "Benchmark: $($benchmark.Name)"
            $code = Invoke-PwshChild -File $benchmark.FullName -Environment (Get-ModuleOutputEnvironment) -WorkingDirectory $Paths.Root
            if ($code -ne 0) { $benchmark.Name }
        })
    # The kill-and-rerun soak at full size (5,000 ids, 10 kills); build.ps1 Test runs it reduced.
    Write-BuildStep 'Soak: New-RrRecall killed and rerun, full size (tests/Pester/Ledger.Tests.ps1 with RR_TEST_FULL=1)'
    $env:RR_TEST_FULL = '1'
    try {
        $null = New-Item -ItemType Directory -Force -Path $Paths.TestResults
        $soakSettings = Get-PesterSettings -Path 'Ledger' -Tag @() -FullName '*kills*'
        $soak = Invoke-PesterSuite @soakSettings -ResultsDirectory $Paths.TestResults -WorkingDirectory $Paths.Root
    }
    finally { Remove-Item Env:RR_TEST_FULL -ErrorAction SilentlyContinue }
    Write-Host "Soak: $($soak.Passed) passed, $($soak.Failed) failed$(if ($soak.RunError) { " ($($soak.RunError))" })."
    if ($soak.Failed -or $soak.RunError -or $soak.Passed -eq 0) { $failed += 'kill-and-rerun soak' }
    if ($failed) { throw "Benchmark(s) failed: $($failed -join ', ')." }
}

function Invoke-PackageTask {
    Invoke-BuildTask
    $version = Get-ModuleVersion
    Write-BuildStep "Packaging ReturnsHelper $version"
    # In a child: publishing validates (and may load) the module, which this process must not load.
    $code = Invoke-PwshChild -File (Join-Path $Paths.BuildScripts 'Publish-ModulePackage.ps1') -WorkingDirectory $Paths.Root -ArgumentList @(
        '-ModuleFolder', $Paths.ModuleOut, '-OutputFolder', $Paths.PackageOut, '-Version', $version)
    if ($code -ne 0) { throw "Packaging failed (exit code $code)." }
}

function Invoke-CleanTask {
    if (Test-Path -LiteralPath $Paths.Out) { Remove-Item -LiteralPath $Paths.Out -Recurse -Force }
    # Only bin/obj folders that belong to a project, never anything else that happens to be called bin.
    $projectFolders = Get-ChildItem -LiteralPath (Join-Path $Paths.Root 'src'), (Join-Path $Paths.Root 'tests') -Filter '*.csproj' -File -Recurse |
        ForEach-Object DirectoryName | Select-Object -Unique
    foreach ($folder in $projectFolders) {
        foreach ($output in 'bin', 'obj') {
            $path = Join-Path $folder $output
            if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -Recurse -Force; Write-Host "Removed $path" }
        }
    }
}

#endregion

try {
    if ($PassThruArgs -and $Task -notin 'Emulator', 'Demo') {
        throw "Unexpected argument(s) for task ${Task}: $($PassThruArgs -join ' '). (From bash, write a list without spaces: -PesterPath Session,Help)"
    }
    if ($PSBoundParameters.ContainsKey('Name') -and $Task -ne 'Demo') { throw "-Name chooses a demo; it is for the Demo task, not $Task." }
    $exitCode = switch ($Task) {
        'Build' { Invoke-BuildTask; 0 }
        'Test' { Invoke-TestTask }
        'Emulator' { Invoke-EmulatorTask }
        'Demo' { Invoke-DemoTask }
        'Bench' { Invoke-BenchTask; 0 }
        'Package' { Invoke-PackageTask; 0 }
        'Clean' { Invoke-CleanTask; 0 }
    }
    exit ([int]($exitCode | Select-Object -Last 1))
}
catch {
    Write-Host "build.ps1 ${Task} failed: $($_.Exception.Message)" -ForegroundColor Red
    if ($VerbosePreference -eq 'Continue') { Write-Host $_.ScriptStackTrace }
    exit 1
}
