using System;
using System.Management.Automation;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// The one place that turns failures into ErrorRecords, the error contract of about_ReturnsHelper (ERROR
/// CONTRACT): one FullyQualifiedErrorId (RrApi.&lt;Reason&gt;) and one ErrorCategory per
/// <see cref="RrErrorReason"/>, the failing input as TargetObject, a one-sentence message; the details (inventory,
/// reason, the service's error map and code, correlation id, existing recall) stay properties of the exception.
/// </summary>
internal static class ErrorMapper
{
    /// <param name="howToCheckUnknownOutcome">For a write whose outcome is unknown: how to learn what happened (a sentence).</param>
    public static ErrorRecord ToRecord(Exception error, object target, string howToCheckUnknownOutcome = null)
    {
        if (error is RrApiException api)
        {
            api = WithHintWorded(api);
            if (api.Reason == RrErrorReason.OutcomeUnknown)
                api = api.WithMessage(Sentence.Join("No definitive answer came back: " + Sentence.End(api.Message) + " An earlier attempt may have succeeded.",
                    howToCheckUnknownOutcome));
            var record = new ErrorRecord(api, ErrorId(api.Reason), Category(api.Reason), target);
            if (api.Kind == RrErrorKind.Unauthorized)
                record.ErrorDetails = new ErrorDetails(api.Message) { RecommendedAction = "Check the API key and token (User Portal: Settings > Signing Key and API Token) and run Connect-RrService again." };
            return record;
        }
        if (error is ArgumentException)
            return new ErrorRecord(new ArgumentException(Sentence.Of(error), error), "RrInvalidInput", ErrorCategory.InvalidArgument, target);
        return new ErrorRecord(error, "RrUnexpected." + error.GetType().Name, ErrorCategory.NotSpecified, target);
    }

    /// <summary>The core's hint, in the words of this module's cmdlets and parameters.</summary>
    private static RrApiException WithHintWorded(RrApiException api)
    {
        var message = api.Message.TrimEnd('.');
        switch (api.Hint)
        {
            case RrErrorHint.RaiseResponseLimit:
                return api.WithHintWorded(message + " (Connect-RrService -MaxResponseMB raises the limit).");
            case RrErrorHint.ConnectToNewAddress:
                return api.WithHintWorded(message + "; if that is the service's new address, connect to it with Connect-RrService -BaseUri.");
            default:
                return api;
        }
    }

    /// <summary>An id a write accepted without mentioning it in its answer: its outcome is unknown.</summary>
    public static RrApiException MissingFromAnswer(long id, string message)
        => new RrApiException(RrErrorKind.InvalidResponse, message, "POST", null).ForItem(id);

    /// <summary>The FullyQualifiedErrorId (before PowerShell appends ",&lt;command&gt;") of a reason.</summary>
    public static string ErrorId(RrErrorReason reason) => "RrApi." + reason;

    public static ErrorCategory Category(RrErrorReason reason)
    {
        switch (reason)
        {
            case RrErrorReason.AlreadyRecalled: return ErrorCategory.ResourceExists;
            case RrErrorReason.NotFound: return ErrorCategory.ObjectNotFound;
            case RrErrorReason.PendingVas: return ErrorCategory.ResourceBusy;
            case RrErrorReason.OutcomeUnknown: return ErrorCategory.ResourceUnavailable;
            case RrErrorReason.Unauthorized: return ErrorCategory.AuthenticationError;
            case RrErrorReason.Throttled: return ErrorCategory.LimitsExceeded;
            case RrErrorReason.ServiceUnavailable: return ErrorCategory.ResourceUnavailable;
            case RrErrorReason.ConnectionFailed: return ErrorCategory.ConnectionError;
            case RrErrorReason.InvalidResponse: return ErrorCategory.InvalidResult;
            case RrErrorReason.HttpError: return ErrorCategory.ProtocolError;
            default: return ErrorCategory.InvalidOperation; // Rejected, NotEligible, IdempotencyConflict
        }
    }
}
