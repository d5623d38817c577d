using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Set-RrInventoryHandling: tells the warehouse what to do with inventories (ReturnInventory/UpdateReturnInventoryHandling).
    /// A code the endpoint refuses, or one the environment's handling types do not have, is refused before any call.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "RrInventoryHandling", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(Inventory))]
    public sealed class SetRrInventoryHandlingCommand : InventoryHandlingCmdlet
    {
        string code;

        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SettableHandlingCodeCompleter))]
        public string HandlingCode { get; set; }

        protected override string ActionText
        {
            get
            {
                var meaning = InventoryInput.Meaning(code);
                return $"Set handling to '{code}'" + (meaning == null ? "" : $" ({meaning})");
            }
        }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            code = Codes.Handling(HandlingCode.Trim()); // 2 -> dis, DIS -> dis
            if (Codes.ForbiddenHandlingUpdates.TryGetValue(code, out var reason))
                Refuse(reason);
            var types = KnownHandlingTypes();
            if (types != null && types.Length > 0 && !types.Contains(code, StringComparer.OrdinalIgnoreCase))
                Refuse($"'{code}' is not a handling type of {ActiveSession.Environment}; use one of: "
                       + string.Join(", ", types.Where(t => !Codes.ForbiddenHandlingUpdates.ContainsKey(t))) + ".");
        }

        protected override Task SendAsync(RrSession session, long id, IRrLog log, CancellationToken ct)
            => InventoryApi.UpdateHandlingAsync(session, id, code, log, ct);

        /// <summary>The environment's handling codes (cached per session), or null when they cannot be read: the service still checks.</summary>
        string[] KnownHandlingTypes()
        {
            var session = ActiveSession;
            try
            {
                return Await((log, ct) => ReferenceApi.GetHandlingTypesAsync(session, false, log, ct))
                    .Select(t => t.HandlingCode).Where(c => !string.IsNullOrEmpty(c)).ToArray();
            }
            catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
            {
                WriteVerbose($"Could not read the handling types to check '{code}' ({e.Message}); the service will check it.");
                return null;
            }
            catch (RrApiException e)
            {
                WriteApiError(e, code);
                return null;
            }
        }

        void Refuse(string reason)
            => ThrowTerminatingError(new ErrorRecord(new ArgumentException($"Cannot set handling code '{code}': {reason}"),
                "RrHandlingCodeNotSettable", ErrorCategory.InvalidArgument, HandlingCode));
    }
}
