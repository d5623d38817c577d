#Requires -Version 7.2
<#
.SYNOPSIS
Builds, tests, runs and packages the ReturnsHelper module.

.DESCRIPTION
Tasks (first argument, default Build):
  Build     dotnet build of ReturnsHelper.sln, then assemble out/ReturnsHelper (manifest, dlls, merged
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
    PesterRestore = Join-Path $PSScriptRoot 'tests/Tools/PesterRestore/PesterRestore.csproj'
    PesterRunner  = Join-Path $PSScriptRoot 'tests/Tools/Invoke-PesterSuite.ps1'
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

function Write-Step([string] $Message) {
    Write-Host "==> $Message" -ForegroundColor Cyan
}

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

    Write-Step "Assembling $($Paths.ModuleOut)"
    Reset-Directory $Paths.ModuleOut
    Copy-Item -LiteralPath $Paths.Manifest -Destination $Paths.ModuleOut
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
    Write-Step "dotnet build ReturnsHelper.sln ($Configuration, version $version)"
    Invoke-Dotnet 'build', $Paths.Solution, '-c', $Configuration, "-p:Version=$version", '--nologo'

    Write-Step "Publishing the emulator to $($Paths.EmulatorOut)"
    # --no-build: the solution build above already compiled it.
    Invoke-Dotnet 'publish', $Paths.EmulatorProj, '-c', $Configuration, '--no-build', "-p:Version=$version", '-o', $Paths.EmulatorOut, '--nologo'

    Build-ModuleFolder
    Write-Host "Built ReturnsHelper $version in $($Paths.ModuleOut)" -ForegroundColor Green
}

#endregion

#region Test

function New-SuiteResult {
    param([string] $Name, [int] $Passed = 0, [int] $Failed = 0, [int] $Skipped = 0, [object[]] $Failures = @(), [string] $RunError)
    [pscustomobject]@{ Name = $Name; Passed = $Passed; Failed = $Failed; Skipped = $Skipped; Failures = @($Failures); RunError = $RunError }
}

function Get-XunitProject {
    <# The test projects of the solution (so they are exactly the ones the build compiled). #>
    $solutionText = Get-Content -LiteralPath $Paths.Solution -Raw
    $projectPattern = 'Project\("\{[^}]+\}"\)\s*=\s*"[^"]+",\s*"(?<path>[^"]+\.csproj)"'
    foreach ($match in [regex]::Matches($solutionText, $projectPattern)) {
        $path = Join-Path $Paths.Root ($match.Groups['path'].Value -replace '\\', '/')
        if ((Get-Content -LiteralPath $path -Raw) -match '<IsTestProject>\s*true\s*</IsTestProject>') { Get-Item -LiteralPath $path }
    }
}

function Read-TrxResult {
    <# Counts and failures from a VSTest .trx file. #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Path)
    $trx = [xml](Get-Content -LiteralPath $Path -Raw)
    $nsm = [Xml.XmlNamespaceManager]::new($trx.NameTable)
    $nsm.AddNamespace('t', 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010')
    $results = @($trx.SelectNodes('//t:Results/t:UnitTestResult', $nsm))
    $failures = foreach ($result in $results | Where-Object { $_.outcome -notin 'Passed', 'NotExecuted' }) {
        $message = $result.SelectSingleNode('t:Output/t:ErrorInfo/t:Message', $nsm)
        [pscustomobject]@{ Name = $result.testName; Message = if ($message) { $message.InnerText.Trim() } else { "outcome: $($result.outcome)" } }
    }
    $counters = $trx.SelectSingleNode('//t:ResultSummary/t:Counters', $nsm)
    $skipped = @($results | Where-Object outcome -EQ 'NotExecuted').Count
    $failed = @($failures).Count
    $passed = if ($counters) { [int]$counters.passed } else { @($results | Where-Object outcome -EQ 'Passed').Count }
    # An aborted run (crashed test host) is no test result; VSTest reports it as a run message. Keep its first lines.
    $runErrors = @($trx.SelectNodes('//t:RunInfos/t:RunInfo/t:Text', $nsm) | Where-Object InnerText -Match 'test run was aborted' |
        ForEach-Object { ($_.InnerText -split '\r?\n' | Select-Object -First 2) -join ' ' })
    $result = New-SuiteResult -Name $Name -Passed $passed -Failed $failed -Skipped $skipped -Failures @($failures)
    if ($runErrors) { $result.RunError = $runErrors -join '; ' }
    $result
}

function Invoke-XunitSuite {
    param([Parameter(Mandatory)] [IO.FileInfo] $Project)
    $name = $Project.BaseName
    $trxName = "$name.trx"
    $trxPath = Join-Path $Paths.TestResults $trxName
    Remove-Item -LiteralPath $trxPath -ErrorAction SilentlyContinue
    Write-Step "xUnit: $name"
    $code = Invoke-Dotnet -AllowFailure 'test', $Project.FullName, '-c', $Configuration, '--no-build', '--nologo',
    '--logger', "trx;LogFileName=$trxName", '--results-directory', $Paths.TestResults

    if (-not (Test-Path -LiteralPath $trxPath)) {
        return New-SuiteResult -Name $name -RunError "dotnet test exited with code $code and wrote no results ($trxPath)."
    }
    $result = Read-TrxResult -Name $name -Path $trxPath
    if ($code -ne 0 -and $result.Failed -eq 0 -and -not $result.RunError) { $result.RunError = "dotnet test exited with code $code but reported no failed test." }
    $result
}

function Get-PesterModulePath {
    <# Pester comes from NuGet (tests/Tools/PesterRestore); its version is pinned there. #>
    $projectText = Get-Content -LiteralPath $Paths.PesterRestore -Raw
    if ($projectText -notmatch '<PackageDownload\s+Include="Pester"\s+Version="\[?(?<version>[^\]"]+)\]?"') { throw "No pinned Pester version in $($Paths.PesterRestore)." }
    $version = $Matches.version
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) {
        $listing = & $Dotnet nuget locals global-packages --list
        if ($LASTEXITCODE -ne 0 -or "$listing" -notmatch 'global-packages:\s*(?<path>.+)$') { throw "Cannot find the NuGet global packages folder: $listing" }
        $packages = $Matches.path.Trim()
    }
    $pester = Join-Path $packages "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $pester)) {
        Write-Step "Restoring Pester $version"
        Invoke-Dotnet 'restore', $Paths.PesterRestore, '--nologo'
        if (-not (Test-Path -LiteralPath $pester)) { throw "Pester $version was restored but $pester does not exist." }
    }
    $pester
}

function Resolve-PesterPath {
    <# -PesterPath values: an existing path, or a name matched as tests/Pester/<name>*.Tests.ps1. #>
    if (-not $PesterPath) { return , @($Paths.PesterTests) }
    $resolved = foreach ($item in $PesterPath) {
        if (Test-Path -LiteralPath $item) { (Resolve-Path -LiteralPath $item).ProviderPath; continue }
        $found = @(Get-ChildItem -LiteralPath $Paths.PesterTests -Filter "$item*.Tests.ps1" -File)
        if (-not $found) { throw "-PesterPath '$item' matches no file in $($Paths.PesterTests)." }
        $found.FullName
    }
    , @($resolved)
}

function Invoke-PesterSuite {
    $name = 'Pester'
    Write-Step 'Pester'
    $resultPath = Join-Path $Paths.TestResults 'Pester.summary.json'
    $settingsPath = Join-Path $Paths.TestResults 'Pester.settings.json'
    Remove-Item -LiteralPath $resultPath -ErrorAction SilentlyContinue
    # The runner takes a settings file because arrays cannot be passed through `pwsh -File`.
    [ordered]@{
        PesterModule = Get-PesterModulePath
        Path         = Resolve-PesterPath
        Tag          = $PesterTag
        FullName     = $PesterFullName
        NUnitPath    = Join-Path $Paths.TestResults 'Pester.xml'
        ResultPath   = $resultPath
    } | ConvertTo-Json | Set-Content -LiteralPath $settingsPath

    $code = Invoke-PwshChild -File $Paths.PesterRunner -ArgumentList '-SettingsPath', $settingsPath `
        -Environment (Get-ModuleOutputEnvironment) -WorkingDirectory $Paths.Root
    if (-not (Test-Path -LiteralPath $resultPath)) {
        return New-SuiteResult -Name $name -RunError "The Pester process exited with code $code and wrote no results ($resultPath)."
    }
    $summary = Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json
    $result = New-SuiteResult -Name $name -Passed $summary.Passed -Failed $summary.Failed -Skipped $summary.Skipped -Failures @($summary.Failures | Where-Object { $_ })
    if ($code -ne 0) { $result.RunError = "The Pester process exited with code $code." }
    $result
}

function Write-TestReport {
    <# Failures first, then one line per suite, then the summary as the very last line. Returns $true when all is well. #>
    param([Parameter(Mandatory)] [object[]] $Results)
    foreach ($suite in $Results) {
        # A suite that could not run, or ran nothing, is a failure of its own.
        if (-not $suite.RunError -and ($suite.Passed + $suite.Failed + $suite.Skipped) -eq 0) { $suite.RunError = 'no tests were found or run.' }
        if ($suite.RunError) { $suite.Failed++ }
    }

    $failing = @($Results | Where-Object { $_.Failures -or $_.RunError })
    if ($failing) {
        Write-Host ''
        Write-Host 'Failures:' -ForegroundColor Red
        foreach ($suite in $failing) {
            if ($suite.RunError) { Write-Host "  [$($suite.Name)] suite error: $($suite.RunError)" -ForegroundColor Red }
            foreach ($failure in $suite.Failures) {
                Write-Host "  [$($suite.Name)] $($failure.Name)" -ForegroundColor Red
                foreach ($line in ("$($failure.Message)" -split '\r?\n' | Select-Object -First 15)) { Write-Host "      $line" }
            }
        }
    }

    Write-Host ''
    foreach ($suite in $Results) {
        Write-Host ('{0,-32} {1,5} passed, {2,5} failed, {3,5} skipped' -f $suite.Name, $suite.Passed, $suite.Failed, $suite.Skipped)
    }
    $passed = ($Results | Measure-Object Passed -Sum).Sum
    $failed = ($Results | Measure-Object Failed -Sum).Sum
    $skipped = ($Results | Measure-Object Skipped -Sum).Sum
    Write-Host "Tests: $passed passed, $failed failed, $skipped skipped"
    $failed -eq 0
}

function Invoke-Guarded {
    <# Runs one step of the Test task; an exception becomes a failed suite instead of ending the task without a summary. #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [scriptblock] $Step)
    try { & $Step }
    catch { New-SuiteResult -Name $Name -RunError $_.Exception.Message }
}

function Invoke-TestTask {
    $results = [Collections.Generic.List[object]]::new()
    $buildFailure = Invoke-Guarded 'Build' { Invoke-BuildTask }
    if ($buildFailure) { $results.Add($buildFailure) }
    else {
        $null = New-Item -ItemType Directory -Force -Path $Paths.TestResults
        if ($Suite -in 'All', 'Xunit') {
            $projects = @(Get-XunitProject)
            if (-not $projects) { $results.Add((New-SuiteResult -Name 'xUnit' -RunError "no test project (IsTestProject=true) in $($Paths.Solution).")) }
            foreach ($project in $projects) { $results.Add((Invoke-Guarded $project.BaseName { Invoke-XunitSuite $project })) }
        }
        if ($Suite -in 'All', 'Pester') { $results.Add((Invoke-Guarded 'Pester' { Invoke-PesterSuite })) }
    }
    if (Write-TestReport $results) { 0 } else { 1 }
}

#endregion

#region Other tasks

function Invoke-EmulatorTask {
    Invoke-BuildTask
    Write-Step "Emulator: dotnet $($Paths.EmulatorDll) $PassThruArgs"
    Invoke-Dotnet -AllowFailure (@($Paths.EmulatorDll) + $PassThruArgs)
}

function Invoke-DemoTask {
    Invoke-BuildTask
    $demo = if ($Name -eq 'Decision') { $Paths.DecisionDemo } else { $Paths.Demo }
    if (-not (Test-Path -LiteralPath $demo)) { throw "The demo script $demo does not exist." }
    Write-Step "Demo: $demo"
    Invoke-PwshChild -File $demo -ArgumentList $PassThruArgs -Environment (Get-ModuleOutputEnvironment) -WorkingDirectory $Paths.Root -Interactive
}

function Invoke-BenchTask {
    Invoke-BuildTask
    $benchmarks = @(Get-ChildItem -LiteralPath $Paths.Benchmarks -Filter '*.Bench.ps1' -File | Sort-Object Name)
    if (-not $benchmarks) { throw "No *.Bench.ps1 in $($Paths.Benchmarks)." }
    $failed = @(foreach ($benchmark in $benchmarks) {
            Write-Step "Benchmark: $($benchmark.Name)"
            $code = Invoke-PwshChild -File $benchmark.FullName -Environment (Get-ModuleOutputEnvironment) -WorkingDirectory $Paths.Root
            if ($code -ne 0) { $benchmark.Name }
        })
    # The kill-and-rerun soak at full size (5,000 ids, 10 kills); build.ps1 Test runs it reduced.
    Write-Step 'Soak: New-RrRecall killed and rerun, full size (tests/Pester/Ledger.Tests.ps1 with RR_TEST_FULL=1)'
    $env:RR_TEST_FULL = '1'
    try {
        $PesterPath = @('Ledger'); $PesterTag = @(); $PesterFullName = @('*kills*')
        $soak = Invoke-PesterSuite
    }
    finally { Remove-Item Env:RR_TEST_FULL -ErrorAction SilentlyContinue }
    Write-Host "Soak: $($soak.Passed) passed, $($soak.Failed) failed$(if ($soak.RunError) { " ($($soak.RunError))" })."
    if ($soak.Failed -or $soak.RunError -or $soak.Passed -eq 0) { $failed += 'kill-and-rerun soak' }
    if ($failed) { throw "Benchmark(s) failed: $($failed -join ', ')." }
}

function Invoke-PackageTask {
    Invoke-BuildTask
    $version = Get-ModuleVersion
    Write-Step "Packaging ReturnsHelper $version"
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
