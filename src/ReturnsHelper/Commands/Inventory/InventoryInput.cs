using System;
using System.Linq;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// What the one-request-per-inventory cmdlets share: the per-item error for a service refusal, the
/// -WhatIf/-Confirm target text and the meaning of a handling code.
/// </summary>
internal static class InventoryInput
{
    /// <summary>
    /// A single-inventory call's error about inventory <paramref name="id"/>: a soft error says what is wrong in its
    /// error map (e.g. "Return inventory 5 has pending VAS requests"), which becomes the message, instead of the
    /// generic "Return Helper rejected ...".
    /// </summary>
    public static RrApiException ItemError(RrApiException error, long id)
        => error.Kind == RrErrorKind.SoftError && error.Errors.Count > 0
            ? error.ForItemFromEntries(id, error.Errors)
            : error.ForItem(id);

    /// <summary>The -WhatIf/-Confirm target: the inventory and the environment it lives in.</summary>
    public static string Describe(RrSession session, long id) => $"return inventory {id} in {session.Environment} ({session.BaseUri})";

    /// <summary>The documented meaning of a handling code, or null for a code the docs do not list.</summary>
    public static string Meaning(string code)
        => Codes.HandlingCodes.Where(p => string.Equals(p.Key, code, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value).FirstOrDefault();
}
