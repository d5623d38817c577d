using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Threading;
using ReturnsHelper.Hosting;

namespace ReturnsHelper.Commands;

/// <summary>
/// Runs when PowerShell imports the module into a runspace, and when it removes it. It refuses PowerShell 7.0-7.3 with
/// one message, and on .NET Framework (Windows PowerShell 5.1) answers AssemblyResolve for the dependencies the module
/// ships (see <see cref="DependencyBinding"/>). Nothing here may touch System.Text.Json, or a type of Core that uses
/// it, before the handler is installed: that load is the one the handler exists for.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly object gate = new object();
    private static readonly ConcurrentDictionary<string, Assembly> loaded = new ConcurrentDictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
    private static IReadOnlyList<ShippedAssembly> shipped;
    // Every runspace that imports the module calls OnImport (thread jobs, -Parallel): the process-wide handler is
    // added by the first import and removed when the last one is removed.
    private static int imports;

    public void OnImport()
    {
        var refusal = HostRequirements.Refusal(HostRequirements.CurrentEdition, typeof(PSObject).Assembly.GetName().Version);
        if (refusal != null) throw new NotSupportedException(refusal);
        if (HostRequirements.CurrentEdition != RuntimeEdition.Desktop) return; // .NET's own copies of the dependencies are used
        lock (gate)
        {
            if (imports++ == 0) AppDomain.CurrentDomain.AssemblyResolve += Resolve;
        }
    }

    public void OnRemove(PSModuleInfo module)
    {
        if (HostRequirements.CurrentEdition != RuntimeEdition.Desktop) return;
        lock (gate)
        {
            if (imports > 0 && --imports == 0) AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
        }
    }

    /// <summary>A request for a shipped assembly, at its version or an older one, gets the shipped file (loaded once).</summary>
    private static Assembly Resolve(object sender, ResolveEventArgs args)
    {
        AssemblyName requested;
        try { requested = new AssemblyName(args.Name); }
        catch (Exception e) when (e is ArgumentException || e is FileLoadException) { return null; }
        var match = DependencyBinding.Choose(Shipped(), requested);
        return match == null ? null : loaded.GetOrAdd(match.Path, Assembly.LoadFrom);
    }

    /// <summary>The module folder's assemblies, read on the first request (only .NET Framework ever asks).</summary>
    private static IReadOnlyList<ShippedAssembly> Shipped()
        => LazyInitializer.EnsureInitialized(ref shipped,
            () => DependencyBinding.Read(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)));
}
