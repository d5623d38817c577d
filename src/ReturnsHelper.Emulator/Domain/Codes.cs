namespace ReturnsHelper.Emulator.Domain;

// The integer values are the ones the older webhook payloads use (section 6.1 of the API research).
internal enum HandlingCode { Tbc = 0, Rtn = 1, Dis = 2, Rsd = 3, Ohd = 4, Oth = 5 }

internal enum HandlingStatus { Pending = 0, InProgress = 1, Completed = 2 }

internal enum RecallStatus { Pending = 0, InProgress = 1, Completed = 2, Canceled = 3 }

internal enum RecallInventoryStatus { InProgress, InTransit, ReadyToPickUp, PickedUp, Canceled }

// resendStatusCode is an integer on the wire (API notes 4.6).
internal enum ResendStatus { Pending = 0, Canceled = 1, InProgress = 2, Completed = 3, Failed = 4 }

/// <summary>Wire spellings of the API's code vocabularies, and parsing that accepts the string or the integer form.</summary>
internal static class Codes
{
    private static readonly string[] HandlingCodeNames = ["tbc", "rtn", "dis", "rsd", "ohd", "oth"];
    private static readonly string[] HandlingStatusNames = ["pending", "inProgress", "completed"];
    private static readonly string[] RecallStatusNames = ["pending", "in-progress", "completed", "canceled"];
    private static readonly string[] RecallInventoryStatusNames = ["in-progress", "in-transit", "ready-to-pick-up", "picked-up", "canceled"];

    /// <summary>What <c>handling/getAllHandlings</c> returns: the source of truth for valid handling codes.</summary>
    public static readonly IReadOnlyList<(HandlingCode Code, string Description)> Handlings =
    [
        (HandlingCode.Tbc, "To Be Confirmed"),
        (HandlingCode.Rtn, "Recall"),
        (HandlingCode.Dis, "Disposal"),
        (HandlingCode.Rsd, "Resend"),
        (HandlingCode.Ohd, "On Hold"),
        (HandlingCode.Oth, "Others"),
    ];

    public static string Wire(this HandlingCode code) => HandlingCodeNames[(int)code];
    public static string Wire(this HandlingStatus status) => HandlingStatusNames[(int)status];
    public static string Wire(this RecallStatus status) => RecallStatusNames[(int)status];
    public static string Wire(this RecallInventoryStatus status) => RecallInventoryStatusNames[(int)status];

    public static bool TryParseHandlingCode(string? text, out HandlingCode code) => TryParse(text, HandlingCodeNames, out code);
    public static bool TryParseHandlingStatus(string? text, out HandlingStatus status) => TryParse(text, HandlingStatusNames, out status);

    /// <summary>Accepts the wire name (any case) or the integer value used by older payloads.</summary>
    private static bool TryParse<T>(string? text, string[] names, out T value) where T : struct, Enum
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        int index = Array.FindIndex(names, n => n.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (index < 0 && int.TryParse(text, out int number) && number >= 0 && number < names.Length)
        {
            index = number;
        }

        if (index < 0)
        {
            return false;
        }

        value = (T)(object)index;
        return true;
    }
}
