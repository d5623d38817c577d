# Repo-wide help checks: every exported cmdlet has real help (source: src/ReturnsHelper/Help/<Verb-Noun>.md),
# and the about topic documents the error contract the module implements.
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

    It 'lists every API error id with the category the module gives it (ERROR CONTRACT)' {
        # Rows of the table: "RrApi.<Reason>  <ErrorCategory>  <meaning>". Ids and categories come from the module
        # (the RrErrorReason values, and ErrorMapper's category for each), so a new reason or a changed category
        # fails here until the table says so.
        $source = Get-Content -Raw -LiteralPath (Join-Path (Split-Path -Parent (Get-RrModulePath)) 'en-US/about_ReturnsHelper.help.txt')
        $documented = @{}
        foreach ($row in [regex]::Matches($source, '(?m)^\s*RrApi\.(?<reason>\w+)\s+(?<category>\w+)')) {
            if ([enum]::IsDefined([Management.Automation.ErrorCategory], $row.Groups['category'].Value)) {
                $documented[$row.Groups['reason'].Value] = $row.Groups['category'].Value
            }
        }
        $mapper = (Get-Command Connect-RrService).ImplementingType.Assembly.GetType('ReturnsHelper.Commands.ErrorMapper', $true)
        $implemented = @{}
        foreach ($reason in [enum]::GetValues([ReturnsHelper.Http.RrErrorReason])) {
            $implemented["$reason"] = "$($mapper.GetMethod('Category').Invoke($null, @($reason)))"
        }
        @($documented.Keys | Sort-Object) | Should -Be @($implemented.Keys | Sort-Object)
        foreach ($reason in $implemented.Keys) { $documented[$reason] | Should -Be $implemented[$reason] -Because "RrApi.$reason" }
    }
}
