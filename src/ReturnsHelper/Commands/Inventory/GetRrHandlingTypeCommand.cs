using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>Get-RrHandlingType: the handling types of the environment (Public API handling/getAllHandlings), cached per session.</summary>
[Cmdlet(VerbsCommon.Get, "RrHandlingType", HelpUri = HelpLinks.Base + "Get-RrHandlingType.md")]
[OutputType(typeof(HandlingType))]
public sealed class GetRrHandlingTypeCommand : ReferenceListCmdlet<HandlingType>
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(HandlingCodeCompleter))]
    public string[] HandlingCode { get; set; }

    protected override IEnumerable<string> Keys => HandlingCode;
    protected override string KeyOf(HandlingType item) => item.HandlingCode;
    protected override string Noun => "handling type";

    private protected override Task<IReadOnlyList<HandlingType>> FetchAsync(RrSession session, bool refresh, IRrLog log, CancellationToken ct)
        => ReferenceApi.GetHandlingTypesAsync(session, refresh, log, ct);
}
