# An installed module, as users get it: the package `build.ps1 Package` makes installs with the README's
# Install-PSResource commands, and a fresh pwsh then imports it by name, autoloads it on first use, and its thread jobs
# and parallel runspaces use its cmdlets. The README's copy-the-folder alternative is checked too.
# Everything runs in child pwsh processes whose home folder is temporary (PSResourceGet's repository list and the
# CurrentUser module folder live under it), so the user's own configuration and modules are neither used nor changed.
BeforeDiscovery {
    # Install-PSResource -Scope CurrentUser follows the XDG folders only on Linux and macOS.
    $script:homeCanMove = -not $IsWindows
}

BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/../../src/Build/BuildTools.psm1"   # Get-PwshLauncher
    $repoRoot = (Resolve-Path "$PSScriptRoot/../..").ProviderPath
    $builtModule = Split-Path (Get-RrModulePath)
    $version = (Import-PowerShellDataFile (Get-RrModulePath)).ModuleVersion
    $readme = Get-Content -Raw (Join-Path $repoRoot 'README.md')

    # The first ```powershell block of the README that contains $Marker.
    function Get-ReadmeSnippet([string] $Marker) {
        $snippet = [regex]::Matches($readme, '(?s)```powershell\r?\n(.*?)```').ForEach({ $_.Groups[1].Value }) |
            Where-Object { $_.Contains($Marker) } | Select-Object -First 1
        if (-not $snippet) { throw "The README has no powershell block with '$Marker'." }
        $snippet
    }

    # Runs -Command (or -File) in a fresh pwsh whose home folder is $HomeFolder and whose PSModulePath holds only
    # PowerShell's own modules (pwsh adds the user's module folder, under that home); returns its output.
    function Invoke-FreshPwsh {
        param([string] $HomeFolder, [string] $Command, [string] $File, [string[]] $ArgumentList = @())
        $launcher = Get-PwshLauncher
        $names = 'HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'PSModulePath'
        $saved = @{}
        foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        try {
            $env:HOME = $HomeFolder
            $env:XDG_DATA_HOME = Join-Path $HomeFolder '.local/share'
            $env:XDG_CONFIG_HOME = Join-Path $HomeFolder '.config'
            $env:XDG_CACHE_HOME = Join-Path $HomeFolder '.cache'
            $env:PSModulePath = Join-Path $PSHOME 'Modules'
            # .NET reports a special folder that does not exist as '' (PSResourceGet keeps its settings in one).
            foreach ($folder in $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME, $env:XDG_CACHE_HOME) { $null = New-Item -ItemType Directory -Force -Path $folder }
            $what = if ($File) { @('-File', $File) + $ArgumentList } else { @('-Command', $Command) }
            $output = & $launcher.FilePath @($launcher.Arguments) -NoProfile -NonInteractive @what 2>&1 | ForEach-Object { "$_" }
            if ($LASTEXITCODE -ne 0) { throw "The child pwsh failed ($LASTEXITCODE): $($output -join "`n")" }
            $output
        }
        finally {
            foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }

    # What a thread job and a parallel runspace run: a cmdlet that needs no service (the fixed vector of Webhook.Tests).
    $script:UseTheCmdlets = @'
$key = ConvertTo-SecureString 'dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm' -AsPlainText -Force
Test-RrWebhookSignature -Body '{"category":"rsl"}' -Timestamp '2024-01-12T09:23:08.4863561Z' -Signature '3FffCwQsV7O1YxJW9F4w177GIhVCMZCBkbdCHJOkiBs=' `
    -EndpointUri 'https://example.com/hooks/rh' -SigningKey $key -SkipClockSkewCheck
'@
}

Describe 'Installing the package with Install-PSResource' -Skip:(-not $homeCanMove) {
    BeforeAll {
        $homeFolder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'home')
        $package = Join-Path $TestDrive 'package'
        # The package exactly as `build.ps1 Package` makes it.
        $null = Invoke-FreshPwsh -HomeFolder $homeFolder -File (Join-Path $repoRoot 'src/Build/Publish-ModulePackage.ps1') `
            -ArgumentList '-ModuleFolder', $builtModule, '-OutputFolder', $package, '-Version', $version

        # The README's commands, run from the repository root, with the package folder of this test run.
        $install = (Get-ReadmeSnippet 'Install-PSResource') -split '\r?\n' | Where-Object { $_ -notmatch '^\s*dotnet ' }
        $install = ($install -join "`n").Replace('./out/package', "'$package'")
        $installed = Invoke-FreshPwsh -HomeFolder $homeFolder -Command @"
`$ErrorActionPreference = 'Stop'
Set-Location '$repoRoot'
$install
`$resource = Get-InstalledPSResource -Name ReturnsHelper
"`$(`$resource.Version)|`$(`$resource.InstalledLocation)"
"@
        $installedVersion, $installedLocation = ($installed | Select-Object -Last 1) -split '\|'
    }

    It 'installs the version of the manifest under the user module folder' {
        $installedVersion | Should -Be $version
        $installedLocation | Should -BeLike "$homeFolder*"
        Join-Path $installedLocation "ReturnsHelper/$version/ReturnsHelper.psd1" | Should -Exist
    }

    It 'imports by name in a fresh pwsh' {
        $output = Invoke-FreshPwsh -HomeFolder $homeFolder -Command @'
Import-Module ReturnsHelper -ErrorAction Stop
(Get-Module ReturnsHelper).Version.ToString()
(Get-Module ReturnsHelper).ModuleBase
'@
        $output[0] | Should -Be $version
        $output[1] | Should -BeLike "$installedLocation*"
    }

    It 'autoloads on the first use of a cmdlet, without Import-Module' {
        $output = Invoke-FreshPwsh -HomeFolder $homeFolder -Command @"
@(Get-Module ReturnsHelper).Count
$UseTheCmdlets
(Get-Module ReturnsHelper).Name
"@
        $output | Should -Be '0', 'True', 'ReturnsHelper'
    }

    It 'runs the cmdlets in Start-ThreadJob and ForEach-Object -Parallel script blocks' {
        # The job imports by name, as the README shows; the parallel runspaces autoload.
        $output = Invoke-FreshPwsh -HomeFolder $homeFolder -Command @"
Start-ThreadJob { Import-Module ReturnsHelper -ErrorAction Stop; "job: `$(
$UseTheCmdlets
)" } | Receive-Job -Wait -AutoRemoveJob
1, 2 | ForEach-Object -Parallel { "parallel: `$(
$UseTheCmdlets
)" }
"@
        $output | Should -Be 'job: True', 'parallel: True', 'parallel: True'
    }
}

Describe 'Copying the built folder into a folder of PSModulePath' -Skip:(-not $homeCanMove) {
    BeforeAll {
        $homeFolder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'copy-home')
        # The README's copy snippet, with the built folder of this test run.
        $copy = (Get-ReadmeSnippet 'Copy-Item ./out/ReturnsHelper').Replace('./out/ReturnsHelper', "'$builtModule'")
        $null = Invoke-FreshPwsh -HomeFolder $homeFolder -Command "`$ErrorActionPreference = 'Stop'`n$copy"
    }

    It 'autoloads the copied module in a fresh pwsh' {
        $output = Invoke-FreshPwsh -HomeFolder $homeFolder -Command @"
$UseTheCmdlets
(Get-Module ReturnsHelper).ModuleBase
"@
        $output[0] | Should -Be 'True'
        $output[1] | Should -BeLike "$homeFolder*ReturnsHelper"
    }
}
