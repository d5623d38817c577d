# Helpers shared by build.ps1, the build scripts in this folder and the benchmarks.
Set-StrictMode -Version Latest

function Get-PwshLauncher {
    <#
    .SYNOPSIS
    Returns how to start a child pwsh exactly like the current one: FilePath plus leading Arguments.
    .DESCRIPTION
    Under `dotnet pwsh` (the repo's local tool) the process is the dotnet host running pwsh.dll,
    so the child is `dotnet <PSHOME>/pwsh.dll`; calling the dll directly skips the tool-manifest lookup
    of `dotnet pwsh` and works from any working directory. Under an installed pwsh the process
    itself is the pwsh executable.
    #>
    [CmdletBinding()]
    param()
    $processPath = [Environment]::ProcessPath
    $processName = [IO.Path]::GetFileNameWithoutExtension($processPath)
    if ($processName -eq 'dotnet') {
        $pwshDll = Join-Path $PSHOME 'pwsh.dll'
        if (-not (Test-Path -LiteralPath $pwshDll)) { throw "Cannot find pwsh.dll in '$PSHOME'." }
        return [pscustomobject]@{ FilePath = $processPath; Arguments = @($pwshDll) }
    }
    if ($processName -ne 'pwsh') {
        throw "Run this script with PowerShell 7 (dotnet pwsh), not '$processPath'."
    }
    [pscustomobject]@{ FilePath = $processPath; Arguments = @() }
}

function Get-DotnetHostPath {
    <# The dotnet host that runs this process if there is one (so children use the same SDK/runtime), else 'dotnet' from PATH. #>
    [CmdletBinding()]
    param()
    if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { return [Environment]::ProcessPath }
    if ($env:DOTNET_HOST_PATH -and (Test-Path -LiteralPath $env:DOTNET_HOST_PATH)) { return $env:DOTNET_HOST_PATH }
    'dotnet'
}

function Invoke-PwshChild {
    <#
    .SYNOPSIS
    Runs a script in a fresh pwsh process, streaming its output to the host, and returns its exit code.
    .DESCRIPTION
    A binary module cannot be unloaded, so anything that imports the built module (help generation,
    Pester, benchmarks, the demo) runs in its own process. Environment entries are set only for the child.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $File,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory = (Get-Location).ProviderPath,
        # The demo may prompt; everything else must never wait for input.
        [switch] $Interactive
    )
    $launcher = Get-PwshLauncher
    $pwshArgs = @($launcher.Arguments) + @('-NoProfile', '-NoLogo')
    if (-not $Interactive) { $pwshArgs += '-NonInteractive' }
    $pwshArgs += @('-File', $File) + $ArgumentList

    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, [string]$Environment[$name])
    }
    Push-Location -LiteralPath $WorkingDirectory
    try {
        # Out-Host streams the child's lines as they come instead of returning them as this function's output.
        & $launcher.FilePath @pwshArgs | Out-Host
        $LASTEXITCODE
    }
    finally {
        Pop-Location
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

Export-ModuleMember -Function Get-PwshLauncher, Get-DotnetHostPath, Invoke-PwshChild
