# ConvertFrom-RrWebhook's one positional parameter is -Path: a file name given without a parameter name is read, not
# parsed as a body; bodies come from the pipeline or -Body.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    $script:jsonLines = Join-Path $TestDrive 'events.jsonl'
    Set-Content -LiteralPath $jsonLines -Value '{"category":"rsl","action":"markShipmentArrive"}', '{"category":"labelGenerated"}'
}

Describe 'ConvertFrom-RrWebhook binding' {
    It 'reads a file named without a parameter name' {
        Push-Location $TestDrive
        try { $events = @(ConvertFrom-RrWebhook ./events.jsonl) }
        finally { Pop-Location }
        $events.Category | Should -Be 'rsl', 'labelGenerated'
    }

    It 'still converts bodies from the pipeline and from -Body' {
        @(Get-Content -LiteralPath $jsonLines | ConvertFrom-RrWebhook).Category | Should -Be 'rsl', 'labelGenerated'
        (ConvertFrom-RrWebhook -Body '{"category":"rsl"}').Category | Should -Be 'rsl'
    }

    It 'says how to give a body when JSON text is given as a path' {
        ConvertFrom-RrWebhook '{"category":"rsl"}' -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RrWebhook.FileNotFound*'
        "$($err[0])" | Should -Match '-Body'
    }
}
