using System;
using System.Collections.Generic;

namespace ReturnsHelper;

/// <summary>
/// The documented code vocabularies, and their normalisation: some payloads send integers
/// (older webhooks) where the API sends strings. Everything the module emits uses the strings.
/// </summary>
internal static class Codes
{
    /// <summary>Handling codes with their documented meanings (API notes section 6.1).</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> HandlingCodes = new[]
    {
        Pair("tbc", "To be confirmed (initial state after arrival)"),
        Pair("rtn", "Recall to the Hong Kong warehouse"),
        Pair("dis", "Dispose"),
        Pair("rsd", "Resend"),
        Pair("ohd", "On hold"),
        Pair("oth", "Others"),
    };

    /// <summary>
    /// Codes UpdateReturnInventoryHandling refuses, with the reason shown before any call is made (one clause, no
    /// full stop: the cmdlet layer may add what to use instead).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ForbiddenHandlingUpdates =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["tbc"] = "'tbc' is the initial state and cannot be set",
            ["rsd"] = "'rsd' (resend) has its own endpoint (Resend/createResend) and cannot be set as a handling",
            ["rtn"] = "'rtn' (recall) is set by creating a recall",
        };

    private static readonly string[] HandlingByInt = { "tbc", "rtn", "dis", "rsd", "ohd", "oth" };
    private static readonly string[] HandlingStatusByInt = { "pending", "inProgress", "completed" };
    private static readonly string[] RecallStatusByInt = { "pending", "in-progress", "completed", "canceled" };

    /// <summary>Recall update types: the 2024 wire spellings, indexed by the 2021 integer codes.</summary>
    private static readonly string[] RecallUpdateByInt = { "updateTrackingNumber", "markReadyToPickUp", "pickUpToSelfPickUp", "pickUpToCourierPickUp", "pickUpToOthers" };

    /// <summary>Every documented spelling of a recall update type, mapped to one canonical name.</summary>
    private static readonly Dictionary<string, string> RecallUpdateAliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["updateTrackingNumber"] = "updateTrackingNumber",
        ["recallUpdateTrackingNumber"] = "updateTrackingNumber",
        ["markReadyToPickUp"] = "markReadyToPickUp",
        ["readyToPickUp"] = "markReadyToPickUp",
        ["recallMarkReadyToPickUp"] = "markReadyToPickUp",
        ["pickUpToSelfPickUp"] = "pickUpToSelfPickUp",
        ["pickupBySelf"] = "pickUpToSelfPickUp",
        ["recallPickUpToSelfPickUp"] = "pickUpToSelfPickUp",
        ["pickUpToCourierPickUp"] = "pickUpToCourierPickUp",
        ["pickupByCourier"] = "pickUpToCourierPickUp",
        ["recallPickUpToCourierPickUp"] = "pickUpToCourierPickUp",
        ["pickUpToOthers"] = "pickUpToOthers",
        ["pickupByOthers"] = "pickUpToOthers",
        ["recallPickUpToOthers"] = "pickUpToOthers",
    };

    public static string Handling(string raw) => Normalise(raw, HandlingByInt);
    public static string HandlingStatus(string raw)
    {
        var s = Normalise(raw, HandlingStatusByInt);
        // FBA-style spelling seen in some payloads.
        return string.Equals(s, "in-progress", StringComparison.OrdinalIgnoreCase) ? "inProgress" : s;
    }
    public static string RecallStatus(string raw) => Normalise(raw, RecallStatusByInt);

    public static string RecallUpdateType(string raw)
    {
        var s = Normalise(raw, RecallUpdateByInt);
        return s != null && RecallUpdateAliases.TryGetValue(s, out var canonical) ? canonical : s;
    }

    private static string Normalise(string raw, string[] byInt)
    {
        if (string.IsNullOrEmpty(raw)) return raw;
        if (int.TryParse(raw, out var i)) return i >= 0 && i < byInt.Length ? byInt[i] : raw;
        foreach (var known in byInt)
            if (string.Equals(known, raw, StringComparison.OrdinalIgnoreCase)) return known;
        return raw; // unknown codes pass through unchanged
    }

    private static KeyValuePair<string, string> Pair(string k, string v) => new KeyValuePair<string, string>(k, v);
}
