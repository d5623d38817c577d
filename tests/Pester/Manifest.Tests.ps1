# Repo-wide checks of the built module: manifest, exported cmdlets, versions, packaging, formats.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $manifestPath = Get-RrModulePath
    $moduleFolder = Split-Path -Parent $manifestPath
    $manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
    $assemblyPath = Join-Path $moduleFolder $manifest.RootModule

    function Get-VersionPrefix([version] $Version) {
        # ModuleVersion '0.1.0' and assembly version '0.1.0.0' are the same release.
        '{0}.{1}.{2}' -f $Version.Major, $Version.Minor, [Math]::Max($Version.Build, 0)
    }
}

Describe 'Module manifest' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'names a root module that exists' {
        $assemblyPath | Should -Exist
    }

    It 'lists its cmdlets explicitly, without wildcards' {
        $manifest.CmdletsToExport | Should -Not -BeNullOrEmpty
        @($manifest.CmdletsToExport | Where-Object { $_ -match '[*?\[]' }) | Should -BeNullOrEmpty
    }

    It 'exports exactly the cmdlet classes the assembly defines' {
        $assembly = [Reflection.Assembly]::LoadFrom($assemblyPath)
        $types = try { $assembly.GetTypes() } catch [Reflection.ReflectionTypeLoadException] { $_.Exception.Types | Where-Object { $_ } }
        $defined = foreach ($type in $types | Where-Object { $_.IsClass -and -not $_.IsAbstract }) {
            foreach ($attribute in $type.GetCustomAttributes([Management.Automation.CmdletAttribute], $false)) {
                '{0}-{1}' -f $attribute.VerbName, $attribute.NounName
            }
        }
        @($manifest.CmdletsToExport | Sort-Object) | Should -Be @($defined | Sort-Object)
    }

    It 'exports no functions, variables or aliases (and says so explicitly)' {
        $manifest.Keys | Should -Contain 'FunctionsToExport'
        @($manifest.FunctionsToExport) | Should -BeNullOrEmpty
        @($manifest.VariablesToExport) | Should -BeNullOrEmpty
        @($manifest.AliasesToExport) | Should -BeNullOrEmpty
    }

    It 'is built for every edition it declares: netstandard2.0 assemblies, which .NET Framework 4.7.2 loads' {
        $manifest.CompatiblePSEditions | Should -Contain 'Desktop'
        foreach ($name in 'ReturnsHelper.dll', 'ReturnsHelper.Core.dll') {
            $framework = [Reflection.Assembly]::LoadFrom((Join-Path $moduleFolder $name)).GetCustomAttributes([Runtime.Versioning.TargetFrameworkAttribute], $false)
            $framework.FrameworkName | Should -Be '.NETStandard,Version=v2.0' -Because "$name must load in Windows PowerShell 5.1"
        }
    }

    It 'tags each edition it declares, as the gallery searches for them' {
        foreach ($edition in $manifest.CompatiblePSEditions) { $manifest.PrivateData.PSData.Tags | Should -Contain "PSEdition_$edition" }
    }

    It 'has PSData tags and project metadata' {
        $manifest.PrivateData.PSData.Tags | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.Description | Should -Not -BeNullOrEmpty
    }

    It 'links a license that the repository and the module folder carry' {
        $manifest.PrivateData.PSData.LicenseUri | Should -Be "$($manifest.PrivateData.PSData.ProjectUri)/blob/main/LICENSE"
        Join-Path $PSScriptRoot '../../LICENSE' | Should -Exist
        Join-Path $moduleFolder 'LICENSE' | Should -Exist
    }
}

Describe 'Module version' {
    It '<_> has the manifest version' -ForEach 'ReturnsHelper.dll', 'ReturnsHelper.Core.dll' {
        $path = Join-Path $moduleFolder $_
        Get-VersionPrefix ([Reflection.AssemblyName]::GetAssemblyName($path).Version) | Should -Be (Get-VersionPrefix $manifest.ModuleVersion)
        # The informational version is what the User-Agent reports.
        [Diagnostics.FileVersionInfo]::GetVersionInfo($path).ProductVersion | Should -BeLike "$($manifest.ModuleVersion)*"
    }
}

Describe 'Windows PowerShell 5.1 (checked statically: it cannot run here)' {
    # That every reference of every shipped dll binds on .NET Framework 4.7.2, with the resolver below, is proven by
    # the xUnit test Hosting/DependencyBindingTests; these check the module folder and manifest it relies on.
    It 'carries System.Text.Json 8, which .NET Framework does not have' {
        $json = Join-Path $moduleFolder 'System.Text.Json.dll'
        $json | Should -Exist
        [Reflection.AssemblyName]::GetAssemblyName($json).Version.Major | Should -Be 8
    }

    It 'requires .NET Framework 4.7.2, whose in-box assemblies the binding test counts on' {
        $manifest.DotNetFrameworkVersion | Should -Be '4.7.2'
    }

    It 'has one module initializer, which installs the dependency resolver at import and removes it at removal' {
        $assembly = [Reflection.Assembly]::LoadFrom($assemblyPath)
        $initializers = @($assembly.GetExportedTypes() | Where-Object { [Management.Automation.IModuleAssemblyInitializer].IsAssignableFrom($_) })
        $initializers | Should -HaveCount 1
        [Management.Automation.IModuleAssemblyCleanup].IsAssignableFrom($initializers[0]) | Should -BeTrue
    }

    It 'answers a request for a shipped assembly at an older version with the shipped file, and nothing newer' {
        # The handler is added to AssemblyResolve only on .NET Framework; here it is called as the runtime would call it.
        $module = Import-RrTestModule
        $initializer = $module.ImplementingAssembly.GetType('ReturnsHelper.Commands.ModuleInitializer', $true)
        $resolve = $initializer.GetMethod('Resolve', [Reflection.BindingFlags] 'NonPublic, Static')
        $core = [ReturnsHelper.RrSession].Assembly
        $older = [ResolveEventArgs]::new('ReturnsHelper.Core, Version=0.0.1.0, Culture=neutral, PublicKeyToken=null')
        $resolve.Invoke($null, @($null, $older)) | Should -Be $core
        $newer = [ResolveEventArgs]::new('ReturnsHelper.Core, Version=99.0.0.0, Culture=neutral, PublicKeyToken=null')
        $resolve.Invoke($null, @($null, $newer)) | Should -BeNullOrEmpty
        $foreign = [ResolveEventArgs]::new('Contoso.Unrelated, Version=1.0.0.0')
        $resolve.Invoke($null, @($null, $foreign)) | Should -BeNullOrEmpty
    }
}

Describe 'Module folder' {

    It 'does not ship System.Management.Automation' {
        Join-Path $moduleFolder 'System.Management.Automation.dll' | Should -Not -Exist
    }

    It 'has compiled help and the about topic' {
        Join-Path $moduleFolder 'en-US/ReturnsHelper.dll-Help.xml' | Should -Exist
        Join-Path $moduleFolder 'en-US/about_ReturnsHelper.help.txt' | Should -Exist
    }
}

Describe 'Importing the module' {
    BeforeAll {
        $module = Import-RrTestModule
    }

    It 'lists exactly the exported cmdlets' {
        $commands = @(Get-Command -Module $module.Name)
        @($commands.Name | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        @($commands | Where-Object CommandType -NE 'Cmdlet') | Should -BeNullOrEmpty
    }

    It 'loads the format file and its views' {
        $formatFile = Join-Path $moduleFolder @($manifest.FormatsToProcess)[0]
        $formatFile | Should -Exist
        $typeNames = @(([xml](Get-Content -LiteralPath $formatFile -Raw)).SelectNodes('//ViewDefinitions/View/ViewSelectedBy/TypeName').InnerText | Select-Object -Unique)
        $typeNames | Should -Not -BeNullOrEmpty -Because 'the module defines default views (the session view at least)'
        foreach ($typeName in $typeNames) {
            Get-FormatData -TypeName $typeName | Should -Not -BeNullOrEmpty -Because "the view for $typeName should be loaded"
        }
    }
}
