# The test-result plumbing of build.ps1 Test (and of the soak in build.ps1 Bench): runs the xUnit projects and
# the Pester suite in child processes, reads their results into one shape, and writes the report whose last line
# is "Tests: N passed, N failed, N skipped".
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../../src/Build/BuildTools.psm1')

function New-SuiteResult {
    <# The one shape every suite's result has; RunError is set when the suite could not run (it counts as a failure). #>
    param([string] $Name, [int] $Passed = 0, [int] $Failed = 0, [int] $Skipped = 0, [object[]] $Failures = @(), [string] $RunError)
    [pscustomobject]@{ Name = $Name; Passed = $Passed; Failed = $Failed; Skipped = $Skipped; Failures = @($Failures); RunError = $RunError }
}

function Get-XunitProject {
    <# The test projects of the solution (so they are exactly the ones the build compiled). #>
    param([Parameter(Mandatory)] [string] $Solution)
    $root = Split-Path -Parent $Solution
    $solutionText = Get-Content -LiteralPath $Solution -Raw
    $projectPattern = 'Project\("\{[^}]+\}"\)\s*=\s*"[^"]+",\s*"(?<path>[^"]+\.csproj)"'
    foreach ($match in [regex]::Matches($solutionText, $projectPattern)) {
        $path = Join-Path $root ($match.Groups['path'].Value -replace '\\', '/')
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
    <# dotnet test of one already built project, its results read from the .trx it writes. #>
    param(
        [Parameter(Mandatory)] [IO.FileInfo] $Project,
        [Parameter(Mandatory)] [string] $Configuration,
        [Parameter(Mandatory)] [string] $ResultsDirectory,
        [Parameter(Mandatory)] [string] $WorkingDirectory)
    $name = $Project.BaseName
    $trxName = "$name.trx"
    $trxPath = Join-Path $ResultsDirectory $trxName
    Remove-Item -LiteralPath $trxPath -ErrorAction SilentlyContinue
    Write-BuildStep "xUnit: $name"
    $code = Invoke-Process -FilePath (Get-DotnetHostPath) -WorkingDirectory $WorkingDirectory -ArgumentList @(
        'test', $Project.FullName, '-c', $Configuration, '--no-build', '--nologo',
        '--logger', "trx;LogFileName=$trxName", '--results-directory', $ResultsDirectory)

    if (-not (Test-Path -LiteralPath $trxPath)) {
        return New-SuiteResult -Name $name -RunError "dotnet test exited with code $code and wrote no results ($trxPath)."
    }
    $result = Read-TrxResult -Name $name -Path $trxPath
    if ($code -ne 0 -and $result.Failed -eq 0 -and -not $result.RunError) { $result.RunError = "dotnet test exited with code $code but reported no failed test." }
    $result
}

function Get-PesterModulePath {
    <# Pester comes from NuGet (tests/Tools/PesterRestore); its version is pinned there. #>
    $restoreProject = Join-Path $PSScriptRoot 'PesterRestore/PesterRestore.csproj'
    $projectText = Get-Content -LiteralPath $restoreProject -Raw
    if ($projectText -notmatch '<PackageDownload\s+Include="Pester"\s+Version="\[?(?<version>[^\]"]+)\]?"') { throw "No pinned Pester version in $restoreProject." }
    $version = $Matches.version
    $dotnet = Get-DotnetHostPath
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) {
        $listing = & $dotnet nuget locals global-packages --list
        if ($LASTEXITCODE -ne 0 -or "$listing" -notmatch 'global-packages:\s*(?<path>.+)$') { throw "Cannot find the NuGet global packages folder: $listing" }
        $packages = $Matches.path.Trim()
    }
    $pester = Join-Path $packages "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $pester)) {
        Write-BuildStep "Restoring Pester $version"
        $code = Invoke-Process -FilePath $dotnet -ArgumentList 'restore', $restoreProject, '--nologo' -WorkingDirectory $PSScriptRoot
        if ($code -ne 0) { throw "dotnet restore $restoreProject failed with exit code $code." }
        if (-not (Test-Path -LiteralPath $pester)) { throw "Pester $version was restored but $pester does not exist." }
    }
    $pester
}

function Resolve-PesterPath {
    <# -PesterPath values: an existing path, or a name matched as <TestFolder>/<name>*.Tests.ps1; none means the whole folder. #>
    param([string[]] $Path, [Parameter(Mandatory)] [string] $TestFolder)
    if (-not $Path) { return , @($TestFolder) }
    $resolved = foreach ($item in $Path) {
        if (Test-Path -LiteralPath $item) { (Resolve-Path -LiteralPath $item).ProviderPath; continue }
        $found = @(Get-ChildItem -LiteralPath $TestFolder -Filter "$item*.Tests.ps1" -File)
        if (-not $found) { throw "-PesterPath '$item' matches no file in $TestFolder." }
        $found.FullName
    }
    , @($resolved)
}

function Invoke-PesterSuite {
    <# The Pester files in one fresh pwsh (the binary module under test cannot be reloaded in a process). #>
    param(
        [Parameter(Mandatory)] [string] $TestFolder,
        [string[]] $Path,
        [string[]] $Tag,
        [string[]] $FullName,
        [Parameter(Mandatory)] [string] $ResultsDirectory,
        [Parameter(Mandatory)] [string] $WorkingDirectory,
        [hashtable] $Environment = @{})
    $name = 'Pester'
    Write-BuildStep 'Pester'
    $resultPath = Join-Path $ResultsDirectory 'Pester.summary.json'
    $settingsPath = Join-Path $ResultsDirectory 'Pester.settings.json'
    Remove-Item -LiteralPath $resultPath -ErrorAction SilentlyContinue
    # The runner takes a settings file because arrays cannot be passed through `pwsh -File`.
    [ordered]@{
        PesterModule = Get-PesterModulePath
        Path         = Resolve-PesterPath -Path $Path -TestFolder $TestFolder
        Tag          = @($Tag)
        FullName     = @($FullName)
        NUnitPath    = Join-Path $ResultsDirectory 'Pester.xml'
        ResultPath   = $resultPath
    } | ConvertTo-Json | Set-Content -LiteralPath $settingsPath

    $code = Invoke-PwshChild -File (Join-Path $PSScriptRoot 'Invoke-PesterSuite.ps1') -ArgumentList '-SettingsPath', $settingsPath `
        -Environment $Environment -WorkingDirectory $WorkingDirectory
    if (-not (Test-Path -LiteralPath $resultPath)) {
        return New-SuiteResult -Name $name -RunError "The Pester process exited with code $code and wrote no results ($resultPath)."
    }
    $summary = Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json
    $result = New-SuiteResult -Name $name -Passed $summary.Passed -Failed $summary.Failed -Skipped $summary.Skipped -Failures @($summary.Failures | Where-Object { $_ })
    if ($code -ne 0) { $result.RunError = "The Pester process exited with code $code." }
    $result
}

function Invoke-GuardedSuite {
    <# Runs one step of a test run; an exception becomes a failed suite instead of ending the run without a summary. #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [scriptblock] $Step)
    try { & $Step }
    catch { New-SuiteResult -Name $Name -RunError $_.Exception.Message }
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

function Invoke-TestRun {
    <#
    The Test task: build, then the chosen suites, then the report. Returns the exit code (0 when everything passed).
    $PesterSettings holds Invoke-PesterSuite's parameters (TestFolder, Path, Tag, FullName, Environment).
    #>
    param(
        [Parameter(Mandatory)] [scriptblock] $Build,
        [Parameter(Mandatory)] [ValidateSet('All', 'Xunit', 'Pester')] [string] $Suite,
        [Parameter(Mandatory)] [string] $Solution,
        [Parameter(Mandatory)] [string] $Configuration,
        [Parameter(Mandatory)] [string] $ResultsDirectory,
        [Parameter(Mandatory)] [hashtable] $PesterSettings)
    $root = Split-Path -Parent $Solution
    $results = [Collections.Generic.List[object]]::new()
    $buildFailure = Invoke-GuardedSuite 'Build' $Build
    if ($buildFailure) { $results.Add($buildFailure) }
    else {
        $null = New-Item -ItemType Directory -Force -Path $ResultsDirectory
        if ($Suite -in 'All', 'Xunit') {
            $projects = @(Get-XunitProject -Solution $Solution)
            if (-not $projects) { $results.Add((New-SuiteResult -Name 'xUnit' -RunError "no test project (IsTestProject=true) in $Solution.")) }
            foreach ($project in $projects) {
                $results.Add((Invoke-GuardedSuite $project.BaseName {
                            Invoke-XunitSuite -Project $project -Configuration $Configuration -ResultsDirectory $ResultsDirectory -WorkingDirectory $root
                        }))
            }
        }
        if ($Suite -in 'All', 'Pester') {
            $results.Add((Invoke-GuardedSuite 'Pester' {
                        Invoke-PesterSuite @PesterSettings -ResultsDirectory $ResultsDirectory -WorkingDirectory $root
                    }))
        }
    }
    if (Write-TestReport $results) { 0 } else { 1 }
}

Export-ModuleMember -Function Invoke-TestRun, Invoke-PesterSuite, New-SuiteResult, Write-TestReport
