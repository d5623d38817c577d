# Issue 13, Deliver 6: the webhook soak (tests/Pester/WebhookSoak.psm1). The suite runs 300 events with the token fixed
# 3 s after its rotation; RR_TEST_FULL=1 runs the issue's size (10,000 events, fixed a minute later), as
# tests/Benchmarks/WebhookSoak.Bench.ps1 does to print the figures.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/WebhookSoak.psm1" -Force
    Import-RrTestModule | Out-Null
    $full = $env:RR_TEST_FULL -eq '1'
    $script:result = Invoke-RrWebhookSoak -Count ($full ? 10000 : 300) -FixAfterSeconds ($full ? 60 : 3) -WorkFolder (Join-Path $TestDrive 'soak')
    $script:report = $result.Report
}

Describe 'The webhook soak' {
    It 'journals every genuine event exactly once and refuses every forged one' {
        $report.delivered | Should -Be $result.Count
        $report.duplicatesSent | Should -BeGreaterThan 0
        $result.JournaledEvents | Should -Be $result.Count -Because 'duplicates are dropped'
        $result.JournaledDistinct | Should -Be $result.Count
        $result.JournaledSoakIds | Should -Be $result.Count
        $report.forgedSent | Should -BeGreaterThan 0
        $report.forgedRefused | Should -Be $report.forgedSent
        $result.JournaledForged | Should -Be 0
        $result.LastHealth.refused.SignatureMismatch | Should -Be $report.forgedSent
    }

    It 'cuts every stalled connection off without holding back genuine deliveries' {
        $report.stalledOpened | Should -BeGreaterThan 0
        $report.stalledCutOff | Should -Be $report.stalledOpened
        $report.stalledNotCut | Should -Be 0
        $result.LastHealth.refused.TooSlow | Should -Be $report.stalledOpened
        $result.LastHealth.refused.PSObject.Properties.Name | Should -Not -Contain 'Busy'
    }

    It 'recalls every new inventory exactly once through a token rotation fixed without a restart' {
        $report.tokenRotatedAt | Should -Not -BeNullOrEmpty
        $result.DegradedSeen | Should -BeTrue -Because 'recalls failed with 401 between the rotation and the fix'
        $report.recalled | Should -Be $result.Count
        $result.RecalledOnce | Should -Be $result.Count
        $result.RecalledMoreThanOnce | Should -Be 0
        $result.Backlog | Should -Be 0
        $result.FailedPermanently | Should -Be 0
        $result.LastHealth.processing.processed | Should -Be $result.Count
        $result.LastHealth.status | Should -Be 'ok'
    }

    It 'never stopped the receiver, which then stopped cleanly on SIGTERM' {
        $result.ReceiverNeverStopped | Should -BeTrue
        $result.StoppedCleanly | Should -BeTrue
        $result.StdErr | Should -BeNullOrEmpty
        @($result.Log | Where-Object { $_ -match 'WARNING Processing the webhook event .*401' }) | Should -HaveCount 1 -Because 'one outage, one warning'
        @($result.Log | Where-Object { $_ -match 'The API token file changed: retrying' }) | Should -Not -BeNullOrEmpty
        $result.Log[-1] | Should -Match "INFO Stopped: $($result.Count) events, \d+ duplicates dropped, \d+ deliveries refused"
        "$($result.Log)" | Should -Not -Match 'rotated-token|emulator-token'
    }
}
