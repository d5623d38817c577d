using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;

namespace ReturnsHelper.Batching;

/// <summary>
/// Runs one batch of ids against an all-or-nothing bulk endpoint. When the service rejects the batch
/// with per-entry errors (keys like <c>returnInventoryIdList[3]</c>), each rejected id gets its own error
/// (the entries about it, its reason) and the rest are resubmitted as a new logical write (a new idempotency
/// key), so one bad id never blocks the others. Any other failure (after the HTTP core's retries) fails every
/// id still pending, except bad credentials, which stop everything.
///
/// Order: what the batch created is reported before any of the batch's errors, so a caller that stops at its
/// first error (-ErrorAction Stop) has already written everything that was created.
/// </summary>
internal static class IdBatchRunner
{
    public static async Task RunAsync<T>(
        IReadOnlyList<long> ids,
        Func<IReadOnlyList<long>, CancellationToken, Task<IReadOnlyList<T>>> submit,
        Action<IReadOnlyList<long>, IReadOnlyList<T>> succeeded,
        Action<long, RrApiException> itemFailed,
        CancellationToken cancellationToken)
    {
        var pending = ids.ToList();
        var failures = new List<KeyValuePair<long, RrApiException>>();
        try
        {
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var results = await submit(pending, cancellationToken).ConfigureAwait(false);
                    succeeded(pending, results);
                    return;
                }
                catch (RrApiException e) when (e.Kind == RrErrorKind.SoftError && e.HasPerEntryErrors)
                {
                    var rejected = RejectedEntries(e, pending.Count);
                    if (rejected.Count == 0)
                    {
                        failures.AddRange(pending.Select(id => Failure(id, e.ForItem(id))));
                        return;
                    }
                    foreach (var entry in rejected)
                    {
                        var id = pending[entry.Key];
                        failures.Add(Failure(id, e.ForItemFromEntries(id, entry.Value)));
                    }
                    pending = pending.Where((_, index) => !rejected.ContainsKey(index)).ToList();
                }
                catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
                {
                    failures.AddRange(pending.Select(id => Failure(id, e.ForItem(id))));
                    return;
                }
            }
        }
        finally
        {
            // After the results (or before bad credentials stop everything): rejections already made are real.
            foreach (var failure in failures) itemFailed(failure.Key, failure.Value);
        }
    }

    private static KeyValuePair<long, RrApiException> Failure(long id, RrApiException error) => new KeyValuePair<long, RrApiException>(id, error);

    /// <summary>Index into the submitted list -> the error-map entries about it.</summary>
    private static Dictionary<int, Dictionary<string, string>> RejectedEntries(RrApiException e, int count)
    {
        var rejected = new Dictionary<int, Dictionary<string, string>>();
        foreach (var error in e.Errors)
        {
            if (!ListIndex.TryParse(error.Key, out var index) || index < 0 || index >= count) continue;
            if (!rejected.TryGetValue(index, out var entries)) rejected[index] = entries = new Dictionary<string, string>();
            entries[error.Key] = error.Value;
        }
        return rejected;
    }
}
