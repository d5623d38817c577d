#Requires -Version 7.2
<#
.SYNOPSIS
Compiles the cmdlet help markdown of a binary module into one MAML file (<Assembly>.dll-Help.xml).

.DESCRIPTION
platyPS is not available, so this is a small replacement. It imports the BUILT module (run it in a
child process: a binary module cannot be unloaded), reads the real parameter metadata from
Get-Command (types, mandatory and position per parameter set, pipeline input, aliases, defaults) and
merges it with the prose in <SourcePath>/<Verb-Noun>.md:

    # Verb-Noun
    ## SYNOPSIS
    One line.
    ## DESCRIPTION
    Paragraphs (blank line between paragraphs; "- " list items become their own paragraph).
    ## PARAMETERS
    ### -Name
    Paragraph(s).
    ## INPUTS            (optional; default: the types of the pipeline-bound parameters)
    ### Type.Name
    Text.
    ## OUTPUTS           (optional; default: the cmdlet's [OutputType])
    ### Type.Name
    Text.
    ## EXAMPLES
    ### Example 1: Title
    ```powershell
    code
    ```
    Remarks paragraph(s).
    ## NOTES             (optional)
    ## RELATED LINKS     (optional; one per line: about_Topic, a URL, or [text](url))

Common parameters are left out; -WhatIf and -Confirm get PowerShell's standard text unless the
markdown describes them. Every gap (no markdown file, no synopsis/description, an undocumented
parameter, fewer than two examples, an example without code, a documented parameter the cmdlet does
not have, an unknown section) is reported with Write-Warning and, if -WarningsPath is given, written
there one per line so the build can repeat them when it skips regeneration.
#>
[CmdletBinding()]
param(
    # Path of the built module manifest (or module folder) to import.
    [Parameter(Mandatory)] [string] $ModulePath,
    # Folder holding <Verb-Noun>.md.
    [Parameter(Mandatory)] [string] $SourcePath,
    # The MAML file to write.
    [Parameter(Mandatory)] [string] $OutputPath,
    [string] $WarningsPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:KnownSections = 'SYNOPSIS', 'DESCRIPTION', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'EXAMPLES', 'NOTES', 'RELATED LINKS'
$script:StandardParameterText = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}
$script:HelpWarnings = [Collections.Generic.List[string]]::new()
$script:WithoutMarkdown = [Collections.Generic.HashSet[string]]::new()
$script:FencePattern = '^\s*(```|~~~)'

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

function Add-HelpWarning([string] $Message, [string] $Command) {
    # A cmdlet without any markdown gets one warning, not one per missing piece.
    if ($Command -and $script:WithoutMarkdown.Contains($Command)) { return }
    $script:HelpWarnings.Add($Message)
    Write-Warning $Message
}

#region Markdown reading

function Read-HelpMarkdown {
    <# Splits a help markdown file into its title, "## " sections and their "### " subsections (fenced code is never a heading). #>
    param([Parameter(Mandatory)] [string] $Path)
    $doc = [pscustomobject]@{ Title = $null; Sections = [ordered]@{} }
    $section = $null
    $subsection = $null
    $inFence = $false
    foreach ($line in Get-Content -LiteralPath $Path -Encoding utf8) {
        $isFence = $line -match $script:FencePattern
        if (-not $inFence -and -not $isFence) {
            if ($line -match '^#\s+(.+?)\s*$') { $doc.Title = $Matches[1]; continue }
            if ($line -match '^##\s+(.+?)\s*$') {
                $section = [pscustomobject]@{ Lines = [Collections.Generic.List[string]]::new(); Subsections = [Collections.Generic.List[object]]::new() }
                $doc.Sections[$Matches[1].ToUpperInvariant()] = $section
                $subsection = $null
                continue
            }
            if ($section -and $line -match '^###\s+(.+?)\s*$') {
                $subsection = [pscustomobject]@{ Name = $Matches[1]; Lines = [Collections.Generic.List[string]]::new() }
                $section.Subsections.Add($subsection)
                continue
            }
        }
        if ($isFence) { $inFence = -not $inFence }
        if ($subsection) { $subsection.Lines.Add($line) }
        elseif ($section) { $section.Lines.Add($line) }
    }
    $doc
}

function ConvertTo-HelpBlock {
    <# Turns markdown lines into blocks: Para (lines joined by spaces) and Code (fenced, verbatim). #>
    param([AllowEmptyCollection()] [string[]] $Lines = @())
    $blocks = [Collections.Generic.List[object]]::new()
    $para = [Collections.Generic.List[string]]::new()
    $code = $null
    $flushPara = {
        if ($para.Count) { $blocks.Add([pscustomobject]@{ Kind = 'Para'; Text = $para -join ' ' }); $para.Clear() }
    }
    foreach ($line in $Lines) {
        $isFence = $line -match $script:FencePattern
        if ($null -ne $code) {
            if ($isFence) { $blocks.Add([pscustomobject]@{ Kind = 'Code'; Text = $code -join "`n" }); $code = $null }
            else { $code.Add($line) }
            continue
        }
        if ($isFence) { . $flushPara; $code = [Collections.Generic.List[string]]::new(); continue }
        if ([string]::IsNullOrWhiteSpace($line)) { . $flushPara; continue }
        if ($line -match '^\s*([-*+]|\d+\.)\s+') { . $flushPara }
        $para.Add($line.Trim())
    }
    . $flushPara
    if ($null -ne $code) { $blocks.Add([pscustomobject]@{ Kind = 'Code'; Text = $code -join "`n" }) }
    $blocks
}

function Get-SectionParagraph {
    param($Doc, [string] $Name)
    if ($Doc -and $Doc.Sections.Contains($Name)) { ConvertTo-HelpBlock $Doc.Sections[$Name].Lines | ForEach-Object Text }
}

function Get-SectionSubsection {
    param($Doc, [string] $Name)
    if ($Doc -and $Doc.Sections.Contains($Name)) { $Doc.Sections[$Name].Subsections }
}

#endregion

#region Metadata

function Get-TypeDisplayName([type] $Type) {
    <# Short, readable type names for syntax lines: String, String[], Int32, Hashtable, List<String>. #>
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { return Get-TypeDisplayName $underlying }
    if ($Type.IsArray) { return (Get-TypeDisplayName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $arguments = $Type.GetGenericArguments() | ForEach-Object { Get-TypeDisplayName $_ }
        return ($Type.Name -replace '`\d+$') + '<' + ($arguments -join ', ') + '>'
    }
    $Type.Name
}

function Get-PipelineInputText($ParameterInfos) {
    $kinds = @()
    if ($ParameterInfos | Where-Object ValueFromPipeline) { $kinds += 'ByValue' }
    if ($ParameterInfos | Where-Object ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

function Get-PerSetText {
    <# One value if all parameter sets agree, else "value (Set1, Set2), other (Set3)". #>
    param($Entries)   # objects with SetName and Value
    $groups = @($Entries | Group-Object Value)
    if ($groups.Count -eq 1) { return [string]$groups[0].Name }
    ($groups | ForEach-Object { "$($_.Name) ($(($_.Group.SetName) -join ', '))" }) -join ', '
}

function Get-PositionText($ParameterInfo) {
    if ($ParameterInfo.Position -ge 0) { [string]$ParameterInfo.Position } else { 'named' }
}

function Get-RequiredText($ParameterInfo) {
    $ParameterInfo.IsMandatory.ToString().ToLowerInvariant()
}

function Get-AcceptedValues($ParameterInfo) {
    <# ValidateSet values, or the names of an enum type: shown as {A | B} in the syntax. #>
    $validateSet = $ParameterInfo.Attributes | Where-Object { $_ -is [Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($validateSet) { return $validateSet.ValidValues }
    $type = $ParameterInfo.ParameterType
    if ($type.IsArray) { $type = $type.GetElementType() }
    $type = [Nullable]::GetUnderlyingType($type) ?? $type
    if ($type.IsEnum) { [Enum]::GetNames($type) }
}

function New-ParameterModel {
    <# One parameter as the MAML writer needs it; Required/Position/PipelineInput are per set in the syntax, combined in the parameter list. #>
    param($Info, [string[]] $Description, [string] $Required, [string] $Position, [string] $PipelineInput)
    $isSwitch = $Info.ParameterType -eq [Management.Automation.SwitchParameter]
    [pscustomobject]@{
        Name           = $Info.Name
        Type           = $Info.ParameterType
        IsSwitch       = $isSwitch
        Required       = $Required
        Position       = $Position
        PipelineInput  = $PipelineInput
        Aliases        = if ($Info.Aliases.Count) { $Info.Aliases -join ', ' } else { 'none' }
        Globbing       = [bool]($Info.Attributes | Where-Object { $_ -is [Management.Automation.SupportsWildcardsAttribute] })
        AcceptedValues = @(Get-AcceptedValues $Info)
        DefaultValue   = if ($isSwitch) { 'False' } else { 'None' }
        Description    = @($Description)
    }
}

function Get-ParameterDefaultValues([type] $CmdletType) {
    <# Property initialisers are the defaults; a fresh instance of the cmdlet class shows them. #>
    $defaults = @{}
    try { $instance = [Activator]::CreateInstance($CmdletType) } catch { return $defaults }
    foreach ($property in $CmdletType.GetProperties()) {
        if (-not $property.CanRead -or $property.GetIndexParameters()) { continue }
        try { $value = $property.GetValue($instance) } catch { continue }
        if ($null -ne $value -and -not ($value -is [Management.Automation.SwitchParameter] -and -not $value.IsPresent)) {
            $defaults[$property.Name] = [string]$value
        }
    }
    $defaults
}

function Get-CmdletHelpModel {
    <# Everything the MAML writer needs for one cmdlet: metadata from Get-Command plus prose from markdown. #>
    param([Parameter(Mandatory)] [Management.Automation.CmdletInfo] $Command)

    $name = $Command.Name
    $mdPath = Join-Path $SourcePath "$name.md"
    $doc = $null
    if (Test-Path -LiteralPath $mdPath) {
        $doc = Read-HelpMarkdown $mdPath
        if ($doc.Title -ne $name) { Add-HelpWarning "${name}: '$mdPath' starts with '# $($doc.Title)', expected '# $name'." $name }
        foreach ($section in $doc.Sections.Keys) {
            if ($section -notin $script:KnownSections) { Add-HelpWarning "${name}: unknown section '## $section' in '$mdPath' (known: $($script:KnownSections -join ', '))." $name }
        }
    }
    else {
        Add-HelpWarning "${name}: no help markdown; create '$mdPath'." $name
        $null = $script:WithoutMarkdown.Add($name)
    }

    $synopsis = (Get-SectionParagraph $doc 'SYNOPSIS') -join ' '
    $description = Get-SectionParagraph $doc 'DESCRIPTION'
    if (-not $synopsis) { Add-HelpWarning "${name}: no SYNOPSIS." $name }
    if (-not $description) { Add-HelpWarning "${name}: no DESCRIPTION." $name }

    # Parameters: metadata per set, prose per parameter.
    $common = [Management.Automation.Cmdlet]::CommonParameters
    $documented = [ordered]@{}
    foreach ($sub in Get-SectionSubsection $doc 'PARAMETERS') {
        $documented[$sub.Name.TrimStart('-').Trim()] = @((ConvertTo-HelpBlock $sub.Lines) | ForEach-Object Text)
    }
    $sets = @($Command.ParameterSets | ForEach-Object {
            [pscustomobject]@{
                Name       = $_.Name
                IsDefault  = $_.IsDefault
                Parameters = @($_.Parameters | Where-Object { $_.Name -notin $common })
            }
        })
    $allNames = @($sets | ForEach-Object { $_.Parameters } | ForEach-Object Name | Select-Object -Unique)
    foreach ($docName in $documented.Keys) {
        if ($docName -notin $allNames) { Add-HelpWarning "${name}: documents -$docName, which the cmdlet does not have." $name }
    }
    # Documented order first (the author chose it), then the rest in declaration order.
    $orderedNames = @($documented.Keys | Where-Object { $_ -in $allNames }) + @($allNames | Where-Object { $_ -notin $documented.Keys })
    $defaults = Get-ParameterDefaultValues $Command.ImplementingType
    $parameters = foreach ($parameterName in $orderedNames) {
        $inSets = @(foreach ($set in $sets) {
                $info = $set.Parameters | Where-Object Name -EQ $parameterName
                if ($info) { [pscustomobject]@{ SetName = $set.Name; Info = $info } }
            })
        $text = if ($documented.Contains($parameterName)) { $documented[$parameterName] } else { @() }
        if (-not $text -and $script:StandardParameterText.ContainsKey($parameterName)) { $text = @($script:StandardParameterText[$parameterName]) }
        if (-not $text) { Add-HelpWarning "${name}: parameter -$parameterName has no description." $name }
        $model = New-ParameterModel -Info $inSets[0].Info -Description $text `
            -Required (Get-PerSetText @($inSets | ForEach-Object { [pscustomobject]@{ SetName = $_.SetName; Value = Get-RequiredText $_.Info } })) `
            -Position (Get-PerSetText @($inSets | ForEach-Object { [pscustomobject]@{ SetName = $_.SetName; Value = Get-PositionText $_.Info } })) `
            -PipelineInput (Get-PipelineInputText @($inSets | ForEach-Object Info))
        if ($defaults.ContainsKey($parameterName)) { $model.DefaultValue = $defaults[$parameterName] }
        # Only next to a real description: an undocumented parameter must stay visibly undocumented.
        if ($text -and $model.AcceptedValues) { $model.Description = @($model.Description) + "Accepted values: $($model.AcceptedValues -join ', ')" }
        $model
    }

    # Syntax: one item per parameter set (default set first); positional by position, then mandatory, then optional.
    $syntax = foreach ($set in ($sets | Sort-Object -Stable { -not $_.IsDefault })) {
        $ordered = $set.Parameters | Sort-Object -Stable @{ Expression = { if ($_.Position -ge 0) { 0 } elseif ($_.IsMandatory) { 1 } else { 2 } } }, @{ Expression = { $_.Position } }
        [pscustomobject]@{
            Name       = $set.Name
            Parameters = @($ordered | ForEach-Object {
                    New-ParameterModel -Info $_ -Description ($parameters | Where-Object Name -EQ $_.Name).Description `
                        -Required (Get-RequiredText $_) -Position (Get-PositionText $_) -PipelineInput (Get-PipelineInputText @($_))
                })
        }
    }

    # Inputs/outputs: markdown wins; otherwise derive them from the metadata.
    $inputs = @(Get-SectionSubsection $doc 'INPUTS' | ForEach-Object {
            [pscustomobject]@{ Type = $_.Name; Description = @((ConvertTo-HelpBlock $_.Lines) | ForEach-Object Text) }
        })
    if (-not $inputs) {
        $inputs = @($sets | ForEach-Object { $_.Parameters } | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } |
                ForEach-Object { $_.ParameterType.FullName } | Select-Object -Unique |
                ForEach-Object { [pscustomobject]@{ Type = $_; Description = @() } })
    }
    $outputs = @(Get-SectionSubsection $doc 'OUTPUTS' | ForEach-Object {
            [pscustomobject]@{ Type = $_.Name; Description = @((ConvertTo-HelpBlock $_.Lines) | ForEach-Object Text) }
        })
    if (-not $outputs) {
        $outputs = @($Command.OutputType | ForEach-Object Name | Select-Object -Unique | ForEach-Object { [pscustomobject]@{ Type = $_; Description = @() } })
    }

    $examples = @(Get-SectionSubsection $doc 'EXAMPLES' | ForEach-Object {
            $blocks = ConvertTo-HelpBlock $_.Lines
            $code = @($blocks | Where-Object Kind -EQ 'Code' | ForEach-Object Text) -join "`n`n"
            if (-not $code) { Add-HelpWarning "${name}: example '$($_.Name)' has no code block." $name }
            [pscustomobject]@{
                Title   = $_.Name
                Code    = $code
                Remarks = @($blocks | Where-Object Kind -EQ 'Para' | ForEach-Object Text)
            }
        })
    if ($examples.Count -lt 2) { Add-HelpWarning "${name}: $($examples.Count) example(s); at least two are expected." $name }

    $links = @(if ($doc -and $doc.Sections.Contains('RELATED LINKS')) {
            foreach ($line in $doc.Sections['RELATED LINKS'].Lines) {
                $text = ($line -replace '^\s*[-*+]\s+').Trim()
                if (-not $text) { continue }
                if ($text -match '^\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)$') { [pscustomobject]@{ Text = $Matches.text; Uri = $Matches.uri } }
                elseif ($text -match '^https?://') { [pscustomobject]@{ Text = $text; Uri = $text } }
                else { [pscustomobject]@{ Text = $text; Uri = '' } }
            }
        })

    [pscustomobject]@{
        Name        = $name
        Verb        = $Command.Verb
        Noun        = $Command.Noun
        Synopsis    = $synopsis
        Description = $description
        Syntax      = @($syntax)
        Parameters  = @($parameters)
        Inputs      = $inputs
        Outputs     = $outputs
        Examples    = $examples
        Notes       = Get-SectionParagraph $doc 'NOTES'
        Links       = $links
    }
}

#endregion

#region MAML writing

function Write-Paragraphs([Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    foreach ($paragraph in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $ns.maml, $paragraph) }
}

function Write-Description([Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    $Writer.WriteStartElement('maml', 'description', $ns.maml)
    Write-Paragraphs $Writer $Paragraphs
    $Writer.WriteEndElement()
}

function Write-DevType([Xml.XmlWriter] $Writer, [string] $TypeName) {
    $Writer.WriteStartElement('dev', 'type', $ns.dev)
    $Writer.WriteElementString('maml', 'name', $ns.maml, $TypeName)
    $Writer.WriteElementString('maml', 'uri', $ns.maml, '')
    $Writer.WriteEndElement()
}

function Write-Parameter([Xml.XmlWriter] $Writer, $Parameter, [switch] $Full) {
    $Writer.WriteStartElement('command', 'parameter', $ns.command)
    $Writer.WriteAttributeString('required', $Parameter.Required)
    $Writer.WriteAttributeString('variableLength', $Parameter.Type.IsArray.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', $Parameter.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Parameter.PipelineInput)
    $Writer.WriteAttributeString('position', $Parameter.Position)
    $Writer.WriteAttributeString('aliases', $Parameter.Aliases)
    $Writer.WriteElementString('maml', 'name', $ns.maml, $Parameter.Name)
    Write-Description $Writer $Parameter.Description
    if ($Parameter.AcceptedValues) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($value in $Parameter.AcceptedValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $ns.command)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('variableLength', 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    if (-not $Parameter.IsSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $ns.command)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', $Parameter.Type.IsArray.ToString().ToLowerInvariant())
        $Writer.WriteString((Get-TypeDisplayName $Parameter.Type))
        $Writer.WriteEndElement()
    }
    if ($Full) {
        Write-DevType $Writer $Parameter.Type.FullName
        $Writer.WriteElementString('dev', 'defaultValue', $ns.dev, $Parameter.DefaultValue)
    }
    $Writer.WriteEndElement()
}

function Write-TypeList([Xml.XmlWriter] $Writer, [string] $ListElement, [string] $ItemElement, $Items) {
    $Writer.WriteStartElement('command', $ListElement, $ns.command)
    if (-not $Items) { $Items = @([pscustomobject]@{ Type = 'None'; Description = @() }) }
    foreach ($item in $Items) {
        $Writer.WriteStartElement('command', $ItemElement, $ns.command)
        Write-DevType $Writer $item.Type
        Write-Description $Writer $item.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-CommandHelp([Xml.XmlWriter] $Writer, $Model) {
    $Writer.WriteStartElement('command', 'command', $ns.command)

    $Writer.WriteStartElement('command', 'details', $ns.command)
    $Writer.WriteElementString('command', 'name', $ns.command, $Model.Name)
    $Writer.WriteElementString('command', 'verb', $ns.command, $Model.Verb)
    $Writer.WriteElementString('command', 'noun', $ns.command, $Model.Noun)
    Write-Description $Writer @($Model.Synopsis | Where-Object { $_ })
    $Writer.WriteEndElement()

    Write-Description $Writer $Model.Description

    $Writer.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $Model.Syntax) {
        $Writer.WriteStartElement('command', 'syntaxItem', $ns.command)
        $Writer.WriteElementString('maml', 'name', $ns.maml, $Model.Name)
        foreach ($parameter in $set.Parameters) { Write-Parameter $Writer $parameter }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($parameter in $Model.Parameters) { Write-Parameter $Writer $parameter -Full }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Model.Inputs
    Write-TypeList $Writer 'returnValues' 'returnValue' $Model.Outputs

    if ($Model.Notes) {
        $Writer.WriteStartElement('maml', 'alertSet', $ns.maml)
        $Writer.WriteStartElement('maml', 'alert', $ns.maml)
        Write-Paragraphs $Writer $Model.Notes
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $ns.command)
    foreach ($example in $Model.Examples) {
        $Writer.WriteStartElement('command', 'example', $ns.command)
        $Writer.WriteElementString('maml', 'title', $ns.maml, "---------- $($example.Title) ----------")
        $Writer.WriteElementString('dev', 'code', $ns.dev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $ns.dev)
        # The trailing empty paragraph separates this example from the next title.
        Write-Paragraphs $Writer (@($example.Remarks) + '')
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($link in $Model.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $Writer.WriteElementString('maml', 'linkText', $ns.maml, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $ns.maml, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

function Write-MamlFile([string] $Path, $Models) {
    $settings = [Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [Text.UTF8Encoding]::new($false) }
    $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $Path)
    $writer = [Xml.XmlWriter]::Create($Path, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($prefix in $ns.Keys) { $writer.WriteAttributeString('xmlns', $prefix, $null, $ns[$prefix]) }
        foreach ($model in $Models) { Write-CommandHelp $writer $model }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally { $writer.Dispose() }
}

#endregion

# Say where a failure happened: the build only shows this process's output.
trap { Write-Host "New-MamlHelp failed: $_`n$($_.ScriptStackTrace)"; exit 1 }

$module = Import-Module $ModulePath -PassThru -ErrorAction Stop
$commands = @($module.ExportedCmdlets.Values | Sort-Object Name)
if (-not $commands) { Add-HelpWarning "Module '$($module.Name)' exports no cmdlets; the help file is empty." }
$models = foreach ($command in $commands) { Get-CmdletHelpModel $command }
Write-MamlFile -Path $OutputPath -Models @($models)

$mdFiles = @(Get-ChildItem -LiteralPath $SourcePath -Filter '*-*.md' -File -ErrorAction SilentlyContinue)
foreach ($orphan in $mdFiles | Where-Object { $_.BaseName -notin $commands.Name }) {
    Add-HelpWarning "$($orphan.Name): no exported cmdlet of that name; the file is not used."
}
if ($WarningsPath) { Set-Content -LiteralPath $WarningsPath -Value $script:HelpWarnings -Encoding utf8 }
Write-Host "Help: wrote $($commands.Count) cmdlet(s) to $OutputPath ($($script:HelpWarnings.Count) warning(s))."
