using System;
using System.Runtime.InteropServices;

namespace ReturnsHelper.Hosting;

/// <summary>The two kinds of .NET a PowerShell runs on: .NET Framework (Windows PowerShell 5.1) or .NET (PowerShell 7).</summary>
internal enum RuntimeEdition
{
    /// <summary>.NET (PowerShell 7): the runtime's own copies of System.Text.Json and its dependencies win.</summary>
    Core,
    /// <summary>.NET Framework (Windows PowerShell 5.1): the module's shipped dependencies are used, and need binding help.</summary>
    Desktop,
}

/// <summary>
/// Which PowerShell can run the module. Kept free of System.Text.Json: the module initializer calls it before the
/// dependency resolver is installed.
/// </summary>
internal static class HostRequirements
{
    /// <summary>
    /// The oldest PowerShell 7 that works: 7.4 runs on .NET 8, whose System.Text.Json (8) is the one the module is
    /// built against. PowerShell 7.0-7.3 (.NET Core 3.1 to .NET 7) load their older System.Text.Json instead of the
    /// shipped one, so the module would import and then fail at its first JSON call.
    /// </summary>
    public static readonly Version MinimumPowerShell7 = new Version(7, 4);

    /// <summary>The edition of the running process.</summary>
    public static RuntimeEdition CurrentEdition { get; } = EditionOf(RuntimeInformation.FrameworkDescription);

    /// <summary>The edition a RuntimeInformation.FrameworkDescription (".NET Framework 4.8.9032.0", ".NET 8.0.11") names.</summary>
    public static RuntimeEdition EditionOf(string frameworkDescription)
        => frameworkDescription != null && frameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase)
            ? RuntimeEdition.Desktop : RuntimeEdition.Core;

    /// <summary>
    /// Why the module refuses to load in this PowerShell, as one message for Import-Module to show; null when it can
    /// run. <paramref name="powerShellVersion"/> is the version of System.Management.Automation, whose major and minor
    /// numbers are PowerShell's own on PowerShell 6 and later. Windows PowerShell 5.1 is admitted by the manifest
    /// (PowerShellVersion = '5.1') before any of the module's code runs.
    /// </summary>
    public static string Refusal(RuntimeEdition edition, Version powerShellVersion)
    {
        if (edition == RuntimeEdition.Desktop || powerShellVersion == null) return null;
        if (new Version(powerShellVersion.Major, powerShellVersion.Minor) >= MinimumPowerShell7) return null;
        return $"ReturnsHelper needs PowerShell {MinimumPowerShell7} or later (or Windows PowerShell 5.1), and this is PowerShell "
            + $"{powerShellVersion.Major}.{powerShellVersion.Minor}, whose System.Text.Json is older than the version 8 the module uses: "
            + $"install PowerShell {MinimumPowerShell7} or later.";
    }
}
