# The demos of build.ps1 Demo run as a reader runs them: a fresh pwsh with the built module and emulator. Each starts
# its own emulator, so nothing here shares one.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/../../src/Build/BuildTools.psm1"   # Get-PwshLauncher
    $script:DemoFolder = Join-Path $PSScriptRoot '../../src/Demo'

    # Runs a demo script in a fresh, non-interactive pwsh (a prompt would fail it) and returns its exit code and console.
    function Invoke-DemoScript([string] $Name, [string] $EmulatorPath = (Get-RrEmulatorPath)) {
        $launcher = Get-PwshLauncher
        $start = [Diagnostics.ProcessStartInfo]::new($launcher.FilePath)
        $arguments = @($launcher.Arguments) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $DemoFolder $Name),
            '-ModulePath', (Get-RrModulePath), '-EmulatorPath', $EmulatorPath)
        foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
        $start.UseShellExecute = $false
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.Environment['NO_COLOR'] = '1'
        # As in a reader's console: not the test process's ledger folder (the demos keep their own).
        $null = $start.Environment.Remove('RR_LEDGER_PATH')
        $process = [Diagnostics.Process]::Start($start)
        try {
            $process.StandardInput.Close()
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            # A bound for a hung demo, not a performance assertion.
            if (-not $process.WaitForExit(300000)) { $process.Kill($true); throw "$Name did not end within 300 s. Console: $($stdout.Result)" }
            $process.WaitForExit()
            [pscustomobject]@{ ExitCode = $process.ExitCode; Console = "$($stdout.Result)$($stderr.Result)" }
        }
        finally { $process.Dispose() }
    }
}

Describe 'The recall demo (build.ps1 Demo)' {
    It 'runs every step and exits 0' {
        $run = Invoke-DemoScript 'Invoke-Demo.ps1'
        $run.Console | Should -Not -Match 'Demo failed'
        $run.ExitCode | Should -Be 0 -Because $run.Console
        $run.Console | Should -Match '== 9\. Changed your mind'
        $run.Console | Should -Match 'PS> Stop-RrRecall -RecallId \$number'
    }
}

Describe 'The decision demo (build.ps1 Demo -Name Decision)' {
    BeforeAll { $script:run = Invoke-DemoScript 'Invoke-DecisionDemo.ps1' }

    It 'runs every step and exits 0' {
        $run.Console | Should -Not -Match 'Demo failed'
        $run.ExitCode | Should -Be 0 -Because $run.Console
        $run.Console | Should -Match '== Done'
        $run.Console | Should -Not -Match 'WARNING'
    }

    It 'prints the commands of the decision flow it runs' {
        foreach ($command in 'Get-RrInventory -HandlingCode ohd', 'New-RrVasRequest -Service req-pic', '/_emulator|\$control/vas/', 'Get-RrVas -Status successful',
            'New-RrRecall', 'Get-RrResendQuote', 'New-RrResend -ServiceType', 'Set-RrInventoryHandling -HandlingCode dis', 'Get-RrBalance') {
            $run.Console | Should -Match "PS> .*$command" -Because "the demo shows $command"
        }
    }

    It 'shows the refusal while VAS is pending, the photo results, and what became of each parcel' {
        $run.Console | Should -Match 'Error\s+: RrApi\.PendingVas'
        $run.Console | Should -Match 'Like new, box sealed\s+2'
        $run.Console | Should -Match 'RCL\d{6}-\d+\s+pending'
        $run.Console | Should -Match 'ResendNumber\s+: RSD\d{6}-\d+'
        @([regex]::Matches($run.Console, '(?m)^\s+\d+ (rtn|rsd|dis)\s+pending')).Count | Should -Be 6
        # The fee depends on the parcel's weight, which the emulator makes up.
        $run.Console -match 'Charged: (?<charged>\d+\.\d+) usd \(the quote said (?<quoted>\d+\.\d+)\)' | Should -BeTrue -Because 'the demo shows the fee charged'
        [decimal]$Matches.charged | Should -BeGreaterThan 0
        [decimal]$Matches.charged | Should -Be ([decimal]$Matches.quoted)
    }

    It 'exits 1 with the reason when a step fails' {
        $failed = Invoke-DemoScript 'Invoke-DecisionDemo.ps1' -EmulatorPath (Join-Path $TestDrive 'missing/ReturnsHelper.Emulator.dll')
        $failed.ExitCode | Should -Be 1
        $failed.Console | Should -Match 'Demo failed: The emulator is missing'
    }
}
