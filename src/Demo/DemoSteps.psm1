# How the demos show their steps: a title, the PowerShell of the step, then what it wrote.
Set-StrictMode -Version Latest

function Write-Step {
    <# Prints a step's title and, when given, its code as you would type it. #>
    param([Parameter(Mandatory)] [string] $Title, [string] $Code)
    Write-Host ''
    Write-Host "== $Title" -ForegroundColor Cyan
    if ($Code) { $Code -split "`n" | ForEach-Object { Write-Host "   PS> $_" -ForegroundColor DarkGray } }
}

function Invoke-Step {
    <#
    Prints a step's code and runs exactly that code, then prints what it wrote. The script block is dot-sourced: it
    belongs to the demo script, not to this module, so it runs in the demo's scope and the variables it assigns are
    there for the next steps.
    #>
    param([Parameter(Mandatory)] [string] $Title, [Parameter(Mandatory)] [scriptblock] $Code)
    $lines = @($Code.ToString() -split '\r?\n' | Where-Object { $_.Trim() })
    $indent = ($lines | ForEach-Object { ($_ -replace '^( *).*', '$1').Length } | Measure-Object -Minimum).Minimum
    Write-Step $Title (($lines | ForEach-Object { $_.Substring($indent) }) -join "`n")
    $output = (. $Code | Out-String -Width 200).Trim("`r", "`n")
    if ($output) { Write-Host $output }
}

Export-ModuleMember -Function Write-Step, Invoke-Step
