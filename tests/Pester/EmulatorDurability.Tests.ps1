# The emulator keeps its word with --state-file: it is killed (SIGKILL on Linux and macOS, TerminateProcess on
# Windows) in the middle of a New-RrRecall run and restarted on the same state file and port; every recall the
# client received (output and ledger) must still be there, the same, and no recall id may be handed out twice.
#
# RR_TEST_FULL=1 runs it at the size of the issue's run (10,000 ids); the suite runs 2,000.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:Count = if ($env:RR_TEST_FULL -eq '1') { 10000 } else { 2000 }
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "rr-durability-tests-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $Work

    function Start-StatefulEmulator([string] $StateFile, [int] $Port = 0) {
        # Start-RrTestEmulator passes --port 0 first; a later --port wins.
        Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0', '--state-file', $StateFile, '--port', $Port
    }

    # "recallId|recallNumber|sorted inventory ids": one string per recall, so a difference names itself.
    function Get-RecallFingerprint([long] $RecallId, [string] $RecallNumber, [long[]] $InventoryIds) {
        "$RecallId|$RecallNumber|$((@($InventoryIds) | Sort-Object) -join ',')"
    }
}

AfterAll {
    Stop-RrTestEmulator $script:first
    Stop-RrTestEmulator $script:second
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'An emulator killed during New-RrRecall' {
    It 'still holds every recall it acknowledged after a restart, and never issues a recall id twice' {
        $stateFile = Join-Path $Work 'state.json'
        $script:first = Start-StatefulEmulator $stateFile
        $port = ([uri]$first.BaseAddress).Port
        $ids = New-RrTestInventory -Emulator $first -Count $Count
        # One attempt per call: once the emulator is gone, the remaining batches fail at once instead of retrying.
        $session = Connect-RrService -BaseUri $first.UserApiBase -ApiKey $first.ApiKey -ApiToken $first.ApiToken `
            -LedgerPath (Join-Path $Work 'ledger') -MaxAttempts 1 -PassThru -WarningAction SilentlyContinue

        # Killed from inside the pipeline when half the ids have been handed to New-RrRecall: earlier batches are
        # answered or in flight, none after it can be answered.
        $killAt = $ids[[int]($Count / 2)]
        $received = @($ids | ForEach-Object { if ($_ -eq $killAt) { $first.Process.Kill() }; $_ } |
                New-RrRecall -Session $session -ErrorAction SilentlyContinue -ErrorVariable failedInRun)
        $null = $first.Process.WaitForExit(10000)
        Stop-RrTestEmulator $first

        $received.Count | Should -BeGreaterThan 0 -Because 'the kill comes after some batches were answered'
        $failedInRun.Count | Should -BeGreaterThan 0 -Because 'the kill comes before the run ends'

        $script:second = Start-StatefulEmulator $stateFile -Port $port
        $byId = @{}
        foreach ($recall in Invoke-RrEmulatorControl -Emulator $second -Path 'recalls') {
            $byId[[long]$recall.recallId] = Get-RecallFingerprint $recall.recallId $recall.recallNumber @($recall.recallInventoryList.returnInventoryId)
        }
        $ledger = @(Get-RrRecall -Session $session)
        $ledger.Count | Should -BeGreaterOrEqual $received.Count -Because 'New-RrRecall records a recall before writing it'
        $acknowledged = @($received) + $ledger
        foreach ($recall in $acknowledged) {
            $byId[$recall.RecallId] | Should -Be (Get-RecallFingerprint $recall.RecallId $recall.RecallNumber @($recall.RecallInventoryList.ReturnInventoryId)) `
                -Because "recall $($recall.RecallNumber) was acknowledged before the kill"
        }

        # The rerun (same ledger) recalls the rest: ids issued after the restart must not repeat earlier ones.
        $rerun = @($ids | New-RrRecall -Session $session -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $everyRecall = @($acknowledged) + @($rerun) + @(Get-RrRecall -Session $session)
        foreach ($group in $everyRecall | Group-Object RecallId) {
            @($group.Group | ForEach-Object RecallNumber | Sort-Object -Unique) | Should -HaveCount 1 `
                -Because "recall id $($group.Name) stands for one recall only"
        }
        $active = Get-RrTestActiveRecalledId -Emulator $second
        $active.Count | Should -Be $Count -Because 'every id is recalled once in the end'
        @($active | Sort-Object -Unique).Count | Should -Be $Count
    }
}
