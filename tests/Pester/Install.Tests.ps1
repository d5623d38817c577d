# Installing as the README's "Installing" section says (copying the built folder into a folder of PSModulePath) makes
# the module autoload in a fresh pwsh, and load in that pwsh's thread jobs and parallel runspaces.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/../../src/Build/BuildTools.psm1"   # Get-PwshLauncher
    $builtModule = Split-Path (Get-RrModulePath)
    $modules = Join-Path $TestDrive 'Modules'

    # The README's copy snippet, run from the repository root with $modules pointing at a temporary folder instead
    # of the user's own module folder; ./out/ReturnsHelper is whatever build this test run uses.
    $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
    $snippet = [regex]::Matches($readme, '(?s)```powershell\r?\n(.*?)```').ForEach({ $_.Groups[1].Value }) |
        Where-Object { $_ -match 'Copy-Item ./out/ReturnsHelper' } | Select-Object -First 1
    $snippet = ($snippet -split '\r?\n' | Where-Object { $_ -notmatch '^\$modules = ' }) -join "`n"
    $snippet = $snippet.Replace('./out/ReturnsHelper', "'$builtModule'")
    & ([scriptblock]::Create($snippet))

    # Runs -Command in a fresh pwsh whose PSModulePath starts with the temporary module folder; returns its output.
    function Invoke-FreshPwsh([string] $Command) {
        $launcher = Get-PwshLauncher
        $saved = $env:PSModulePath
        $env:PSModulePath = $modules + [IO.Path]::PathSeparator + $saved
        try {
            $output = & $launcher.FilePath @($launcher.Arguments) -NoProfile -NonInteractive -Command $Command 2>&1 | ForEach-Object { "$_" }
            if ($LASTEXITCODE -ne 0) { throw "The child pwsh failed ($LASTEXITCODE): $($output -join "`n")" }
            $output
        }
        finally { $env:PSModulePath = $saved }
    }
}

Describe 'Installing into a folder of PSModulePath' {
    It 'copies the whole module' {
        Test-Path (Join-Path $modules 'ReturnsHelper/ReturnsHelper.psd1') | Should -BeTrue
    }

    It 'autoloads the module in a fresh pwsh, without Import-Module' {
        $output = Invoke-FreshPwsh @'
(Get-Command New-RrRecall).Source
Get-RrSession
(Get-Module ReturnsHelper).ModuleBase
'@
        $output[0] | Should -Be 'ReturnsHelper'
        $output[-1] | Should -Be ((Resolve-Path (Join-Path $modules 'ReturnsHelper')).ProviderPath)
    }

    It 'loads by name in a thread job and in ForEach-Object -Parallel' {
        $output = Invoke-FreshPwsh @'
Start-ThreadJob { Import-Module ReturnsHelper -ErrorAction Stop; "job: $((Get-Command Connect-RrService).Source)" } | Receive-Job -Wait -AutoRemoveJob
1, 2 | ForEach-Object -Parallel { Import-Module ReturnsHelper -ErrorAction Stop; "parallel: $((Get-Command Connect-RrService).Source)" }
'@
        $output | Should -Be 'job: ReturnsHelper', 'parallel: ReturnsHelper', 'parallel: ReturnsHelper'
    }
}
