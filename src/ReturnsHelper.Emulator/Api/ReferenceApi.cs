using ReturnsHelper.Emulator.Domain;
using ReturnsHelper.Emulator.Http;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Api;

/// <summary>Account and reference data: <c>ApiBalance/GetApiBalance</c>, <c>warehouse/getAllWarehouse</c>, Public <c>handling/getAllHandlings</c>.</summary>
internal static class ReferenceApi
{
    public static void Map(ApiRoutes routes)
    {
        routes.Get(ApiSurface.User, "ApiBalance/GetApiBalance", GetApiBalance);
        routes.Get(ApiSurface.User, "warehouse/getAllWarehouse", GetAllWarehouses);
        routes.Get(ApiSurface.Public, "handling/getAllHandlings", GetAllHandlings);
    }

    /// <summary>
    /// The cheapest authenticated call: one balance, the caller's own. The fields of the documented sample plus
    /// <c>apiName</c>; not <c>apiKey</c>, which the model table lists: a credential echoed in a body ends up in logs.
    /// </summary>
    private static ApiResult GetApiBalance(ApiRequest request)
    {
        var errors = new ValidationErrors();
        if (request.ReadPaging(errors) is not { } paging)
        {
            return request.Invalid(errors);
        }

        var (apiName, balance) = request.Run(_ => (request.Account.ApiName, request.Account.Balance));
        return request.Ok(writer =>
        {
            writer.WriteStartArray("apiBalances");
            if (paging.Offset == 0)
            {
                writer.WriteStartObject();
                writer.WriteNumber("apiBalanceId", request.Account.ApiId);
                writer.WriteString("apiName", apiName);
                writer.WriteString("currencyCode", "usd");
                writer.WriteNumber("balance", balance);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("totalNumberOfRecords", 1);
        });
    }

    private static ApiResult GetAllWarehouses(ApiRequest request) => request.Ok(writer =>
    {
        writer.WriteStartArray("warehouses");
        foreach (var warehouse in Warehouses.All)
        {
            WireFormat.WriteWarehouse(writer, warehouse);
        }

        writer.WriteEndArray();
        writer.WriteNumber("totalNumberOfRecords", Warehouses.All.Count);
    });

    private static ApiResult GetAllHandlings(ApiRequest request) => request.Ok(writer =>
    {
        writer.WriteStartArray("handlings");
        foreach (var (code, description) in Codes.Handlings)
        {
            writer.WriteStartObject();
            writer.WriteString("handlingCode", code.Wire());
            writer.WriteString("handlingDescription", description);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });
}
