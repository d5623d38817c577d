using ReturnsHelper.Hosting;

namespace ReturnsHelper.Core.Tests.Hosting;

/// <summary>Which PowerShell the module imports into (the module initializer throws the refusal).</summary>
public class HostRequirementsTests
{
    [Theory]
    [InlineData(".NET Framework 4.8.9290.0", "Desktop")]
    [InlineData(".NET Framework 4.7.3190.0", "Desktop")]
    [InlineData(".NET 8.0.11", "Core")]
    [InlineData(".NET Core 3.1.32", "Core")]
    public void The_edition_comes_from_the_framework_description(string description, string expected) // a name: the enum is internal
        => Assert.Equal(expected, HostRequirements.EditionOf(description).ToString());

    [Fact]
    public void These_tests_run_on_the_Core_edition()
        => Assert.Equal(RuntimeEdition.Core, HostRequirements.CurrentEdition);

    [Theory]
    [InlineData("7.0.13.500")]
    [InlineData("7.2.24.500")]
    [InlineData("7.3.12.500")]
    [InlineData("6.2.7.0")]
    public void PowerShell_7_before_7_4_is_refused_with_one_message_naming_7_4(string version)
    {
        var refusal = HostRequirements.Refusal(RuntimeEdition.Core, new Version(version));
        Assert.NotNull(refusal);
        Assert.Contains("needs PowerShell 7.4 or later", refusal);
        var parsed = new Version(version);
        Assert.Contains($"this is PowerShell {parsed.Major}.{parsed.Minor},", refusal);
    }

    [Theory]
    [InlineData("7.4.0.500")]
    [InlineData("7.4.6.500")]
    [InlineData("7.6.0.500")]
    [InlineData("8.0.0.0")]
    public void PowerShell_7_4_and_later_is_admitted(string version)
        => Assert.Null(HostRequirements.Refusal(RuntimeEdition.Core, new Version(version)));

    [Fact]
    public void Windows_PowerShell_5_1_is_admitted()
        => Assert.Null(HostRequirements.Refusal(RuntimeEdition.Desktop, new Version(3, 0, 0, 0)));
}
