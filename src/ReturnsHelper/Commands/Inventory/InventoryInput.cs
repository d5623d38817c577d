using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// What the one-request-per-inventory cmdlets share: reading ids from untrusted pipeline input, the
    /// per-item error for a service refusal, and the -WhatIf/-Confirm target text.
    /// </summary>
    internal static class InventoryInput
    {
        /// <summary>Calls <paramref name="act"/> for every valid id; an unusable item is a per-item error and the rest continue.</summary>
        public static void ForEachId(Cmdlet cmdlet, IEnumerable<object> items, Action<long> act)
        {
            foreach (var item in items ?? new object[] { null })
            {
                if (!InputIds.TryRead(item, InputIds.InventoryIdNames, out var id, out var problem))
                {
                    cmdlet.WriteError(new ErrorRecord(new ArgumentException($"Skipped input: {problem}"), "RrInvalidId", ErrorCategory.InvalidArgument, item));
                    continue;
                }
                act(id);
            }
        }

        /// <summary>
        /// A single-inventory call's soft error says what is wrong in its error map (e.g. "Return inventory 5 has
        /// pending VAS requests"); lead with that text instead of the generic "Return Helper rejected ...".
        /// </summary>
        public static Exception ItemError(RrApiException error)
            => error.Kind == RrErrorKind.SoftError && error.Errors.Count > 0
                ? ErrorMapper.ForItem(error, string.Join(" ", error.Errors.Values.Distinct()))
                : error;

        /// <summary>The -WhatIf/-Confirm target: the inventory and the environment it lives in.</summary>
        public static string Describe(RrSession session, long id) => $"return inventory {id} in {session.Environment} ({session.BaseUri})";

        /// <summary>The documented meaning of a handling code, or null for a code the docs do not list.</summary>
        public static string Meaning(string code)
            => Codes.HandlingCodes.Where(p => string.Equals(p.Key, code, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value).FirstOrDefault();
    }
}
