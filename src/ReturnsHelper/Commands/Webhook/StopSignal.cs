using System;
using System.Reflection;

namespace ReturnsHelper.Commands;

/// <summary>
/// Lets a service manager stop a long-running command cleanly: systemd's SIGTERM (pwsh on Unix dies of it at once,
/// without AppDomain.ProcessExit, so the signal is caught through PosixSignalRegistration, found by reflection
/// because it is .NET 6+ and the module is netstandard2.0) and ProcessExit (a closed console, a logoff; Windows
/// PowerShell). Each calls <c>stop</c>, which must stop the command and wait, bounded, for it to clean up; then the
/// signal's default action (the process ends) goes on.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly Action stop;
    private readonly IDisposable sigterm;

    public StopSignal(Action stop)
    {
        this.stop = stop ?? throw new ArgumentNullException(nameof(stop));
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        sigterm = RegisterSigterm();
    }

    private IDisposable RegisterSigterm()
    {
        const string Assembly = ", System.Runtime.InteropServices";
        var registration = Type.GetType("System.Runtime.InteropServices.PosixSignalRegistration" + Assembly, throwOnError: false);
        var signal = Type.GetType("System.Runtime.InteropServices.PosixSignal" + Assembly, throwOnError: false);
        var context = Type.GetType("System.Runtime.InteropServices.PosixSignalContext" + Assembly, throwOnError: false);
        if (registration == null || signal == null || context == null) return null; // .NET Framework: ProcessExit only
        var handlerType = typeof(Action<>).MakeGenericType(context);
        var create = registration.GetMethod("Create", new[] { signal, handlerType });
        var handler = Delegate.CreateDelegate(handlerType, this, typeof(StopSignal).GetMethod(nameof(OnSignal), BindingFlags.NonPublic | BindingFlags.Instance));
        try { return create?.Invoke(null, new object[] { Enum.Parse(signal, "SIGTERM"), handler }) as IDisposable; }
        catch (TargetInvocationException) { return null; } // a platform without POSIX signals (Windows): ProcessExit covers it
    }

    private void OnSignal(object context) => stop();

    private void OnProcessExit(object sender, EventArgs e) => stop();

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        sigterm?.Dispose();
    }
}
