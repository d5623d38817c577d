using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Http;

namespace ReturnsHelper.Batching
{
    /// <summary>
    /// Runs one batch of ids against an all-or-nothing bulk endpoint. When the service rejects the batch
    /// with per-entry errors (keys like <c>returnInventoryIdList[3]</c>), each rejected id is reported on its
    /// own and the rest are resubmitted as a new logical write (a new idempotency key), so one bad id never
    /// blocks the others. Any other failure (after the HTTP core's retries) fails every id still pending,
    /// except bad credentials, which stop everything.
    /// </summary>
    public static class IdBatchRunner
    {
        public static async Task RunAsync<T>(
            IReadOnlyList<long> ids,
            Func<IReadOnlyList<long>, CancellationToken, Task<IReadOnlyList<T>>> submit,
            Action<IReadOnlyList<long>, IReadOnlyList<T>> succeeded,
            Action<long, string, RrApiException> itemFailed,
            CancellationToken cancellationToken)
        {
            var pending = ids.ToList();
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
                        FailAll(pending, e, itemFailed);
                        return;
                    }
                    foreach (var entry in rejected) itemFailed(pending[entry.Key], entry.Value, e);
                    pending = pending.Where((_, index) => !rejected.ContainsKey(index)).ToList();
                }
                catch (RrApiException e) when (e.Kind != RrErrorKind.Unauthorized)
                {
                    FailAll(pending, e, itemFailed);
                    return;
                }
            }
        }

        /// <summary>Index into the submitted list -> the service's message(s) for it.</summary>
        static Dictionary<int, string> RejectedEntries(RrApiException e, int count)
        {
            var rejected = new Dictionary<int, string>();
            foreach (var error in e.Errors)
            {
                if (!ListIndex.TryParse(error.Key, out var index) || index < 0 || index >= count) continue;
                rejected[index] = rejected.TryGetValue(index, out var earlier) ? earlier + " " + error.Value : error.Value;
            }
            return rejected;
        }

        static void FailAll(IEnumerable<long> ids, RrApiException e, Action<long, string, RrApiException> itemFailed)
        {
            foreach (var id in ids) itemFailed(id, e.Message, e);
        }
    }
}
