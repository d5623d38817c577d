using System.Net;
using System.Text.Json;
using ReturnsHelper.Api;
using ReturnsHelper.Batching;
using ReturnsHelper.Core.Tests.Fakes;
using ReturnsHelper.Http;

namespace ReturnsHelper.Core.Tests;

/// <summary>Partial-success resubmission for all-or-nothing bulk endpoints.</summary>
public class BatchRunnerTests
{
    /// <summary>Runs the batch against a scripted submit and records every callback.</summary>
    private sealed class Run
    {
        public readonly List<IReadOnlyList<long>> Submitted = new();
        public readonly List<(IReadOnlyList<long> Ids, IReadOnlyList<string> Results)> Succeeded = new();
        public readonly List<(long Id, string Message, RrApiException Error)> Failed = new();
        private readonly Queue<Func<IReadOnlyList<long>, IReadOnlyList<string>>> script = new();

        public Run Then(Func<IReadOnlyList<long>, IReadOnlyList<string>> step) { script.Enqueue(step); return this; }
        public Run ThenSucceed() => Then(ids => ids.Select(i => "recall-for-" + i).ToList());
        public Run ThenThrow(RrApiException e) => Then(_ => throw e);

        public Task RunAsync(IReadOnlyList<long> ids, CancellationToken ct = default)
            => IdBatchRunner.RunAsync<string>(ids,
                (pending, _) => { Submitted.Add(pending.ToList()); return Task.FromResult(script.Dequeue()(pending)); },
                (done, results) => Succeeded.Add((done.ToList(), results)),
                (id, e) => Failed.Add((id, e.Message, e)),
                ct);
    }

    private static RrApiException Soft(params (string Key, string Value)[] errors)
        => new(RrErrorKind.SoftError, "Return Helper rejected POST Recall/createRecallByReturnInventoryId.", "POST", "Recall/createRecallByReturnInventoryId",
            200, 400, "VALIDATION_FAILED", errors.ToDictionary(e => e.Key, e => e.Value));

    [Fact]
    public async Task Success_submits_once_with_every_id()
    {
        var run = new Run().ThenSucceed();
        await run.RunAsync(new long[] { 1, 2, 3 });

        Assert.Equal(new long[] { 1, 2, 3 }, Assert.Single(run.Submitted));
        var ok = Assert.Single(run.Succeeded);
        Assert.Equal(new long[] { 1, 2, 3 }, ok.Ids);
        Assert.Equal(new[] { "recall-for-1", "recall-for-2", "recall-for-3" }, ok.Results);
        Assert.Empty(run.Failed);
    }

    [Fact]
    public async Task Per_entry_errors_report_those_ids_and_resubmit_the_rest_in_a_new_call()
    {
        var error = Soft(("returnInventoryIdList[1]", "Return inventory 20 not found."), ("returnInventoryIdList[3]", "Return inventory 40 has pending VAS."));
        var run = new Run().ThenThrow(error).ThenSucceed();
        await run.RunAsync(new long[] { 10, 20, 30, 40 });

        Assert.Equal(2, run.Submitted.Count);
        Assert.Equal(new long[] { 10, 30 }, run.Submitted[1]);
        Assert.Equal(new[] { (20L, "Return inventory 20 not found."), (40L, "Return inventory 40 has pending VAS.") },
            run.Failed.Select(f => (f.Id, f.Message)).OrderBy(f => f.Id));
        Assert.All(run.Failed, f => { Assert.Equal(error.Kind, f.Error.Kind); Assert.Equal(f.Id, f.Error.ItemId); Assert.Single(f.Error.Errors); });
        Assert.Equal(new long[] { 10, 30 }, Assert.Single(run.Succeeded).Ids);
    }

    [Fact]
    public async Task Indexes_of_a_later_round_refer_to_the_resubmitted_list()
    {
        var run = new Run()
            .ThenThrow(Soft(("returnInventoryIdList[0]", "bad 10")))
            .ThenThrow(Soft(("returnInventoryIdList[1]", "bad 30")))
            .ThenSucceed();
        await run.RunAsync(new long[] { 10, 20, 30 });

        Assert.Equal(new[] { new long[] { 10, 20, 30 }, new long[] { 20, 30 }, new long[] { 20 } }, run.Submitted.Select(s => s.ToArray()));
        Assert.Equal(new[] { (10L, "bad 10."), (30L, "bad 30.") }, run.Failed.Select(f => (f.Id, f.Message)));
        Assert.Equal(new long[] { 20 }, Assert.Single(run.Succeeded).Ids);
    }

    [Fact]
    public async Task All_rejected_means_no_resubmission()
    {
        var run = new Run().ThenThrow(Soft(("returnInventoryIdList[0]", "a"), ("returnInventoryIdList[1]", "b")));
        await run.RunAsync(new long[] { 1, 2 });

        Assert.Single(run.Submitted);
        Assert.Empty(run.Succeeded);
        Assert.Equal(new[] { (1L, "a."), (2L, "b.") }, run.Failed.Select(f => (f.Id, f.Message)).OrderBy(f => f.Id));
    }

    [Fact]
    public async Task Multiple_messages_for_one_index_are_joined()
    {
        var run = new Run().ThenThrow(Soft(
            ("returnInventoryIdList[1]", "Not found."),
            ("returnInventoryIdList[1].returnInventoryId", "Already in an active recall."),
            ("returnInventoryIdList[0]", "Has pending VAS."))).ThenSucceed();
        await run.RunAsync(new long[] { 5, 6, 7 });

        var six = Assert.Single(run.Failed, f => f.Id == 6);
        Assert.Contains("Not found.", six.Message);
        Assert.Contains("Already in an active recall.", six.Message);
        Assert.Equal("Has pending VAS.", Assert.Single(run.Failed, f => f.Id == 5).Message);
        Assert.Equal(new long[] { 7 }, run.Submitted[1]);
    }

    [Theory]
    [InlineData("returnInventoryIdList", "'Return Inventory Id List' must not be empty.")]
    [InlineData("returnInventoryIdList[9]", "index outside the submitted list")]
    public async Task An_error_that_names_no_submitted_entry_fails_every_id_once(string key, string message)
    {
        var error = Soft((key, message));
        var run = new Run().ThenThrow(error);
        await run.RunAsync(new long[] { 1, 2, 3 });

        Assert.Single(run.Submitted);
        Assert.Empty(run.Succeeded);
        Assert.Equal(new long[] { 1, 2, 3 }, run.Failed.Select(f => f.Id));
        Assert.All(run.Failed, f =>
        {
            Assert.Equal(error.Message, f.Message);
            Assert.Equal(f.Id, f.Error.ItemId);
            Assert.Equal(error.Errors, f.Error.Errors); // the whole map: it is about every id
            Assert.Equal(error.CorrelationId, f.Error.CorrelationId);
        });
    }

    [Theory]
    [InlineData(RrErrorKind.Transport)]
    [InlineData(RrErrorKind.ServerError)]
    [InlineData(RrErrorKind.Throttled)]
    [InlineData(RrErrorKind.InvalidResponse)]
    [InlineData(RrErrorKind.Conflict)]
    [InlineData(RrErrorKind.NotFound)]
    public async Task Any_other_failure_fails_every_pending_id(RrErrorKind kind)
    {
        var error = new RrApiException(kind, "boom", "POST", "Recall/cancelRecall");
        var run = new Run().ThenThrow(error);
        await run.RunAsync(new long[] { 1, 2 });

        Assert.Single(run.Submitted);
        Assert.Equal(new long[] { 1, 2 }, run.Failed.Select(f => f.Id));
        Assert.All(run.Failed, f => { Assert.Equal(error.Kind, f.Error.Kind); Assert.Equal(error.Message, f.Error.Message); Assert.Equal(f.Id, f.Error.ItemId); });
    }

    [Fact]
    public async Task Unauthorized_is_rethrown_without_failing_ids()
    {
        var error = new RrApiException(RrErrorKind.Unauthorized, "bad credentials", "POST", "Recall/cancelRecall", 401);
        var run = new Run().ThenThrow(error);
        var thrown = await Assert.ThrowsAsync<RrApiException>(() => run.RunAsync(new long[] { 1, 2 }));

        Assert.Same(error, thrown);
        Assert.Empty(run.Failed);
        Assert.Empty(run.Succeeded);
    }

    [Fact]
    public async Task Per_item_errors_carry_their_own_entries_reason_and_existing_recall()
    {
        var error = Soft(("returnInventoryIdList[0]", "Return inventory 5 is already in active recall RCL240416-0000001."),
            ("returnInventoryIdList[1]", "Return inventory 6 has pending VAS requests; resolve them first."),
            ("returnInventoryIdList[2]", "Return inventory 7 was not found."),
            ("returnInventoryIdList[3]", "Return inventory 8 cannot be recalled: handling is 'dis' with status 'pending'."));
        var run = new Run().ThenThrow(error).ThenSucceed();
        await run.RunAsync(new long[] { 5, 6, 7, 8, 9 });

        var byId = run.Failed.ToDictionary(f => f.Id, f => f.Error);
        Assert.Equal(RrErrorReason.AlreadyRecalled, byId[5].Reason);
        Assert.Equal("RCL240416-0000001", byId[5].ExistingRecallNumber);
        Assert.Equal(RrErrorReason.PendingVas, byId[6].Reason);
        Assert.Equal(RrErrorReason.NotFound, byId[7].Reason);
        Assert.Equal(RrErrorReason.NotEligible, byId[8].Reason);
        Assert.All(byId.Values, e => Assert.Null(e.Reason == RrErrorReason.AlreadyRecalled ? null : e.ExistingRecallNumber));
        Assert.Equal(new[] { "returnInventoryIdList[1]" }, byId[6].Errors.Keys);
        Assert.Equal("Return inventory 6 has pending VAS requests; resolve them first.", byId[6].Message); // one sentence, no code or correlation suffix
        Assert.Equal("VALIDATION_FAILED", byId[6].ErrorCode);
    }

    [Fact]
    public async Task What_a_batch_created_is_reported_before_its_rejections()
    {
        var events = new List<string>();
        await IdBatchRunner.RunAsync<string>(new long[] { 1, 2, 3 },
            (pending, _) => pending.Count == 3
                ? throw Soft(("returnInventoryIdList[1]", "Return inventory 2 was not found."))
                : Task.FromResult<IReadOnlyList<string>>(pending.Select(i => "recall " + i).ToList()),
            (ids, results) => events.Add("created " + string.Join(",", ids)),
            (id, e) => events.Add("failed " + id),
            CancellationToken.None);
        Assert.Equal(new[] { "created 1,3", "failed 2" }, events);
    }

    [Theory]
    [InlineData(RrErrorKind.Transport, "POST", RrErrorReason.OutcomeUnknown)]
    [InlineData(RrErrorKind.ServerError, "POST", RrErrorReason.OutcomeUnknown)]
    [InlineData(RrErrorKind.Throttled, "POST", RrErrorReason.OutcomeUnknown)]
    [InlineData(RrErrorKind.InvalidResponse, "POST", RrErrorReason.OutcomeUnknown)]
    [InlineData(RrErrorKind.Transport, "GET", RrErrorReason.ConnectionFailed)]
    [InlineData(RrErrorKind.ServerError, "GET", RrErrorReason.ServiceUnavailable)]
    [InlineData(RrErrorKind.Throttled, "GET", RrErrorReason.Throttled)]
    [InlineData(RrErrorKind.InvalidResponse, "GET", RrErrorReason.InvalidResponse)]
    [InlineData(RrErrorKind.Unauthorized, "POST", RrErrorReason.Unauthorized)]
    [InlineData(RrErrorKind.Conflict, "POST", RrErrorReason.IdempotencyConflict)]
    [InlineData(RrErrorKind.NotFound, "GET", RrErrorReason.NotFound)]
    [InlineData(RrErrorKind.HttpError, "POST", RrErrorReason.HttpError)]
    public void A_write_without_a_definitive_answer_has_an_unknown_outcome(RrErrorKind kind, string method, RrErrorReason reason)
        => Assert.Equal(reason, new RrApiException(kind, "m", method, "p").Reason);

    [Fact]
    public void Sentences_end_with_one_full_stop_and_lose_dotnet_suffixes()
    {
        Assert.Equal("It failed: no answer.", Sentence.Join("It failed:", "no answer."));
        Assert.Equal("It failed: no answer.", Sentence.Join("It failed:", "no answer"));
        Assert.Equal("Done.", Sentence.End("Done.."));
        Assert.Equal("Wait...", Sentence.End("Wait..."));
        Assert.Equal("Bad path.", Sentence.Of(new ArgumentException("Bad path.", "path")));
        Assert.Equal("Gone.", Sentence.Of(new ObjectDisposedException("RrSession", "Gone.")));
    }

    [Fact]
    public async Task A_cancelled_token_stops_before_submitting()
    {
        var run = new Run().ThenSucceed();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.RunAsync(new long[] { 1 }, cts.Token));
        Assert.Empty(run.Submitted);
    }

    // ---- through the real client and RecallApi ----

    [Fact]
    public async Task Through_RecallApi_the_resubmission_is_a_new_logical_write_with_a_new_key()
    {
        using var h = new Harness();
        h.Handler
            .Ok(Wire.Error(400, "VALIDATION_FAILED", Wire.Map(("returnInventoryIdList[1]", "Return inventory 202 is not in a recallable state."))))
            .Ok(Wire.Ok("\"recallList\":[{\"recallId\":900,\"recallNumber\":\"RC-900\",\"recallInventoryList\":[{\"returnInventoryId\":201},{\"returnInventoryId\":203}]}]"));

        var failed = new List<(long Id, string Message)>();
        IReadOnlyList<Recall> created = null;
        IReadOnlyList<long> createdFor = null;
        await IdBatchRunner.RunAsync<Recall>(new long[] { 201, 202, 203 },
            (ids, ct) => RecallApi.CreateAsync(h.Session, ids, h.Log, ct),
            (ids, recalls) => { createdFor = ids; created = recalls; },
            (id, e) => failed.Add((id, e.Message)),
            CancellationToken.None);

        var sent = h.Handler.Requests;
        Assert.Equal(2, sent.Count);
        Assert.Equal(new long[] { 201, 202, 203 }, Ids(sent[0].BodyText));
        Assert.Equal(new long[] { 201, 203 }, Ids(sent[1].BodyText));
        var keys = sent.Select(r => r.Header("x-returnhelper-idempotency-key")).ToList();
        Assert.All(keys, k => Assert.False(string.IsNullOrEmpty(k)));
        Assert.NotEqual(keys[0], keys[1]);

        Assert.Equal(new[] { (202L, "Return inventory 202 is not in a recallable state.") }, failed);
        Assert.Equal(new long[] { 201, 203 }, createdFor);
        Assert.Equal(new long[] { 201, 203 }, Assert.Single(created).ReturnInventoryIds);
    }

    [Fact]
    public async Task Through_RecallApi_a_transport_failure_after_retries_fails_every_id()
    {
        using var h = new Harness(new RetryPolicy { MaxAttempts = 2 });
        h.Handler.Throw(new HttpRequestException("Connection refused")).Throw(new HttpRequestException("Connection refused"));
        var failed = new List<(long Id, RrApiException Error)>();
        await IdBatchRunner.RunAsync<Recall>(new long[] { 1, 2 },
            (ids, ct) => RecallApi.CreateAsync(h.Session, ids, h.Log, ct),
            (_, _) => throw new InvalidOperationException("must not succeed"),
            (id, e) => failed.Add((id, e)),
            CancellationToken.None);

        Assert.Equal(new long[] { 1, 2 }, failed.Select(f => f.Id));
        Assert.All(failed, f => Assert.Equal(RrErrorKind.Transport, f.Error.Kind));
        Assert.Equal(2, h.Handler.Count); // retried once with the same key, never resubmitted as a new write
        Assert.Single(h.Handler.Requests.Select(r => r.Header("x-returnhelper-idempotency-key")).Distinct());
    }

    [Fact]
    public async Task Through_RecallApi_bad_credentials_stop_everything()
    {
        using var h = new Harness();
        h.Handler.Respond(HttpStatusCode.Unauthorized, Wire.Error(401, "UNAUTHORIZED"));
        var e = await Assert.ThrowsAsync<RrApiException>(() => IdBatchRunner.RunAsync<Recall>(new long[] { 1, 2 },
            (ids, ct) => RecallApi.CreateAsync(h.Session, ids, h.Log, ct),
            (_, _) => { }, (_, _) => throw new InvalidOperationException("must not fail ids"), CancellationToken.None));
        Assert.Equal(RrErrorKind.Unauthorized, e.Kind);
    }

    private static long[] Ids(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("returnInventoryIdList").EnumerateArray().Select(e => e.GetInt64()).ToArray();
    }
}
