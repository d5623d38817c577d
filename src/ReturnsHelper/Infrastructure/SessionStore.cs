using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// The default session belongs to the runspace, not the process: parallel runspaces (ForEach-Object
    /// -Parallel, thread jobs) each have their own and cannot overwrite each other's.
    /// </summary>
    internal static class SessionStore
    {
        sealed class Holder
        {
            public RrSession Session;
            public bool GivenToUser;
        }

        static readonly ConditionalWeakTable<Runspace, Holder> Defaults = new ConditionalWeakTable<Runspace, Holder>();

        static Holder Find()
        {
            var runspace = Runspace.DefaultRunspace;
            return runspace != null && Defaults.TryGetValue(runspace, out var holder) ? holder : null;
        }

        /// <summary>The default session of this runspace, or null.</summary>
        public static RrSession Current => Find()?.Session;

        /// <summary>
        /// Makes <paramref name="session"/> this runspace's default. The default it replaces is disposed (its HTTP client,
        /// its ledger file) unless the user was given it (Connect-RrService -PassThru, Get-RrSession): whoever holds it
        /// may still pass it as -Session, and Connect-RrService promises that works. One the user never saw cannot be
        /// reached any more, so nothing else would ever release it.
        /// </summary>
        public static void MakeDefault(RrSession session, bool givenToUser)
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace == null) return;
            var holder = Defaults.GetOrCreateValue(runspace);
            var replaced = holder.Session;
            var replacedWasGiven = holder.GivenToUser;
            holder.Session = session;
            holder.GivenToUser = givenToUser;
            if (replaced != null && !replacedWasGiven && !ReferenceEquals(replaced, session)) replaced.Dispose();
        }

        /// <summary>Notes that the default session was written to the pipeline, so replacing it must not dispose it.</summary>
        public static void MarkGivenToUser(RrSession session)
        {
            var holder = Find();
            if (holder != null && ReferenceEquals(holder.Session, session)) holder.GivenToUser = true;
        }

        /// <summary>Forgets the default session of this runspace (Disconnect-RrService disposes it itself).</summary>
        public static void Clear()
        {
            var holder = Find();
            if (holder != null) { holder.Session = null; holder.GivenToUser = false; }
        }
    }
}
