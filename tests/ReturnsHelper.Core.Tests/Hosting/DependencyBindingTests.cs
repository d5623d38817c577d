using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using ReturnsHelper.Hosting;

namespace ReturnsHelper.Core.Tests.Hosting;

/// <summary>
/// Windows PowerShell 5.1 cannot run here, so the binding that holds there is proven statically: every reference of
/// every shipped assembly is answered by the resolver's rule with a shipped file, or is in the box of .NET Framework
/// 4.7.2. A dependency update that introduces a reference nothing satisfies fails here.
/// </summary>
public class DependencyBindingTests
{
    private static readonly byte[] MicrosoftToken = { 0xcc, 0x7b, 0x13, 0xff, 0xcd, 0x2d, 0xdd, 0x51 };

    private static AssemblyName Name(string name, string version, byte[] token = null)
    {
        var assemblyName = new AssemblyName(name) { Version = version == null ? null : new Version(version) };
        if (token != null) assemblyName.SetPublicKeyToken(token);
        return assemblyName;
    }

    [Theory]
    [InlineData("System.Buffers", "4.0.3.0", "System.Buffers", "4.0.2.0", true)]   // an older request gets the shipped file
    [InlineData("System.Buffers", "4.0.3.0", "System.Buffers", "4.0.3.0", true)]
    [InlineData("System.Buffers", "4.0.3.0", "system.buffers", "4.0.2.0", true)]   // simple names ignore case
    [InlineData("System.Buffers", "4.0.3.0", "System.Buffers", "4.0.4.0", false)]  // never a newer one than shipped
    [InlineData("System.Buffers", "4.0.3.0", "System.Memory", "4.0.1.2", false)]
    [InlineData("System.Buffers", "4.0.3.0", "System.Buffers", null, true)]        // a request without a version
    public void A_shipped_assembly_answers_a_request_of_its_name_at_its_version_or_older(string shipped, string shippedVersion, string requested, string requestedVersion, bool expected)
        => Assert.Equal(expected, DependencyBinding.Satisfies(Name(shipped, shippedVersion, MicrosoftToken), Name(requested, requestedVersion)));

    [Fact]
    public void A_request_for_another_publishers_assembly_of_the_same_name_is_not_answered()
    {
        var shipped = Name("System.Buffers", "4.0.3.0", MicrosoftToken);
        Assert.True(DependencyBinding.Satisfies(shipped, Name("System.Buffers", "4.0.2.0", MicrosoftToken)));
        Assert.False(DependencyBinding.Satisfies(shipped, Name("System.Buffers", "4.0.2.0", new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })));
    }

    [Fact]
    public void Choose_picks_the_shipped_file_of_the_requested_name()
    {
        var shipped = new[]
        {
            new ShippedAssembly("/m/System.Memory.dll", Name("System.Memory", "4.0.1.2")),
            new ShippedAssembly("/m/System.Buffers.dll", Name("System.Buffers", "4.0.3.0")),
        };
        Assert.Equal("/m/System.Buffers.dll", DependencyBinding.Choose(shipped, Name("System.Buffers", "4.0.2.0"))?.Path);
        Assert.Null(DependencyBinding.Choose(shipped, Name("System.Text.Json", "8.0.0.0")));
    }

    /// <summary>The module project's build output: what build.ps1 copies into out/ReturnsHelper.</summary>
    private static string ModuleBuildOutput()
    {
        var folder = typeof(DependencyBindingTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ModuleBuildOutput").Value;
        Assert.True(File.Exists(Path.Combine(folder, "ReturnsHelper.dll")), $"The module is not built in {folder}.");
        return folder;
    }

    /// <summary>What PowerShell itself provides, in every edition: the module does not ship it.</summary>
    private static readonly string[] HostProvided = { "System.Management.Automation" };

    private static Dictionary<string, Version> InBoxNet472()
        => File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Hosting", "net472-inbox.txt"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => new Version(parts[1]), StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<AssemblyName> ReferencesOf(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(handle => metadata.GetAssemblyReference(handle).GetAssemblyName()).ToList();
    }

    [Fact]
    public void Every_reference_of_every_shipped_assembly_binds_on_NET_Framework_472()
    {
        var folder = ModuleBuildOutput();
        // The files the module ships, as the resolver reads them (build.ps1 leaves PowerShell's own assembly out).
        var shipped = DependencyBinding.Read(folder).Where(a => !HostProvided.Contains(a.Name.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.Contains(shipped, a => a.Name.Name == "System.Text.Json");
        var inBox = InBoxNet472();

        var unsatisfied = new List<string>();
        foreach (var assembly in shipped)
            foreach (var reference in ReferencesOf(assembly.Path))
            {
                if (HostProvided.Contains(reference.Name, StringComparer.OrdinalIgnoreCase)) continue;
                if (DependencyBinding.Choose(shipped, reference) != null) continue;
                if (inBox.TryGetValue(reference.Name, out var inBoxVersion) && inBoxVersion >= reference.Version) continue;
                unsatisfied.Add($"{assembly.Name.Name} references {reference.Name} {reference.Version}, which neither ships (at that version or later) nor is in .NET Framework 4.7.2");
            }
        Assert.True(unsatisfied.Count == 0, string.Join(Environment.NewLine, unsatisfied));
    }

    [Fact]
    public void The_resolver_reads_assemblies_and_skips_other_dlls()
    {
        var folder = Directory.CreateTempSubdirectory("rr-binding-").FullName;
        try
        {
            File.Copy(typeof(DependencyBinding).Assembly.Location, Path.Combine(folder, "ReturnsHelper.Core.dll"));
            File.WriteAllText(Path.Combine(folder, "native.dll"), "not an assembly");
            var found = Assert.Single(DependencyBinding.Read(folder));
            Assert.Equal("ReturnsHelper.Core", found.Name.Name);
        }
        finally { Directory.Delete(folder, true); }
    }
}
