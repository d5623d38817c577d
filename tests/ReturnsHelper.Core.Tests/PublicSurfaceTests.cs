using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace ReturnsHelper.Core.Tests;

/// <summary>
/// The public surface of each shipped assembly against PublicSurface.txt: making a type or member public (or
/// dropping one) is a decision someone sees in the diff of that file, not a side effect.
/// </summary>
public class PublicSurfaceTests
{
    private const string ListFile = "tests/ReturnsHelper.Core.Tests/PublicSurface.txt";
    private const string UpdateVariable = "RR_UPDATE_PUBLIC_SURFACE";

    private static readonly string RepoRoot = FindRepoRoot();
    private static readonly string Configuration = typeof(PublicSurfaceTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>The assemblies the module ships, as built next to this test (the project references both).</summary>
    private static readonly string[] Shipped =
    {
        $"src/ReturnsHelper.Core/bin/{Configuration}/netstandard2.0/ReturnsHelper.Core.dll",
        $"src/ReturnsHelper/bin/{Configuration}/netstandard2.0/ReturnsHelper.dll",
    };

    [Fact]
    public void The_public_surface_is_the_listed_one()
    {
        var actual = Shipped.SelectMany(path => Surface(Path.Combine(RepoRoot, path))).ToList();
        var listPath = Path.Combine(RepoRoot, ListFile);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1") File.WriteAllLines(listPath, actual);
        var expected = File.Exists(listPath) ? File.ReadAllLines(listPath).Where(l => l.Length > 0).ToList() : new List<string>();

        var added = actual.Except(expected).ToList();
        var removed = expected.Except(actual).ToList();
        Assert.True(added.Count == 0 && removed.Count == 0,
            $"The public surface changed. Made public: {Lines(added)}No longer public: {Lines(removed)}"
            + $"If that is intended, update {ListFile} (run this test once with {UpdateVariable}=1, then review the diff).");
    }

    private static string Lines(List<string> lines) => lines.Count == 0 ? "none. " : "\n  " + string.Join("\n  ", lines) + "\n";

    /// <summary>
    /// "assembly: type Namespace.Type" and "assembly: Namespace.Type.Member(parameter count)" for every type and
    /// member another assembly can use (public, protected, protected internal), read from metadata without loading
    /// the assembly (ReturnsHelper.dll needs System.Management.Automation to load).
    /// </summary>
    private static IEnumerable<string> Surface(string path)
    {
        Assert.True(File.Exists(path), $"{path} does not exist: build the solution first.");
        var assembly = Path.GetFileName(path);
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var lines = new List<string>();
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            if (!IsVisible(md, type)) continue;
            var name = FullName(md, type);
            lines.Add($"{assembly}: type {name}");
            foreach (var fieldHandle in type.GetFields())
            {
                var field = md.GetFieldDefinition(fieldHandle);
                if (IsVisible(field.Attributes & FieldAttributes.FieldAccessMask) && (field.Attributes & FieldAttributes.RTSpecialName) == 0)
                    lines.Add($"{assembly}: {name}.{md.GetString(field.Name)}");
            }
            foreach (var methodHandle in type.GetMethods())
            {
                var method = md.GetMethodDefinition(methodHandle);
                if (!IsVisible(method.Attributes & MethodAttributes.MemberAccessMask)) continue;
                var signature = md.GetBlobReader(method.Signature);
                if (signature.ReadSignatureHeader().IsGeneric) signature.ReadCompressedInteger();
                lines.Add($"{assembly}: {name}.{md.GetString(method.Name)}({signature.ReadCompressedInteger()})");
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static bool IsVisible(FieldAttributes access)
        => access == FieldAttributes.Public || access == FieldAttributes.Family || access == FieldAttributes.FamORAssem;

    private static bool IsVisible(MethodAttributes access)
        => access == MethodAttributes.Public || access == MethodAttributes.Family || access == MethodAttributes.FamORAssem;

    private static bool IsVisible(MetadataReader md, TypeDefinition type)
    {
        switch (type.Attributes & TypeAttributes.VisibilityMask)
        {
            case TypeAttributes.Public: return true;
            case TypeAttributes.NestedPublic:
            case TypeAttributes.NestedFamily:
            case TypeAttributes.NestedFamORAssem:
                return IsVisible(md, md.GetTypeDefinition(type.GetDeclaringType()));
            default: return false;
        }
    }

    private static string FullName(MetadataReader md, TypeDefinition type)
    {
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil) return FullName(md, md.GetTypeDefinition(declaring)) + "+" + md.GetString(type.Name);
        var ns = md.GetString(type.Namespace);
        return ns.Length == 0 ? md.GetString(type.Name) : ns + "." + md.GetString(type.Name);
    }

    private static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "ReturnsHelper.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No ReturnsHelper.sln above {AppContext.BaseDirectory}.");
    }
}
