using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>Get-RrVasType: the value-added services of the environment (Public API vas/getAllVas), cached per session.</summary>
[Cmdlet(VerbsCommon.Get, "RrVasType", HelpUri = HelpLinks.Base + "Get-RrVasType.md")]
[OutputType(typeof(VasType))]
public sealed class GetRrVasTypeCommand : ReferenceListCmdlet<VasType>
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VasCodeCompleter))]
    public string[] VasCode { get; set; }

    protected override IEnumerable<string> Keys => VasCode;
    protected override string KeyOf(VasType item) => item.VasCode;
    protected override string Noun => "value-added service";

    private protected override Task<IReadOnlyList<VasType>> FetchAsync(RrSession session, bool refresh, IRrLog log, CancellationToken ct)
        => VasApi.GetVasTypesAsync(session, refresh, log, ct);
}

/// <summary>
/// Completes value-added-service codes with their meanings: the session's services (vas/getAllVas) when known, else
/// the documented codes; a service that needs -Quantity says so.
/// </summary>
public sealed class VasCodeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = CompletionSupport.Word(wordToComplete);
        var session = CompletionSupport.SessionFrom(fakeBoundParameters);
        var types = CompletionSupport.ReferenceList(session, VasApi.VasTypesKey, (s, ct) => VasApi.GetVasTypesAsync(s, false, null, ct));
        var services = types != null && types.Count > 0
            ? types.Where(t => !string.IsNullOrEmpty(t.VasCode))
                .Select(t => new KeyValuePair<string, string>(t.VasCode, t.VasDescription + (t.RequiresQuantity ? " (needs -Quantity)" : "")))
            : VasRules.DocumentedServices;
        return services
            .Where(s => s.Key.StartsWith(word, System.StringComparison.OrdinalIgnoreCase))
            .Select(s => CompletionSupport.Result(s.Key, s.Key + (string.IsNullOrEmpty(s.Value) ? "" : " - " + s.Value), s.Value))
            .ToList();
    }
}
