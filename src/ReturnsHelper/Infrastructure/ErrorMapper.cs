using System;
using System.Management.Automation;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// The one place that turns failures into ErrorRecords: a stable FullyQualifiedErrorId (RrApi.&lt;errorCode or kind&gt;),
    /// a fitting ErrorCategory, the failing input as TargetObject, and the service's details in the message.
    /// </summary>
    internal static class ErrorMapper
    {
        public static ErrorRecord ToRecord(Exception error, object target)
        {
            if (error is RrApiException api)
            {
                var record = new ErrorRecord(api, "RrApi." + api.ErrorId, Category(api), target);
                if (api.Kind == RrErrorKind.Unauthorized)
                    record.ErrorDetails = new ErrorDetails(api.Message) { RecommendedAction = "Check the API key and token (User Portal: Settings > Signing Key and API Token) and run Connect-RrService again." };
                return record;
            }
            if (error is ArgumentException)
                return new ErrorRecord(error, "RrInvalidInput", ErrorCategory.InvalidArgument, target);
            return new ErrorRecord(error, "RrUnexpected." + error.GetType().Name, ErrorCategory.NotSpecified, target);
        }

        /// <summary>A per-item error carved out of a batch failure: the item's own message, the batch's code and correlation id.</summary>
        public static RrApiException ForItem(RrApiException batchError, string itemMessage)
        {
            var errors = new System.Collections.Generic.Dictionary<string, string>();
            return new RrApiException(batchError.Kind, itemMessage ?? batchError.Message, batchError.Method, batchError.Path, batchError.HttpStatus,
                batchError.MetaStatus, batchError.ErrorCode, errors, batchError.CorrelationId, batchError.InnerException);
        }

        static ErrorCategory Category(RrApiException e)
        {
            switch (e.Kind)
            {
                case RrErrorKind.SoftError: return LooksNotFound(e.Message) ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidOperation;
                case RrErrorKind.Unauthorized: return ErrorCategory.AuthenticationError;
                case RrErrorKind.NotFound: return ErrorCategory.ObjectNotFound;
                case RrErrorKind.Conflict: return ErrorCategory.ResourceExists;
                case RrErrorKind.Throttled: return ErrorCategory.LimitsExceeded;
                case RrErrorKind.ServerError: return ErrorCategory.ResourceUnavailable;
                case RrErrorKind.Transport: return ErrorCategory.ConnectionError;
                case RrErrorKind.InvalidResponse: return ErrorCategory.InvalidResult;
                default: return ErrorCategory.ProtocolError;
            }
        }

        static bool LooksNotFound(string message)
            => message.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0
               || message.IndexOf("does not exist", StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
