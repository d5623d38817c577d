# Repo-wide help checks: every exported cmdlet has real help (source: src/ReturnsHelper/Help/<Verb-Noun>.md),
# and the about topic covers the concepts users need.
BeforeDiscovery {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    # From the manifest, without loading the module: discovery only needs the names.
    $cmdlets = @((Import-PowerShellDataFile -LiteralPath (Get-RrModulePath)).CmdletsToExport)
}

BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $null = Import-RrTestModule
    $commonParameters = [Management.Automation.Cmdlet]::CommonParameters
    $projectUri = (Import-PowerShellDataFile -LiteralPath (Get-RrModulePath)).PrivateData.PSData.ProjectUri
    $repoRoot = (Resolve-Path "$PSScriptRoot/../..").ProviderPath

    function Get-HelpText($Node) {
        (@($Node | ForEach-Object { $_.Text }) -join "`n").Trim()
    }
}

Describe 'Help for <_>' -ForEach $cmdlets {
    BeforeAll {
        $name = $_
        $command = Get-Command -Name $name -CommandType Cmdlet
        $help = Get-Help -Name $name -Full
        $because = "src/ReturnsHelper/Help/$name.md should provide it"
    }

    It 'has a synopsis that is not the generated syntax' {
        $synopsis = "$($help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty -Because $because
        # Without MAML, Get-Help makes the synopsis from the syntax line, which starts with the name.
        $synopsis | Should -Not -Match "^$([regex]::Escape($name))(\s|$)" -Because $because
    }

    It 'has a description' {
        Get-HelpText $help.description | Should -Not -BeNullOrEmpty -Because $because
    }

    It 'describes every parameter' {
        $documented = @($help.parameters.parameter)
        $missing = foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $commonParameters }) {
            $entry = $documented | Where-Object name -EQ $parameter
            if (-not $entry -or -not (Get-HelpText $entry.description)) { $parameter }
        }
        $missing | Should -BeNullOrEmpty -Because "every parameter needs a description ($because)"
    }

    It 'sends Get-Help -Online to its help source in the repository' {
        $command.HelpUri | Should -Be "$($projectUri)/blob/main/src/ReturnsHelper/Help/$name.md"
        Join-Path $repoRoot "src/ReturnsHelper/Help/$name.md" | Should -Exist
    }

    It 'has at least two examples, each with code' {
        $examples = @($help.examples.example | Where-Object { $_ })
        $examples.Count | Should -BeGreaterOrEqual 2 -Because $because
        foreach ($example in $examples) {
            "$($example.code)".Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title)' needs code"
        }
    }
}

Describe 'about_ReturnsHelper' {
    BeforeAll {
        $topic = Get-Help -Name 'about_ReturnsHelper' -Category HelpFile -ErrorAction SilentlyContinue
        $text = $topic | Out-String
    }

    It 'is found by Get-Help' {
        $topic | Should -Not -BeNullOrEmpty
        $text | Should -Match 'about_ReturnsHelper'
    }

    It 'covers <Concept>' -ForEach @(
        @{ Concept = 'sessions'; Pattern = '\bsessions?\b' }
        @{ Concept = 'environments'; Pattern = '\benvironments?\b' }
        @{ Concept = 'credentials'; Pattern = '\bcredentials?\b' }
        @{ Concept = 'batching'; Pattern = '\bbatch(es|ing|ed)?\b' }
        @{ Concept = 'retries'; Pattern = '\bretr(y|ies|ied|ying)\b' }
        @{ Concept = 'idempotency'; Pattern = '\bidempoten(cy|t)\b' }
        @{ Concept = 'errors'; Pattern = '\berrors?\b' }
    ) {
        $text | Should -Match $Pattern
    }
}
