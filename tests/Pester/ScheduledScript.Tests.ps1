# The scheduled script of New-RrRecall's last help example, run as the scheduler runs it (pwsh -File, the module
# found through PSModulePath, credentials from RR_* variables): its exit codes, its files, and a safe rerun.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/../../src/Build/BuildTools.psm1"   # Get-PwshLauncher
    $null = Import-RrTestModule
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '0'

    # The example exactly as Get-Help shows it: the code of the last example in New-RrRecall.md.
    $help = Get-Content -Raw (Join-Path $PSScriptRoot '../../src/ReturnsHelper/Help/New-RrRecall.md')
    $lastExample = ($help -split '(?m)^### Example ')[-1]
    $script:exampleCode = [regex]::Match($lastExample, '(?s)```powershell\r?\n(.*?)```').Groups[1].Value
    $script:folder = Join-Path $TestDrive 'job'
    $null = New-Item -ItemType Directory -Path $folder
    Set-Content -LiteralPath (Join-Path $folder 'Recall-Returns.ps1') -Value $exampleCode

    # Runs the script in a fresh pwsh from $folder, with the module installed in a folder of PSModulePath;
    # returns the exit code.
    function Invoke-ScheduledScript([string] $Token = 'emulator-token') {
        $launcher = Get-PwshLauncher
        $saved = @{}
        $variables = @{
            RR_API_KEY   = $emulator.ApiKey
            RR_API_TOKEN = $Token
            RR_BASE_URI  = $emulator.UserApiBase
            PSModulePath = (Split-Path (Split-Path (Get-RrModulePath))) + [IO.Path]::PathSeparator + $env:PSModulePath
        }
        foreach ($name in $variables.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $variables[$name]) }
        Push-Location $folder
        try {
            $script:childOutput = & $launcher.FilePath @($launcher.Arguments) -NoProfile -NonInteractive -File ./Recall-Returns.ps1 2>&1 | ForEach-Object { "$_" -replace "\e\[[0-9;]*m" }
            $LASTEXITCODE
        }
        finally {
            Pop-Location
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }
    function Get-CreateCall { Get-RrTestApiCall -Emulator $emulator -PathLike 'createRecallByReturnInventoryId' }
}

AfterAll { Stop-RrTestEmulator $emulator }

Describe 'The scheduled script example of New-RrRecall' {
    BeforeEach {
        Reset-RrTestEmulator $emulator
        Get-ChildItem -LiteralPath $folder -Filter '*.csv' | Remove-Item
    }

    It 'is the one with $ErrorActionPreference = Stop and an exit code' {
        $exampleCode | Should -Match ([regex]::Escape("`$ErrorActionPreference = 'Stop'"))
        $exampleCode | Should -Match 'exit 2'
    }

    It 'recalls the good rows, writes the rejected ones to rejected.csv and exits with 2; a rerun sends nothing again' {
        $ids = New-RrTestInventory -Emulator $emulator -Count 3
        @($ids | ForEach-Object { [pscustomobject]@{ 'Return Inventory ID' = $_; Customer = "C$_" } }) + [pscustomobject]@{ 'Return Inventory ID' = 'not-an-id'; Customer = 'typo' } |
            Export-Csv -LiteralPath (Join-Path $folder 'to-recall.csv')

        Invoke-ScheduledScript | Should -Be 2 -Because ($childOutput -join "`n")
        $recalled = @(Import-Csv (Join-Path $folder 'recalled.csv'))
        $recalled | Should -Not -BeNullOrEmpty
        $rejected = @(Import-Csv (Join-Path $folder 'rejected.csv'))
        $rejected.Customer | Should -Be 'typo' -Because 'the rejected rows keep the columns of to-recall.csv'
        @(Get-RrTestActiveRecalledId -Emulator $emulator | Sort-Object) | Should -Be @($ids | Sort-Object)
        $sent = @(Get-CreateCall).Count

        Invoke-ScheduledScript | Should -Be 2 -Because ($childOutput -join "`n")
        @(Get-CreateCall).Count | Should -Be $sent -Because 'the ledger knows these rows were recalled'
        @(Import-Csv (Join-Path $folder 'recalled.csv') | Where-Object AlreadyExisted -EQ 'True').Count | Should -Be $recalled.Count
        @(Get-RrTestActiveRecalledId -Emulator $emulator | Sort-Object) | Should -Be @($ids | Sort-Object)
    }

    It 'exits with 0 when every row was recalled' {
        $ids = New-RrTestInventory -Emulator $emulator -Count 2
        $ids | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_ } } | Export-Csv -LiteralPath (Join-Path $folder 'to-recall.csv')
        Invoke-ScheduledScript | Should -Be 0 -Because ($childOutput -join "`n")
        Test-Path (Join-Path $folder 'rejected.csv') | Should -BeFalse
    }

    It 'stops before recalling anything, with exit code 1, when the credential is wrong' {
        $ids = New-RrTestInventory -Emulator $emulator -Count 2
        $ids | ForEach-Object { [pscustomobject]@{ ReturnInventoryId = $_ } } | Export-Csv -LiteralPath (Join-Path $folder 'to-recall.csv')
        Invoke-ScheduledScript -Token 'wrong-token' | Should -Be 1
        ($childOutput -join "`n") | Should -Match 'rejected the API[\s|]+key'
        ($childOutput -join "`n") | Should -Not -Match 'wrong-token'
        @(Get-CreateCall) | Should -BeNullOrEmpty
        Test-Path (Join-Path $folder 'recalled.csv') | Should -BeFalse
    }
}
