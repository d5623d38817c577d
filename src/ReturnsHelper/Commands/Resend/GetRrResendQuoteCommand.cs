using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Get-RrResendQuote: what each resend service type would cost to ship the given inventories (one warehouse, at
/// most one resend's worth) to a destination, cheapest first (Resend/getShippingFeeListByToShippingOption).
/// </summary>
[Cmdlet(VerbsCommon.Get, "RrResendQuote", HelpUri = HelpLinks.Base + "Get-RrResendQuote.md")]
[OutputType(typeof(ResendQuote))]
public sealed class GetRrResendQuoteCommand : RrApiCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id")] // InputIds.InventoryIdNames (a test holds them together)
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] ReturnInventoryId { get; set; }

    /// <summary>ISO 3166 alpha-3 (usa, gbr).</summary>
    [Parameter(Mandatory = true)]
    [Alias("ShipmentCountryCode", "Country")]
    [ValidatePattern("^[A-Za-z]{3}$")]
    public string CountryCode { get; set; }

    [Parameter(Mandatory = true)]
    [Alias("ShipmentPostalCode", "Zip", "ZipCode")]
    [ValidateNotNullOrEmpty]
    public string PostalCode { get; set; }

    private readonly List<long> ids = new List<long>();
    private InputIds reader;

    protected override void BeginProcessing()
        => reader = new InputIds(this, InputIds.InventoryIdNames, "return inventory ID", skipRepeats: true);

    protected override void ProcessRecord()
        => reader.ForEach(ReturnInventoryId ?? new object[] { null }, (id, _) => ids.Add(id));

    protected override void EndProcessing()
    {
        if (ids.Count == 0) return;
        if (ids.Count > ResendApi.MaxGroupSize)
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(
                $"A quote is for one resend, at most {ResendApi.MaxGroupSize} inventories of one warehouse; {ids.Count} were given. Quote a group at a time (New-RrResend makes such groups itself)."),
                "RrTooManyForOneResend", ErrorCategory.InvalidArgument, ids.ToArray()));
        var session = ActiveSession;
        IReadOnlyList<ResendQuote> quotes;
        try
        {
            quotes = Await((log, ct) => ResendApi.QuoteAsync(session, ids, CountryCode, PostalCode, log, ct));
        }
        catch (RrApiException e)
        {
            // A refusal names the ids by index (returnInventoryIdList[n]): one error per named id, else one for all.
            var named = e.Errors.Keys.Select(k => ListIndex.TryParse(k, out var i) && i < ids.Count ? ids[i] : (long?)null).Where(i => i.HasValue).Distinct().ToList();
            if (named.Count == 0 || e.Kind == RrErrorKind.Unauthorized) WriteApiError(e, ids.ToArray());
            else foreach (var id in named) WriteApiError(e.ForItemFromEntries(id.Value, e.Errors.Where(kv => ListIndex.TryParse(kv.Key, out var i) && i < ids.Count && ids[i] == id.Value).ToDictionary(kv => kv.Key, kv => kv.Value)), id.Value);
            return;
        }
        foreach (var quote in quotes) WriteObject(quote);
    }
}
