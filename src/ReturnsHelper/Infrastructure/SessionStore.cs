using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace ReturnsHelper.Commands;

/// <summary>
/// The default session belongs to the runspace, not the process: parallel runspaces (ForEach-Object
/// -Parallel, thread jobs) each have their own and cannot overwrite each other's. And it does not outlive the
/// runspace's state: ForEach-Object -Parallel reuses a runspace for later iterations after resetting its state, so
/// the default is valid only while the marker variable set with it is still in the runspace's global scope. An
/// iteration thus starts without a session unless it connects or is given one (-Session $using:session).
/// </summary>
internal static class SessionStore
{
    private sealed class Holder
    {
        public RrSession Session;
        public bool GivenToUser;
        public string Marker;
    }

    /// <summary>The global variable that ties the default to the runspace state it was made in (a random value, never the session).</summary>
    internal const string MarkerVariable = "ReturnsHelperDefaultSessionMarker";

    private static readonly ConditionalWeakTable<Runspace, Holder> Defaults = new ConditionalWeakTable<Runspace, Holder>();

    private static Holder Find(SessionState state)
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace == null || !Defaults.TryGetValue(runspace, out var holder)) return null;
        // Without a session state (argument completion) the runspace's default is taken as it is.
        if (state != null && !Equals(state.PSVariable.GetValue("global:" + MarkerVariable), holder.Marker)) return null;
        return holder;
    }

    /// <summary>The default session of this runspace (whose state is <paramref name="state"/>), or null.</summary>
    public static RrSession Current(SessionState state) => Find(state)?.Session;

    /// <summary>
    /// Makes <paramref name="session"/> this runspace's default. The default it replaces is disposed (its HTTP client,
    /// its ledger file) unless the user was given it (Connect-RrService -PassThru, Get-RrSession): whoever holds it
    /// may still pass it as -Session, and Connect-RrService promises that works. One the user never saw cannot be
    /// reached any more, so nothing else would ever release it.
    /// </summary>
    public static void MakeDefault(RrSession session, bool givenToUser, SessionState state)
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace == null) return;
        var holder = Defaults.GetOrCreateValue(runspace);
        var stillValid = Find(state) != null; // a default left by an earlier -Parallel iteration is not replaced here: it is gone
        var replaced = stillValid ? holder.Session : null;
        var replacedWasGiven = holder.GivenToUser;
        holder.Session = session;
        holder.GivenToUser = givenToUser;
        holder.Marker = Guid.NewGuid().ToString("N");
        state.PSVariable.Set("global:" + MarkerVariable, holder.Marker);
        if (replaced != null && !replacedWasGiven && !ReferenceEquals(replaced, session)) replaced.Dispose();
    }

    /// <summary>Notes that the default session was written to the pipeline, so replacing it must not dispose it.</summary>
    public static void MarkGivenToUser(RrSession session, SessionState state)
    {
        var holder = Find(state);
        if (holder != null && ReferenceEquals(holder.Session, session)) holder.GivenToUser = true;
    }

    /// <summary>Forgets the default session of this runspace (Disconnect-RrService disposes it itself).</summary>
    public static void Clear(SessionState state)
    {
        var holder = Find(state);
        if (holder != null) { holder.Session = null; holder.GivenToUser = false; }
    }
}
