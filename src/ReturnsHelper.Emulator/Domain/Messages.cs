using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Domain;

/// <summary>
/// Every soft-error message, worded like the real service's FluentValidation messages
/// (<c>'Split Property Name' must ...</c>) and naming the id the message is about.
/// </summary>
internal static class Messages
{
    public static string NotEmpty(string displayName) => $"'{displayName}' must not be empty.";

    public static string TooMany(IdListSpec spec) => $"'{spec.DisplayName}' must not contain more than {spec.MaxItems} items.";

    public static string ItemNotPositive(IdListSpec spec, int index) => $"'{spec.DisplayName}[{index}]' must be greater than '0'.";

    public static string NotPositive(string displayName) => $"'{displayName}' must be greater than '0'.";

    /// <summary>ASP.NET Core's model-binding message for a value of the wrong type.</summary>
    public static string NotValid(string raw) => $"The value '{raw}' is not valid.";

    public static string NotFound(IdListSpec spec, long id) => $"{spec.Entity} {id} was not found.";

    public static string InventoryNotFound(long id) => NotFound(IdListSpec.ReturnInventories, id);

    public static string Duplicate(IdListSpec spec, long id) => $"{spec.Entity} {id} appears more than once in the list.";

    public static string NotRecallable(Inventory inventory) =>
        $"Return inventory {inventory.ReturnInventoryId} cannot be recalled: handling is '{inventory.HandlingCode.Wire()}' with status " +
        $"'{inventory.HandlingStatusCode.Wire()}'; only 'tbc' or 'ohd' with status 'pending' can be recalled.";

    public static string AlreadyInRecall(long id, Recall recall) => $"Return inventory {id} is already in active recall {recall.RecallNumber}.";

    public static string InRecallCancelItInstead(long id, Recall recall) =>
        $"Return inventory {id} is in active recall {recall.RecallNumber}; cancel the recall instead.";

    public static string PendingVas(long id) => $"Return inventory {id} has pending VAS requests; resolve them first.";

    public static string RecallNotCancellable(Recall recall) =>
        $"Recall {recall.RecallId} cannot be cancelled: its status is '{recall.RecallStatusCode.Wire()}'.";

    public static string NotInRecall(long id) => $"Return inventory {id} is not in an active recall.";

    public static string RecallInventoryNotCancellable(long id, Recall recall) =>
        $"Return inventory {id} cannot be removed from recall {recall.RecallNumber}: its status is '{recall.RecallStatusCode.Wire()}'.";

    public static string HandlingNotPending(Inventory inventory) =>
        $"Return inventory {inventory.ReturnInventoryId} cannot be changed: its handling status is '{inventory.HandlingStatusCode.Wire()}'.";

    public static string NothingToCancel(long id) => $"Return inventory {id} has no handling to cancel: its handling is 'tbc'.";

    public static string UnknownHandlingCode(string code) => $"'{code}' is not a valid handling code; see handling/getAllHandlings.";

    public static string HandlingCodeNotSettable(HandlingCode code) => code switch
    {
        HandlingCode.Tbc => "Handling code 'tbc' cannot be set: it is the initial state; use ReturnInventory/CancelReturnInventoryHandling.",
        HandlingCode.Rsd => "Handling code 'rsd' cannot be set here; use Resend/createResend.",
        _ => $"Handling code '{code.Wire()}' cannot be set here; use Recall/createRecallByReturnInventoryId.",
    };

    public static string PageSize(int value, int max) => $"'Page Size' must be between 1 and {max}. You entered {value}.";

    public static string Offset() => "'Offset' must be greater than or equal to '0'.";

    public static string WindowOrder() => "'Create To' must be greater than 'Create From'.";

    public static string WindowTooWide(int maxDays) => $"The period between 'Create From' and 'Create To' must not exceed {maxDays} days.";

    public static string BodyNotJson() => "The request body is not valid JSON.";
}
