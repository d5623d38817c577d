# The webhook soak of issue 13 (Deliver 6), shared by tests/Pester/WebhookSoak.Tests.ps1 (reduced size, asserts) and
# tests/Benchmarks/WebhookSoak.Bench.ps1 (full size, prints the figures): the emulator sends -Count newInventoryCreated
# events with duplicates, forged signatures and stalled connections mixed in (POST /_emulator/webhooks/soak) to
# Receive-RrWebhook -RecallNewInventory running in a pwsh of its own; midway the emulator rotates the API token, and
# -FixAfterSeconds later the token file of the receiver's session is rotated too (Connect-RrService -TokenPath), with
# no restart. Returns what happened; judging it is the caller's business.
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')
Import-Module (Join-Path $PSScriptRoot '../../src/Build/BuildTools.psm1')

function Invoke-RrWebhookSoak {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [int] $Count,
        [Parameter(Mandatory)] [double] $FixAfterSeconds,
        [Parameter(Mandatory)] [string] $WorkFolder,
        [int] $LatencyMs = 0,
        [int] $DuplicateEvery = 10,
        [int] $ForgedEvery = 20,
        [int] $Stalled = 4,
        [int] $TimeoutSeconds = 600
    )
    $keyText = 'c29hay1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm'
    $null = New-Item -ItemType Directory -Force -Path $WorkFolder
    $tokenPath = Join-Path $WorkFolder 'api-token'
    $keyPath = Join-Path $WorkFolder 'signing-keys'
    $journal = Join-Path $WorkFolder 'events.jsonl'
    $logPath = Join-Path $WorkFolder 'receiver.log'
    Set-Content -LiteralPath $tokenPath -Value 'emulator-token'
    Set-Content -LiteralPath $keyPath -Value $keyText
    $emulator = Start-RrTestEmulator -ExtraArgs '--latency-ms', "$LatencyMs"
    $receiver = $null
    try {
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 0 }
        $port = Get-RrTestFreePort
        $endpoint = "http://127.0.0.1:$port/hooks/rh"
        $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks' -Body @{ url = $endpoint; signingKey = $keyText }

        # The receiver as a service would run it: its own process (group), token and key from files, a journal and a log.
        $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$(Get-RrModulePath)'; " +
            "Connect-RrService -BaseUri '$($emulator.UserApiBase)' -ApiKey '$($emulator.ApiKey)' -TokenPath '$tokenPath'; " +
            "Receive-RrWebhook -Port $port -SigningKeyPath '$keyPath' -EndpointUri '$endpoint' -Path '$journal' -LogPath '$logPath' -RecallNewInventory | Out-Null"
        $launcher = Get-PwshLauncher
        $start = [Diagnostics.ProcessStartInfo]::new('setsid')
        foreach ($argument in @($launcher.FilePath) + @($launcher.Arguments) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $start.ArgumentList.Add($argument) }
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $receiver = [Diagnostics.Process]::Start($start)
        $stderr = $receiver.StandardError.ReadToEndAsync()
        $null = $receiver.StandardOutput.ReadToEndAsync()
        $health = "http://127.0.0.1:$port/health"
        function Probe { try { Invoke-RestMethod -Uri $health -NoProxy -TimeoutSec 10 } catch { $null } }
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        function Assert-Running([string] $What) {
            if ($receiver.HasExited) { throw "The receiver stopped ($What), exit code $($receiver.ExitCode): $($stderr.Result)" }
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out $What." }
        }
        while (-not ($first = Probe)) { Assert-Running 'waiting for the health probe'; Start-Sleep -Milliseconds 100 }

        $soak = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'webhooks/soak' -Body @{
            count = $Count; duplicateEvery = $DuplicateEvery; forgedEvery = $ForgedEvery; stalled = $Stalled; maxStalledAtOnce = $Stalled
            newToken = 'rotated-token'; rotateTokenAfter = [int]($Count / 2)
        }
        while (-not ($report = Invoke-RrEmulatorControl -Emulator $emulator -Path 'webhooks/soak').tokenRotatedAt) {
            Assert-Running 'waiting for the token rotation'; Start-Sleep -Milliseconds 100
        }
        $degradedSeen = $false
        $fixAt = [DateTime]::UtcNow.AddSeconds($FixAfterSeconds)
        while ([DateTime]::UtcNow -lt $fixAt) {
            Assert-Running 'before the token fix'
            if ((Probe).status -eq 'degraded') { $degradedSeen = $true }
            Start-Sleep -Milliseconds 200
        }
        # The fix, as the about topic says: the new token in a new file, renamed over the old one.
        Set-Content -LiteralPath "$tokenPath.new" -Value 'rotated-token'
        Move-Item -LiteralPath "$tokenPath.new" -Destination $tokenPath -Force
        $fixedAt = [DateTime]::UtcNow

        do {
            Assert-Running 'waiting for every event to be recalled'
            Start-Sleep -Milliseconds 250
            $report = Invoke-RrEmulatorControl -Emulator $emulator -Path 'webhooks/soak'
            $now = Probe
        } until ($now -and $report.recalled -ge $Count -and $report.delivered -ge $Count -and $report.sideTrafficDone -and $now.processing.backlog -eq 0)
        $last = Probe
        $stillRunning = -not $receiver.HasExited

        & kill -TERM -- "-$($receiver.Id)"
        $stoppedCleanly = $receiver.WaitForExit(30000)

        $journaled = @(ConvertFrom-RrWebhook -Path $journal)
        $recalledIds = Get-RrTestActiveRecalledId -Emulator $emulator
        $soakIds = [Collections.Generic.HashSet[long]]::new([long[]]@($soak.returnInventoryIds))
        [pscustomobject]@{
            Count                  = $Count
            Report                 = $report
            FirstHealth            = $first
            LastHealth             = $last
            DegradedSeen           = $degradedSeen
            TokenFixedAt           = $fixedAt
            ReceiverNeverStopped   = $stillRunning -and $first.startedAt -eq $last.startedAt
            StoppedCleanly         = $stoppedCleanly -and $receiver.ExitCode -in 0, 143
            JournaledEvents        = $journaled.Count
            JournaledDistinct      = @($journaled.NotificationId | Sort-Object -Unique).Count
            JournaledSoakIds       = @($journaled.ReturnInventoryId | Where-Object { $soakIds.Contains($_) } | Sort-Object -Unique).Count
            JournaledForged        = @($journaled | Where-Object NotificationId -like 'FORGED*').Count
            Backlog                = @(Get-RrWebhookBacklog -Path $journal).Count
            FailedPermanently      = @(Get-RrWebhookBacklog -Path $journal -FailedPermanently).Count
            RecalledOnce           = @($recalledIds | Group-Object | Where-Object { $soakIds.Contains([long]$_.Name) -and $_.Count -eq 1 }).Count
            RecalledMoreThanOnce   = @($recalledIds | Group-Object | Where-Object Count -GT 1).Count
            Log                    = @(Get-Content -LiteralPath $logPath)
            StdErr                 = $stderr.Result
        }
    }
    finally {
        if ($receiver -and -not $receiver.HasExited) { & kill -KILL -- "-$($receiver.Id)"; $null = $receiver.WaitForExit(10000) }
        Stop-RrTestEmulator $emulator
    }
}

Export-ModuleMember -Function Invoke-RrWebhookSoak
