#Requires -Version 7.2
<#
.SYNOPSIS
Packs a built module folder into <Name>.<Version>.nupkg with PSResourceGet and checks that it installs.

.DESCRIPTION
Publish-PSResource only publishes to a registered repository, so this registers a temporary local
folder repository under a unique name, publishes there, saves the package back from it into a temp folder
(the same download-and-extract path Install-PSResource uses) and checks the saved manifest, then copies the
.nupkg to -OutputFolder. The temporary registration is always removed; if PSResourceGet's configuration folder
did not exist before, it is removed too, so the user's PSResourceGet configuration ends up unchanged.
Run it in a child pwsh: publishing validates the module manifest, which can load the module.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleFolder,
    [Parameter(Mandatory)] [string] $OutputFolder,
    [Parameter(Mandatory)] [string] $Version
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Import-Module Microsoft.PowerShell.PSResourceGet

$moduleName = Split-Path -Leaf $ModuleFolder
$work = Join-Path ([IO.Path]::GetTempPath()) "rr-package-$([guid]::NewGuid().ToString('n'))"
$repositoryFolder = New-Item -ItemType Directory -Path (Join-Path $work 'repository')
$saveFolder = New-Item -ItemType Directory -Path (Join-Path $work 'saved')
$repositoryName = "ReturnsHelperBuild-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
# PSResourceGet keeps its repository list here; if registering creates the folder, it goes again afterwards.
$configFolder = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet'
$configExisted = Test-Path -LiteralPath $configFolder

try {
    Register-PSResourceRepository -Name $repositoryName -Uri $repositoryFolder.FullName -Trusted
    Publish-PSResource -Path $ModuleFolder -Repository $repositoryName

    $package = Get-ChildItem -LiteralPath $repositoryFolder.FullName -Filter "$moduleName.*.nupkg" | Select-Object -First 1
    if (-not $package) { throw "Publish-PSResource wrote no $moduleName package to $($repositoryFolder.FullName)." }

    $found = Find-PSResource -Name $moduleName -Repository $repositoryName
    if ("$($found.Version)" -ne $Version) { throw "The repository offers $moduleName $($found.Version), expected $Version." }
    Save-PSResource -Name $moduleName -Version $Version -Repository $repositoryName -Path $saveFolder.FullName -TrustRepository
    $savedManifest = Get-ChildItem -LiteralPath $saveFolder.FullName -Filter "$moduleName.psd1" -Recurse | Select-Object -First 1
    if (-not $savedManifest) { throw "Saving $moduleName from the package produced no $moduleName.psd1." }
    $savedFiles = @(Get-ChildItem -LiteralPath $savedManifest.DirectoryName -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($savedManifest.DirectoryName, $_.FullName) -replace '\\', '/' })
    $expectedFiles = @(Get-ChildItem -LiteralPath $ModuleFolder -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($ModuleFolder, $_.FullName) -replace '\\', '/' })
    $missing = @($expectedFiles | Where-Object { $_ -notin $savedFiles })
    if ($missing) { throw "The installed package lacks: $($missing -join ', ')." }
    $null = Test-ModuleManifest -Path $savedManifest.FullName

    $null = New-Item -ItemType Directory -Force -Path $OutputFolder
    $target = Join-Path $OutputFolder "$moduleName.$Version.nupkg"
    Copy-Item -LiteralPath $package.FullName -Destination $target -Force
    Write-Host "Package: $target ($([Math]::Round((Get-Item -LiteralPath $target).Length / 1KB)) KB); verified by Find-PSResource and Save-PSResource ($($savedFiles.Count) files)."
}
finally {
    Unregister-PSResourceRepository -Name $repositoryName -ErrorAction SilentlyContinue
    if (-not $configExisted) { Remove-Item -LiteralPath $configFolder -Recurse -Force -ErrorAction SilentlyContinue }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
