# The systemd recipe of about_ReturnsHelper (WEBHOOK SERVICE) is run as written: its ExecStart line and Environment=
# lines are read from the built about topic (so the docs cannot drift from what is tested), unquoted as systemd does,
# given this test's paths, port and emulator, started in a process group of its own under a timeout, probed, sent one
# event, and stopped with SIGTERM to the whole group as systemd does.
BeforeDiscovery {
    $script:IsUnix = -not $IsWindows
}

BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:KeyText = 'dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm'
    $script:emulator = Start-RrTestEmulator

    # systemd's reading of a unit line: a trailing backslash joins the next line (with a space); words are split on
    # white space, "double" and 'single' quotes group, $$ is a literal $. (The recipe uses nothing else of its syntax.)
    function ConvertFrom-UnitCommandLine([string] $Line) {
        if ($Line -match '(?<!\$)\$(?!\$)') { throw "The unit line uses systemd variable expansion, which this test does not model: $Line" }
        $words = [Collections.Generic.List[string]]::new()
        foreach ($m in [regex]::Matches($Line, '"(?<q>[^"]*)"|''(?<s>[^'']*)''|(?<w>[^\s"'']+)')) {
            $words.Add(($m.Groups['q'].Success ? $m.Groups['q'].Value : $m.Groups['s'].Success ? $m.Groups['s'].Value : $m.Groups['w'].Value).Replace('$$', '$'))
        }
        , $words.ToArray()
    }

    function Get-UnitSetting([string[]] $Lines, [string] $Name) {
        $joined = [Collections.Generic.List[string]]::new()
        $current = $null
        foreach ($line in $Lines) {
            $text = $line.Trim()
            $current = if ($null -ne $current) { "$current $text" } else { $text }
            if ($current.EndsWith('\')) { $current = $current.Substring(0, $current.Length - 1).TrimEnd(); continue }
            $joined.Add($current)
            $current = $null
        }
        $joined | Where-Object { $_ -like "$Name=*" } | ForEach-Object { $_.Substring($Name.Length + 1) }
    }

    # Replaces a literal the recipe must contain: a recipe that no longer has it fails here, loudly.
    function Set-Literal([string] $Text, [string] $Literal, [string] $Value) {
        if (-not $Text.Contains($Literal)) { throw "The recipe no longer contains '$Literal'; update this test with it." }
        $Text.Replace($Literal, $Value)
    }
}

AfterAll {
    Stop-RrTestEmulator $emulator
}

Describe 'The systemd recipe of about_ReturnsHelper' -Skip:(-not $IsUnix) {
    It 'starts from its ExecStart line, answers the health probe, recalls a delivered event and stops cleanly on SIGTERM' {
        $topic = Join-Path (Split-Path -Parent (Get-RrModulePath)) 'en-US/about_ReturnsHelper.help.txt'
        $lines = Get-Content -LiteralPath $topic
        $first = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l.Trim() -eq '[Unit]' })
        $last = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l.Trim() -like 'WantedBy=*' })
        $first | Should -BeGreaterThan 0 -Because 'the about topic has a systemd unit'
        $unit = $lines[$first..$last]
        $execStart = @(Get-UnitSetting $unit 'ExecStart')
        $execStart | Should -HaveCount 1
        (Get-UnitSetting $unit 'Restart') | Should -Be 'on-failure'
        [int](Get-UnitSetting $unit 'TimeoutStopSec') | Should -BeGreaterThan 10 -Because 'a stop needs a few seconds to close the listener and files'

        $argv = ConvertFrom-UnitCommandLine $execStart[0]
        $argv[0] | Should -Be '/usr/bin/pwsh'
        $argv[1..3] | Should -Be @('-NoProfile', '-NonInteractive', '-Command')
        $argv | Should -HaveCount 5 -Because 'the script is one quoted argument'

        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/hooks/rh"
        foreach ($folder in 'etc', 'lib', 'log') { $null = New-Item -ItemType Directory -Path (Join-Path $TestDrive $folder) }
        Set-Content -LiteralPath (Join-Path $TestDrive 'etc/api-token') -Value 'emulator-token'
        Set-Content -LiteralPath (Join-Path $TestDrive 'etc/signing-keys') -Value $KeyText
        $script = $argv[4]
        $script = Set-Literal $script '/etc/returnshelper/' "$TestDrive/etc/"
        $script = Set-Literal $script '/var/lib/returnshelper/' "$TestDrive/lib/"
        $script = Set-Literal $script '/var/log/returnshelper/' "$TestDrive/log/"
        $script = Set-Literal $script '-Port 8080' "-Port $port"
        $script = Set-Literal $script 'https://hooks.example.com/returnhelper' $endpoint

        $start = [Diagnostics.ProcessStartInfo]::new('setsid')
        foreach ($arg in @((Join-Path $PSHOME 'pwsh')) + $argv[1..3] + $script) { $start.ArgumentList.Add($arg) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        $values = @{ RR_API_KEY = $emulator.ApiKey; RR_BASE_URI = $emulator.UserApiBase; RR_LEDGER_PATH = (Join-Path $TestDrive 'lib/ledger') }
        foreach ($setting in Get-UnitSetting $unit 'Environment') {
            $name = $setting.Split('=')[0]
            $values.ContainsKey($name) | Should -BeTrue -Because "the test gives every variable of the recipe a value ($name)"
            $start.Environment[$name] = $values[$name]
        }
        # "Install the module for all users": here, the built module's folder on the module path.
        $modules = Split-Path -Parent (Split-Path -Parent (Get-RrModulePath))
        $start.Environment['PSModulePath'] = $modules + [IO.Path]::PathSeparator + $env:PSModulePath

        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 0 }
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks' -Body @{ url = $endpoint; signingKey = $KeyText }
        $service = [Diagnostics.Process]::Start($start)
        $stdout = $service.StandardOutput.ReadToEndAsync()
        $stderr = $service.StandardError.ReadToEndAsync()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            $health = $null
            while (-not $health) {
                if ($service.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "The service did not answer its health probe. stderr: $($stderr.Result)" }
                try { $health = Invoke-RestMethod "http://127.0.0.1:$port/health" -NoProxy -TimeoutSec 5 } catch { Start-Sleep -Milliseconds 200 }
            }
            $health.status | Should -Be 'ok'
            $health.processing.backlog | Should -Be 0

            $id = New-RrTestInventory -Emulator $emulator
            while ($health.processing.processed -lt 1) {
                if ($service.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "The event was not processed: $($health | ConvertTo-Json -Compress)" }
                Start-Sleep -Milliseconds 200
                $health = Invoke-RestMethod "http://127.0.0.1:$port/health" -NoProxy -TimeoutSec 5
            }

            & kill -TERM -- "-$($service.Id)"   # the process group, as systemd signals the unit's processes
            $service.WaitForExit(30000) | Should -BeTrue -Because 'TimeoutStopSec would kill it otherwise'
            $service.ExitCode | Should -BeIn @(0, 143) -Because "a SIGTERM stop is clean. stderr: $($stderr.Result)"
        }
        finally {
            if (-not $service.HasExited) { & kill -KILL -- "-$($service.Id)"; $service.WaitForExit(10000) | Out-Null }
        }

        $stderr.Result | Should -BeNullOrEmpty
        $journal = Join-Path $TestDrive 'lib/events.jsonl'
        @(ConvertFrom-RrWebhook -Path $journal).ReturnInventoryId | Should -Be $id
        Get-RrWebhookBacklog -Path $journal | Should -BeNullOrEmpty
        Get-RrTestActiveRecalledId -Emulator $emulator | Should -Be $id
        $log = @(Get-Content -LiteralPath (Join-Path $TestDrive 'log/receiver.log'))
        $log[0] | Should -Match 'INFO Listening on '
        $log[-1] | Should -Match 'INFO Stopped: 1 events, 0 duplicates dropped, no deliveries refused\. The command was stopped \(Ctrl\+C or a stop signal\)\.$'
    }
}
