using ReturnsHelper.Emulator.Domain;
using ReturnsHelper.Emulator.Http;

namespace ReturnsHelper.Emulator.Api;

/// <summary>User API <c>ReturnInventory/*</c>.</summary>
internal static class ReturnInventoryApi
{
    public const int MaxWindowDays = 62;

    public static void Map(ApiRoutes routes)
    {
        routes.Get(ApiSurface.User, "ReturnInventory/GetReturnInventory", GetReturnInventory);
        routes.Get(ApiSurface.User, "ReturnInventory/list", List);
        routes.Post(ApiSurface.User, "ReturnInventory/UpdateReturnInventoryHandling", UpdateHandling);
        routes.Post(ApiSurface.User, "ReturnInventory/CancelReturnInventoryHandling", CancelHandling);
    }

    private static ApiResult GetReturnInventory(ApiRequest request)
    {
        var errors = new ValidationErrors();
        if (request.ReadQueryId(HandlingOperations.IdProperty, "Return Inventory Id", errors) is not long id)
        {
            return request.Invalid(errors);
        }

        return request.Run(data =>
        {
            var inventory = data.FindInventory(request.Account, id);
            if (inventory is null)
            {
                errors.Add(HandlingOperations.IdProperty, Messages.InventoryNotFound(id));
                return request.Invalid(errors);
            }

            return request.Ok(writer => WireFormat.WriteInventoryFields(writer, inventory));
        });
    }

    /// <summary>The window is [createFrom, createTo), at most 62 days; rows in (createOn, returnInventoryId) order.</summary>
    private static ApiResult List(ApiRequest request)
    {
        var errors = new ValidationErrors();
        var from = request.ReadQueryDate("createFrom", "Create From", errors);
        var to = request.ReadQueryDate("createTo", "Create To", errors);
        var paging = request.ReadPaging(errors);
        if (from is not null && to is not null)
        {
            if (to <= from)
            {
                errors.Add("createTo", Messages.WindowOrder());
            }
            else if (to.Value - from.Value > TimeSpan.FromDays(MaxWindowDays))
            {
                errors.Add("createTo", Messages.WindowTooWide(MaxWindowDays));
            }
        }

        if (errors.HasErrors)
        {
            return request.Invalid(errors);
        }

        return request.Run(data =>
        {
            var timeline = data.TimelineOf(request.Account);
            int first = timeline.LowerBound(from!.Value);
            int end = timeline.LowerBound(to!.Value);
            var (pageSize, offset) = paging!.Value;
            int start = (int)Math.Min((long)first + offset, end);
            int stop = Math.Min(start + pageSize, end);
            return request.OkDataPayload(writer =>
            {
                writer.WriteStartArray("data");
                for (int i = start; i < stop; i++)
                {
                    WireFormat.WriteInventoryRow(writer, timeline[i]);
                }

                writer.WriteEndArray();
                writer.WriteNumber("totalNumberOfRecords", end - first);
            });
        });
    }

    private static ApiResult UpdateHandling(ApiRequest request)
    {
        var errors = new ValidationErrors();
        long? id = request.ReadBodyId(HandlingOperations.IdProperty, "Return Inventory Id", errors);
        var code = HandlingOperations.ParseRequestedCode(request.ReadBodyString(HandlingOperations.CodeProperty, errors), errors);
        if (id is null || code is null)
        {
            return request.Invalid(errors);
        }

        return request.Run(data =>
        {
            HandlingOperations.Update(data, request.Account, id.Value, code.Value, errors, request.Now);
            return errors.HasErrors ? request.Invalid(errors) : request.Ok();
        });
    }

    private static ApiResult CancelHandling(ApiRequest request)
    {
        var errors = new ValidationErrors();
        if (request.ReadBodyId(HandlingOperations.IdProperty, "Return Inventory Id", errors) is not long id)
        {
            return request.Invalid(errors);
        }

        return request.Run(data =>
        {
            HandlingOperations.Cancel(data, request.Account, id, errors, request.Now);
            return errors.HasErrors ? request.Invalid(errors) : request.Ok();
        });
    }
}
