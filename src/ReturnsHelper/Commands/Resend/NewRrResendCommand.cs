using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Batching;
using ReturnsHelper.Http;
using ReturnsHelper.Ledger;

namespace ReturnsHelper.Commands;

/// <summary>
/// New-RrResend: ships return inventories to a new address. The service takes one warehouse and at most
/// <see cref="ResendApi.MaxGroupSize"/> inventories per resend, so the ids (from the pipeline, like New-RrRecall)
/// are looked up, grouped by ship-to (parameters, or each CSV row's address columns) and warehouse, and split by
/// -GroupSize; each group is one logical write with its own idempotency key. Exactly once like recalls: with the
/// session's ledger, a group is recorded (with its exact body) before it is sent and its resend before it is
/// written; a rerun first resends a group that was never answered with its own key, and sends nothing for ids
/// the ledger knows to be in a resend that was not cancelled.
/// </summary>
[Cmdlet(VerbsCommon.New, "RrResend", HelpUri = HelpLinks.Base + "New-RrResend.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Resend))]
public sealed class NewRrResendCommand : RrBulkCmdlet
{
    private const int MaxTextLength = 255;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("InventoryId", "ReturnInventory", "ReturnInventoryIdList", "Id")] // InputIds.InventoryIdNames (a test holds them together)
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public object[] ReturnInventoryId { get; set; }

    /// <summary>A resend service type of the inventories' warehouse (Shipment/getAvailableShipmentServiceType).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentServiceType", "ServiceTypeCode")]
    [ArgumentCompleter(typeof(ResendServiceTypeCompleter))]
    public string ServiceType { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentName", "ShipToName")]
    public string Name { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentStreet1", "Street", "Address1")]
    public string Street1 { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentStreet2", "Address2")]
    public string Street2 { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentStreet3", "Address3")]
    public string Street3 { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentCity")]
    public string City { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentState", "StateCode")]
    public string State { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentPostalCode", "Zip", "ZipCode")]
    public string PostalCode { get; set; }

    /// <summary>ISO 3166 alpha-3 (usa, gbr).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentCountryCode", "Country")]
    public string CountryCode { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentPhone")]
    public string Phone { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentFax")]
    public string Fax { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ShipmentEmail")]
    public string Email { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string Description { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string Remarks { get; set; }

    /// <summary>The most inventories in one resend (the service's cap, 5 unless the account has a lower one).</summary>
    [Parameter]
    [ValidateRange(1, ResendApi.MaxGroupSize)]
    public int GroupSize { get; set; } = ResendApi.MaxGroupSize;

    /// <summary>Send even the ids the ledger knows to be in a resend that was not cancelled.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>One accepted id, with the input it came from and what its resend must look like.</summary>
    private sealed class Item
    {
        public long Id;
        public object Input;
        public Shipping Shipping;
        public int WarehouseId;
    }

    /// <summary>Service type, address and texts: items that agree on all of them can share a resend.</summary>
    private sealed class Shipping
    {
        public string ServiceType, Description, Remarks;
        public ResendAddress Address;
        public string Key; // the body without ids: equal keys, equal requests

        public byte[] Body(IReadOnlyList<long> ids) => ResendApi.CreateBody(ids, ServiceType, Address, Description, Remarks);
    }

    /// <summary>The ids of one resend to create.</summary>
    private sealed class Group
    {
        public Item[] Items;
        public long[] Ids => Items.Select(i => i.Id).ToArray();
    }

    private const string HowToCheckUnknownOutcome =
        "Run the same command again: with the ledger it resends that group with the same idempotency key, which creates nothing twice; without one, check Get-RrInventory -ReturnInventoryId first (handling code 'rsd' means it was resent).";

    private readonly List<Item> items = new List<Item>();
    private readonly Dictionary<string, Shipping> shippings = new Dictionary<string, Shipping>(StringComparer.Ordinal);
    private InputIds reader;
    private RrSession session;
    private LedgerState known;
    private int throttleLimit;

    protected override void BeginProcessing()
    {
        session = ActiveSession;
        throttleLimit = EffectiveThrottleLimit;
        reader = new InputIds(this, InputIds.InventoryIdNames, "return inventory ID", skipRepeats: true);
        if (session.Ledger != null) known = ReadLedger(session.Ledger);
    }

    protected override void ProcessRecord()
    {
        var shipping = CurrentShipping(out var problems);
        reader.ForEach(ReturnInventoryId ?? new object[] { null }, (id, input) =>
        {
            if (problems.Count > 0)
            {
                // Checked before anything is sent: the service would refuse it, and a CSV row's other ids with it.
                WriteError(new ErrorRecord(new ArgumentException($"Return inventory {id} was not sent: its ship-to is not valid. {string.Join(" ", problems)}"),
                    "RrInvalidShipTo", ErrorCategory.InvalidArgument, input));
                return;
            }
            items.Add(new Item { Id = id, Input = input, Shipping = shipping });
        });
    }

    /// <summary>The ship-to of the current input (the parameters as bound for it), shared with every earlier input that agrees.</summary>
    private Shipping CurrentShipping(out List<string> problems)
    {
        var address = new ResendAddress
        {
            Name = Name,
            Street1 = Street1,
            Street2 = Street2,
            Street3 = Street3,
            City = City,
            State = State,
            PostalCode = PostalCode,
            CountryCode = CountryCode,
            Phone = Phone,
            Fax = Fax,
            Email = Email,
        };
        problems = address.Problems().ToList();
        if (string.IsNullOrWhiteSpace(ServiceType)) problems.Add("ServiceType is required.");
        if ((Description ?? "").Length > MaxTextLength) problems.Add($"Description is {Description.Length} characters long; the service takes at most {MaxTextLength}.");
        if ((Remarks ?? "").Length > MaxTextLength) problems.Add($"Remarks is {Remarks.Length} characters long; the service takes at most {MaxTextLength}.");
        if (problems.Count > 0) return null;
        var shipping = new Shipping { ServiceType = ServiceType.Trim(), Address = address, Description = Description, Remarks = Remarks };
        shipping.Key = Convert.ToBase64String(shipping.Body(new long[0]));
        if (shippings.TryGetValue(shipping.Key, out var same)) return same;
        return shippings[shipping.Key] = shipping;
    }

    protected override void EndProcessing()
    {
        if (items.Count == 0) return;
        // A group sent and never answered is resent after -WhatIf/-Confirm like any group; its ids are never sent anew.
        var unanswered = known == null ? new List<PendingBatch>()
            : items.SelectMany(i => known.PendingWith(i.Id, LedgeredResend.Operation)).Distinct().ToList();
        var approved = unanswered.Where(b => ShouldProcess(
            $"{b.ReturnInventoryId.Length} return inventories ({string.Join(", ", b.ReturnInventoryId)}) of a resend group sent on {b.Since:u} and never answered, with its own idempotency key, in {session.Environment} ({session.BaseUri})",
            "Create resend")).ToList();
        var toSend = Await((log, ct) => ResolveFromLedgerAndLookUpAsync(unanswered, approved, log, ct));
        var groups = Plan(toSend).Where(g => ShouldProcess(Describe(g), "Create resend")).ToList();
        if (groups.Count == 0) return;
        Await(async (log, ct) =>
        {
            foreach (var group in groups)
                await SendAsync(group.Ids, group.Items[0].Shipping.Body(group.Ids), null, InputsOf(group.Items), log, ct).ConfigureAwait(false);
        });
        if (known != null && known.WorthCompacting)
        {
            try { session.Ledger.CompactIfWorthIt(); }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException) { WriteVerbose($"The ledger {session.Ledger.Path} was not compacted this time: {e.Message}"); }
        }
    }

    /// <summary>
    /// First the ledger: the <paramref name="approved"/> groups of <paramref name="unanswered"/> (sent and never
    /// answered) are resent with their own key and body; an id in a known resend is answered with it. Then the rest
    /// are looked up for their warehouse; an id that cannot be is a per-item error. Returns the items still to send.
    /// </summary>
    private async Task<List<Item>> ResolveFromLedgerAndLookUpAsync(List<PendingBatch> unanswered, List<PendingBatch> approved, IRrLog log, CancellationToken ct)
    {
        var remaining = new List<Item>(items);
        if (known != null)
        {
            foreach (var batch in unanswered)
            {
                var covered = remaining.Where(i => batch.ReturnInventoryId.Contains(i.Id)).ToArray();
                remaining.RemoveAll(covered.Contains);
                if (!approved.Contains(batch)) continue;
                log.Verbose($"Resending a resend group sent on {batch.Since:u} and never answered ({string.Join(", ", batch.ReturnInventoryId)}), with its own idempotency key.");
                await SendAsync(batch.ReturnInventoryId, LedgeredResend.BodyOf(batch), batch.IdempotencyKey, InputsOf(covered), log, ct).ConfigureAwait(false);
            }
            if (!Force)
            {
                var existing = remaining.Select(i => known.ActiveRecordOf(LedgeredResend.Operation, i.Id)).Where(r => r != null).Distinct().ToList();
                foreach (var record in existing)
                {
                    remaining.RemoveAll(i => record.ReturnInventoryId.Contains(i.Id));
                    var resend = await DescribeExistingAsync(record, log, ct).ConfigureAwait(false);
                    Post(() => WriteObject(resend));
                }
                if (existing.Count > 0)
                    Post(() => WriteWarning($"{existing.Sum(r => r.ReturnInventoryId.Length)} of the given return inventories were already in {existing.Count} resend(s) according to the ledger, so nothing was sent for them; those resends were written with AlreadyExisted = True. Use -Force to send them anyway."));
            }
        }

        // The warehouse decides the group (the service takes one warehouse per resend): one lookup per id.
        using (var throttle = new SemaphoreSlim(throttleLimit))
        {
            var lookups = remaining.Select(async item =>
            {
                await throttle.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    item.WarehouseId = (await InventoryApi.GetAsync(session, item.Id, log, ct).ConfigureAwait(false)).WarehouseId ?? 0;
                    return true;
                }
                catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
                {
                    Post(() => WriteApiError(e.ForItem(item.Id), item.Input));
                    return false;
                }
                finally { throttle.Release(); }
            }).ToList();
            var found = await Task.WhenAll(lookups).ConfigureAwait(false);
            var toSend = remaining.Where((_, index) => found[index]).ToList();
            if (toSend.Count > 0) await CheckServiceTypesAsync(toSend, log, ct).ConfigureAwait(false);
            return toSend;
        }
    }

    /// <summary>A service type the warehouse does not offer is refused here, naming the ones it does (per item, not sent).</summary>
    private async Task CheckServiceTypesAsync(List<Item> toSend, IRrLog log, CancellationToken ct)
    {
        IReadOnlyList<ResendServiceType> types;
        try { types = await ResendApi.GetServiceTypesAsync(session, false, log, ct).ConfigureAwait(false); }
        catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
        {
            log.Verbose($"The resend service types could not be read ({e.Message}); the service checks them.");
            return;
        }
        foreach (var item in toSend.ToList())
        {
            var offered = types.Where(t => t.WarehouseId == item.WarehouseId && !t.NeedsCustomerService).ToList();
            if (offered.Count == 0 || offered.Any(t => string.Equals(t.ServiceTypeCode, item.Shipping.ServiceType, StringComparison.OrdinalIgnoreCase))) continue;
            toSend.Remove(item);
            var message = $"Return inventory {item.Id} was not sent: warehouse {item.WarehouseId} has no resend service type '{item.Shipping.ServiceType}'; it offers {string.Join(", ", offered.Select(t => t.ServiceTypeCode))}.";
            Post(() => WriteError(new ErrorRecord(new ArgumentException(message), "RrInvalidServiceType", ErrorCategory.InvalidArgument, item.Input)));
        }
    }

    private async Task<Resend> DescribeExistingAsync(LedgerRecord record, IRrLog log, CancellationToken ct)
    {
        Resend resend;
        try { resend = await ResendApi.GetAsync(session, record.Id, log, ct).ConfigureAwait(false); }
        catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
        {
            log.Verbose($"Resend {record.Number ?? record.Id.ToString()} could not be read ({e.Message}); written as the ledger knows it.");
            resend = new Resend { ResendId = record.Id, ResendNumber = record.Number, ReturnInventoryIds = new InventoryIdList(record.ReturnInventoryId), Environment = session.Environment.ToString() };
        }
        resend.AlreadyExisted = true;
        return resend;
    }

    /// <summary>Groups by ship-to and warehouse in input order, split by -GroupSize, and says so.</summary>
    private List<Group> Plan(List<Item> toSend)
    {
        var groups = new List<Group>();
        foreach (var byTarget in toSend.GroupBy(i => (i.Shipping.Key, i.WarehouseId)))
        {
            var chunk = byTarget.ToList();
            for (var start = 0; start < chunk.Count; start += GroupSize)
                groups.Add(new Group { Items = chunk.Skip(start).Take(GroupSize).ToArray() });
        }
        WriteVerbose($"{toSend.Count} return inventories make {groups.Count} resend(s) (one warehouse and one ship-to each, at most {GroupSize} inventories).");
        foreach (var group in groups) WriteVerbose(Describe(group));
        return groups;
    }

    private string Describe(Group group)
    {
        var first = group.Items[0];
        return $"{group.Items.Length} return inventor{(group.Items.Length == 1 ? "y" : "ies")} ({string.Join(", ", group.Ids)}) from warehouse {first.WarehouseId} by {first.Shipping.ServiceType} to {first.Shipping.Address} in {session.Environment} ({session.BaseUri})";
    }

    private static Dictionary<long, object> InputsOf(IEnumerable<Item> items) => items.ToDictionary(i => i.Id, i => i.Input);

    /// <summary>
    /// One group as one logical write: <paramref name="body"/> with <paramref name="key"/> (null: a new one; a
    /// pending batch from the ledger keeps its own). Ids the service refuses become per-item errors and the rest
    /// are sent again as a new write with the same ship-to (see <see cref="IdBatchRunner"/>).
    /// </summary>
    private async Task SendAsync(long[] ids, byte[] body, string key, Dictionary<long, object> inputs, IRrLog log, CancellationToken ct)
    {
        var first = true;
        try
        {
            await IdBatchRunner.RunAsync<Resend>(
                ids,
                async (batch, token) =>
                {
                    var batchBody = first ? body : ResendApi.WithIds(body, batch);
                    var batchKey = first ? key : null;
                    first = false;
                    return new[] { await LedgeredResend.CreateAsync(session, batch, batchBody, batchKey, log, token).ConfigureAwait(false) };
                },
                (_, resends) => Post(() => { foreach (var r in resends) WriteObject(r); }),
                (id, error) => Post(() => WriteApiError(error, inputs.TryGetValue(id, out var input) ? input : id, HowToCheckUnknownOutcome)),
                ct).ConfigureAwait(false);
        }
        catch (RrApiException e)
        {
            // Only bad credentials get here: terminating.
            Post(() => WriteApiError(e, ids));
        }
    }
}
