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
        sealed class Holder { public RrSession Session; }

        static readonly ConditionalWeakTable<Runspace, Holder> Defaults = new ConditionalWeakTable<Runspace, Holder>();

        public static RrSession Current
        {
            get
            {
                var runspace = Runspace.DefaultRunspace;
                return runspace != null && Defaults.TryGetValue(runspace, out var holder) ? holder.Session : null;
            }
            set
            {
                var runspace = Runspace.DefaultRunspace;
                if (runspace != null) Defaults.GetOrCreateValue(runspace).Session = value;
            }
        }
    }
}
