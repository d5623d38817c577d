# Helpers shared by build.ps1, the build scripts in this folder, the demo, the Pester helpers and the benchmarks.
Set-StrictMode -Version Latest

function Write-BuildStep([string] $Message) {
    <# The "==> step" line of build.ps1 and the test runner. #>
    Write-Host "==> $Message" -ForegroundColor Cyan
}

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

function Invoke-Process {
    <#
    .SYNOPSIS
    Runs a program on this console (same stdin/stdout/stderr: it keeps its colours, width and Ctrl+C) and returns its exit code.
    .DESCRIPTION
    Environment entries are added for the child only; arguments are passed as a list, so spaces need no quoting.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory = (Get-Location).ProviderPath
    )
    $startInfo = [Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) { $startInfo.ArgumentList.Add($argument) }
    foreach ($name in $Environment.Keys) { $startInfo.Environment[$name] = [string]$Environment[$name] }
    $startInfo.UseShellExecute = $false
    $startInfo.WorkingDirectory = $WorkingDirectory
    $process = [Diagnostics.Process]::Start($startInfo)
    try {
        $process.WaitForExit()
        $process.ExitCode
    }
    finally { $process.Dispose() }
}

function Invoke-PwshChild {
    <#
    .SYNOPSIS
    Runs a script in a fresh pwsh process on this console and returns its exit code.
    .DESCRIPTION
    A binary module cannot be unloaded, so anything that imports the built module (help generation,
    Pester, benchmarks, the demo) runs in its own process.
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
    Invoke-Process -FilePath $launcher.FilePath -ArgumentList $pwshArgs -Environment $Environment -WorkingDirectory $WorkingDirectory
}

# Emulators started by any copy of this module in this process (it may be imported more than once, or with -Force),
# so a runner can stop the ones a script forgot: Stop-RrEmulatorProcess -All.
$script:EmulatorRegistryKey = 'ReturnsHelper.EmulatorProcesses'
if (-not [AppDomain]::CurrentDomain.GetData($script:EmulatorRegistryKey)) {
    [AppDomain]::CurrentDomain.SetData($script:EmulatorRegistryKey, [Collections.Generic.List[Diagnostics.Process]]::new())
}

function Stop-EmulatorProcessCore([Diagnostics.Process] $Process) {
    try {
        if (-not $Process.HasExited) {
            $Process.Kill($true)
            $null = $Process.WaitForExit(10000)
        }
    }
    catch [InvalidOperationException] { }   # already gone
    $null = [AppDomain]::CurrentDomain.GetData($script:EmulatorRegistryKey).Remove($Process)
    $Process.Dispose()
}

function Start-RrEmulatorProcess {
    <#
    .SYNOPSIS
    Starts `dotnet <EmulatorPath> <Arguments>` in the background and waits until it prints "Listening on http://127.0.0.1:<port>".
    .DESCRIPTION
    Returns Process, BaseAddress (http://127.0.0.1:<port>), UserApiBase (<BaseAddress>/uat/user/api),
    ListeningLine, CommandLine and StdErr (a task that completes with everything the emulator wrote to stderr).
    stdout and stderr are redirected: the emulator never writes into the caller's console, and stdout keeps
    being drained so it never blocks on a full pipe. Throws, with the emulator's output, when it exits or does not
    listen within -TimeoutSeconds. Stop it with Stop-RrEmulatorProcess.
    .EXAMPLE
    $emulator = Start-RrEmulatorProcess -EmulatorPath out/emulator/ReturnsHelper.Emulator.dll -Arguments '--port', '0'
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $EmulatorPath,
        [string[]] $Arguments = @(),
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 30
    )
    if (-not (Test-Path -LiteralPath $EmulatorPath)) { throw "The emulator is missing at '$EmulatorPath'. Run: dotnet pwsh ./build.ps1 Build" }
    $EmulatorPath = (Resolve-Path -LiteralPath $EmulatorPath).ProviderPath
    $startInfo = [Diagnostics.ProcessStartInfo]::new((Get-DotnetHostPath))
    foreach ($argument in @($EmulatorPath) + $Arguments) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    # Its own stdin, so it never competes with the caller for the console.
    $startInfo.RedirectStandardInput = $true
    $startInfo.WorkingDirectory = Split-Path -Parent $EmulatorPath
    $commandLine = "dotnet $EmulatorPath $($Arguments -join ' ')"

    $process = [Diagnostics.Process]::Start($startInfo)
    [AppDomain]::CurrentDomain.GetData($script:EmulatorRegistryKey).Add($process)
    $stderr = $process.StandardError.ReadToEndAsync()
    $stdoutLines = [Collections.Generic.List[string]]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $listeningLine = $null
    $failure = $null
    while (-not $listeningLine) {
        $remaining = $deadline - [DateTime]::UtcNow
        $read = $process.StandardOutput.ReadLineAsync()
        if ($remaining -le [TimeSpan]::Zero -or -not $read.Wait($remaining)) { $failure = "did not report 'Listening on' within $TimeoutSeconds s"; break }
        $line = $read.Result
        if ($null -eq $line) {
            $null = $process.WaitForExit(5000)
            $failure = "exited (exit code $(if ($process.HasExited) { $process.ExitCode } else { '?' })) before listening"
            break
        }
        $stdoutLines.Add($line)
        if ($line -match 'Listening on (?<address>http://127\.0\.0\.1:\d+)') { $listeningLine = $line; $baseAddress = $Matches.address }
    }
    if ($failure) {
        Stop-EmulatorProcessCore $process
        $errorText = if ($stderr.Wait(2000)) { $stderr.Result.Trim() } else { '' }
        throw "The emulator $failure.`nCommand: $commandLine`nstdout:`n$($stdoutLines -join "`n")`nstderr:`n$errorText"
    }
    $null = $process.StandardOutput.BaseStream.CopyToAsync([IO.Stream]::Null)   # keep draining

    [pscustomobject]@{
        PSTypeName    = 'ReturnsHelper.EmulatorProcess'
        Process       = $process
        BaseAddress   = $baseAddress
        UserApiBase   = "$baseAddress/uat/user/api"
        ListeningLine = $listeningLine
        CommandLine   = $commandLine
        StdErr        = $stderr
    }
}

function Stop-RrEmulatorProcess {
    <#
    .SYNOPSIS
    Stops an emulator started by Start-RrEmulatorProcess ($null is ignored, so cleanup code needs no check).
    With -All, stops every emulator this process started that still runs, and returns their process ids.
    #>
    [CmdletBinding(DefaultParameterSetName = 'One')]
    param(
        [Parameter(ParameterSetName = 'One', Position = 0, ValueFromPipeline)]
        [AllowNull()]
        [psobject] $Emulator,

        [Parameter(ParameterSetName = 'All', Mandatory)]
        [switch] $All
    )
    process {
        if ($All) {
            foreach ($process in @([AppDomain]::CurrentDomain.GetData($script:EmulatorRegistryKey))) {
                $running = -not $process.HasExited
                $id = $process.Id
                Stop-EmulatorProcessCore $process
                if ($running) { $id }
            }
        }
        elseif ($null -ne $Emulator -and $Emulator.Process) {
            Stop-EmulatorProcessCore $Emulator.Process
        }
    }
}

Export-ModuleMember -Function Write-BuildStep, Get-PwshLauncher, Get-DotnetHostPath, Invoke-Process, Invoke-PwshChild, Start-RrEmulatorProcess, Stop-RrEmulatorProcess
