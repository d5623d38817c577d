using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace ReturnsHelper.Hosting;

/// <summary>One dll of the module folder.</summary>
internal sealed class ShippedAssembly
{
    public ShippedAssembly(string path, AssemblyName name)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
        Name = name ?? throw new ArgumentNullException(nameof(name));
    }

    public string Path { get; }
    public AssemblyName Name { get; }
}

/// <summary>
/// How the module's own dependencies bind on .NET Framework (Windows PowerShell 5.1). .NET Framework binds a strong
/// name to its exact version and has no redirects for the module's dependencies (powershell.exe.config has none, a
/// module cannot add any); and no set of package versions lines up: System.Text.Json 8 references
/// System.Runtime.CompilerServices.Unsafe 6.0.0.0 while System.Memory references 4.0.4.1, and three of them reference
/// System.Buffers 4.0.2.0, which no System.Buffers package that System.Memory accepts has. So the module initializer
/// answers AssemblyResolve with the rule below, the one tests/ReturnsHelper.Core.Tests/Hosting checks the shipped
/// closure against. Kept free of System.Text.Json: it runs before the resolver is installed.
/// </summary>
internal static class DependencyBinding
{
    /// <summary>
    /// True when <paramref name="shipped"/> can stand in for a request of <paramref name="requested"/>: the same simple
    /// name, a version at least the one asked for (a dependency is compatible with older callers), and the same
    /// public key token when the request names one (never someone else's assembly of the same name).
    /// </summary>
    public static bool Satisfies(AssemblyName shipped, AssemblyName requested)
    {
        if (shipped == null || requested == null) return false;
        if (!string.Equals(shipped.Name, requested.Name, StringComparison.OrdinalIgnoreCase)) return false;
        if (requested.Version != null && (shipped.Version == null || shipped.Version < requested.Version)) return false;
        var wantedToken = requested.GetPublicKeyToken();
        return wantedToken == null || wantedToken.Length == 0 || SameBytes(wantedToken, shipped.GetPublicKeyToken());
    }

    /// <summary>The shipped assembly that answers <paramref name="requested"/>, or null.</summary>
    public static ShippedAssembly Choose(IEnumerable<ShippedAssembly> shipped, AssemblyName requested)
    {
        foreach (var candidate in shipped)
            if (Satisfies(candidate.Name, requested)) return candidate;
        return null;
    }

    /// <summary>
    /// The assemblies in <paramref name="folder"/> (its *.dll files; a file that is not an assembly is skipped), read
    /// without loading them.
    /// </summary>
    public static IReadOnlyList<ShippedAssembly> Read(string folder)
    {
        var found = new List<ShippedAssembly>();
        foreach (var path in Directory.GetFiles(folder, "*.dll"))
        {
            try { found.Add(new ShippedAssembly(path, AssemblyName.GetAssemblyName(path))); }
            catch (BadImageFormatException) { /* a native dll: nothing to bind */ }
        }
        return found;
    }

    private static bool SameBytes(byte[] a, byte[] b)
    {
        if (a == null || b == null || a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
        return true;
    }
}
