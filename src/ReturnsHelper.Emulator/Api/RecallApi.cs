using System.Text.Json;
using ReturnsHelper.Emulator.Domain;
using ReturnsHelper.Emulator.Http;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Api;

/// <summary>User API <c>Recall/*</c>: all four endpoints take an id list and run one all-or-nothing batch operation.</summary>
internal static class RecallApi
{
    private delegate List<Recall>? BatchOperation(StateData data, Account owner, long?[] ids, ValidationErrors errors, DateTime now);

    public static void Map(ApiRoutes routes)
    {
        routes.Post(ApiSurface.User, "Recall/createRecallByReturnInventoryId", request =>
            Execute(request, IdListSpec.ReturnInventories, RecallOperations.Create, WriteRecallList));

        // The legacy form answers with the first recall's id and number only.
        routes.Post(ApiSurface.User, "Recall/createRecall", request =>
            Execute(request, IdListSpec.ReturnInventories, RecallOperations.Create, (writer, recalls, _) =>
            {
                writer.WriteNumber("recallId", recalls[0].RecallId);
                writer.WriteString("recallNumber", recalls[0].RecallNumber);
            }));

        routes.Post(ApiSurface.User, "Recall/cancelRecall", request =>
            Execute(request, IdListSpec.Recalls, RecallOperations.Cancel, WriteRecallList));

        routes.Post(ApiSurface.User, "Recall/cancelRecallByReturnInventoryId", request =>
            Execute(request, IdListSpec.ReturnInventories, RecallOperations.CancelByInventory, WriteRecallList));
    }

    private static void WriteRecallList(Utf8JsonWriter writer, List<Recall> recalls, ApiRequest request) =>
        WireFormat.WriteRecallList(writer, recalls, request.Variants.RecallShape);

    private static ApiResult Execute(
        ApiRequest request,
        IdListSpec spec,
        BatchOperation operation,
        Action<Utf8JsonWriter, List<Recall>, ApiRequest> writePayload)
    {
        var errors = new ValidationErrors();
        var ids = request.ReadIdList(spec, errors);
        if (ids is null)
        {
            return request.Invalid(errors);
        }

        // Parse errors do not stop the state checks: the caller gets every failing index in one answer.
        return request.Run(data =>
        {
            var recalls = operation(data, request.Account, ids, errors, request.Now);
            return recalls is null ? request.Invalid(errors) : request.Ok(writer => writePayload(writer, recalls, request));
        });
    }
}
