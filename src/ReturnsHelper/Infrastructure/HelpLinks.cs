namespace ReturnsHelper.Commands;

/// <summary>
/// Where <c>Get-Help -Online</c> goes: each cmdlet's help source on the project site (the manifest's ProjectUri).
/// Get-Help without -Online keeps showing the local MAML help.
/// </summary>
internal static class HelpLinks
{
    public const string Base = "https://github.com/returnshelper/ReturnsHelper/blob/main/src/ReturnsHelper/Help/";
}
