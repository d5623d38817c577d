using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;
using ReturnsHelper.Ledger;

namespace ReturnsHelper.Webhooks;

/// <summary>
/// Receive-RrWebhook -RecallNewInventory: recalls the inventories of newInventoryCreated events, up to 100 per
/// request, through New-RrRecall's exactly-once path (<see cref="LedgeredRecall"/>: the ledger's write-ahead, and
/// the batch's idempotency key from <see cref="WebhookProcessor"/>, which resends a batch unchanged until it is answered).
/// </summary>
internal sealed class WebhookRecallAction : IWebhookBatchAction
{
    /// <summary>Recalled inventories between two checks of whether the ledger is worth compacting (a check reads the whole ledger).</summary>
    private const int LedgerCheckEvery = 1000;

    private readonly RrSession session;
    private readonly IRrLog log;
    private readonly Action<Recall> write;
    private int sinceCompaction;

    /// <param name="write">Gets each created recall, after the ledger recorded it.</param>
    public WebhookRecallAction(RrSession session, IRrLog log, Action<Recall> write)
    {
        this.session = session ?? throw new ArgumentNullException(nameof(session));
        this.log = log ?? NullLog.Instance;
        this.write = write ?? (_ => { });
        CompactLedger(); // what earlier runs left superseded
    }

    public string Name => "recall";

    public int MaxBatchSize => RecallApi.MaxBatchSize;

    public long? IdOf(WebhookEvent e) => e is NewInventoryCreatedEvent created && created.ReturnInventoryId > 0 ? created.ReturnInventoryId : (long?)null;

    public async Task<IReadOnlyList<KeyValuePair<long, string>>> SendAsync(IReadOnlyList<long> ids, string idempotencyKey, CancellationToken ct)
    {
        var recalls = await LedgeredRecall.CreateAsync(session, ids, idempotencyKey, log, ct).ConfigureAwait(false);
        foreach (var recall in recalls) write(recall);
        // Each recall supersedes its write-ahead line: like New-RrRecall at its end, a long run compacts the
        // ledger when that is worth it.
        sinceCompaction += ids.Count;
        if (sinceCompaction >= LedgerCheckEvery)
        {
            sinceCompaction = 0;
            CompactLedger();
        }
        return ids.Select(id => new KeyValuePair<long, string>(id,
            recalls.FirstOrDefault(r => r.RecallInventoryList.Any(i => i.ReturnInventoryId == id))?.RecallNumber)).ToList();
    }

    public bool IsDoneAlready(RrApiException itemError, out string doneWith)
    {
        doneWith = itemError.ExistingRecallNumber;
        if (itemError.Reason != RrErrorReason.AlreadyRecalled) return false;
        // Done already (by an earlier attempt whose answer was lost, or by hand): recalling again would be wrong.
        log.Verbose($"Inventory {itemError.ItemId} is already recalled{(doneWith == null ? "" : " in " + doneWith)}: nothing to do.");
        return true;
    }

    private void CompactLedger()
    {
        var ledger = session.Ledger;
        if (ledger == null) return;
        try
        {
            if (ledger.CompactIfWorthIt()) log.Verbose($"Compacted the recall ledger {ledger.Path}.");
        }
        catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
        {
            log.Verbose($"The recall ledger {ledger.Path} was not compacted this time: {e.Message}");
        }
    }
}
