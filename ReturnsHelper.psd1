@{
    # ModuleVersion is the single source of truth for the version: Directory.Build.props gives it to every assembly
    # (AssemblyInformationalVersion, used in the User-Agent) and to the package.
    RootModule           = 'ReturnsHelper.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f3b8e-2f0c-4f55-9a4e-7f1e3c9b2a61'
    Author               = 'ReturnsHelper contributors'
    CompanyName          = 'ReturnsHelper'
    Copyright            = '(c) ReturnsHelper contributors. All rights reserved.'
    Description          = 'Manage Return Helper return inventory from PowerShell: sessions, recalls, handling, inventory search and signed webhooks, with a local emulator of the Return Helper API.'
    CompatiblePSEditions = @('Core', 'Desktop')
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('ReturnsHelper.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-RrService'
        'Disconnect-RrService'
        'Get-RrSession'
        'Invoke-RrApi'
        'New-RrRecall'
        'Stop-RrRecall'
        'Get-RrRecall'
        'New-RrResend'
        'Get-RrResend'
        'Stop-RrResend'
        'Get-RrResendQuote'
        'Get-RrBalance'
        'Get-RrInventory'
        'Set-RrInventoryHandling'
        'Undo-RrInventoryHandling'
        'Get-RrHandlingType'
        'Get-RrWarehouse'
        'Test-RrWebhookSignature'
        'ConvertFrom-RrWebhook'
        'Receive-RrWebhook'
        'Get-RrWebhookBacklog'
        'New-RrVasRequest'
        'Get-RrVas'
        'Get-RrVasType'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('ReturnHelper', 'Returns', 'Ecommerce', 'Logistics', 'Recall', 'Warehouse', 'Webhook', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/returnshelper/ReturnsHelper'
            LicenseUri   = 'https://github.com/returnshelper/ReturnsHelper/blob/main/LICENSE'
            ReleaseNotes = 'First release: sessions, HTTP core with retries and idempotency, recalls, inventory and handling cmdlets, webhooks, local emulator.'
        }
    }
}
