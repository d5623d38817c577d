using System.Collections;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ReturnsHelper.Commands;

/// <summary>The User-Agent in the documented shape: name/version (Platform=...; Runtime=...; Language=...).</summary>
internal static class UserAgent
{
    public static string ModuleVersion
    {
        get
        {
            var assembly = typeof(UserAgent).Assembly;
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            // Strip a source-revision suffix ("1.2.3+abcdef") that the SDK may append.
            return informational?.Split('+')[0] ?? assembly.GetName().Version.ToString(3);
        }
    }

    public static string For(PSCmdlet cmdlet)
    {
        var psVersion = (cmdlet.GetVariableValue("PSVersionTable") as Hashtable)?["PSVersion"]?.ToString() ?? "unknown";
        return $"ReturnsHelper/{ModuleVersion} (Platform={RuntimeInformation.OSDescription.Trim()}; Runtime={RuntimeInformation.FrameworkDescription.Trim()}; Language=PowerShell {psVersion})";
    }
}
