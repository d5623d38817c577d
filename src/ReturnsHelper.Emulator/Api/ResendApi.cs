using System.Globalization;
using System.Text.Json;
using ReturnsHelper.Emulator.Domain;
using ReturnsHelper.Emulator.Http;
using ReturnsHelper.Emulator.State;

namespace ReturnsHelper.Emulator.Api;

/// <summary>
/// User API resend endpoints (API notes 4.2, 4.6): <c>Resend/createResend</c>, <c>resend/getResend</c>,
/// <c>Resend/cancelResend</c>, <c>Shipment/getAvailableShipmentServiceType</c>, <c>Resend/getShippingFeeListByToShippingOption</c>.
/// </summary>
internal static class ResendApi
{
    /// <summary>The ship-to members of <c>resendShipment</c>: wire name, display name, required, longest value.</summary>
    private static readonly (string Property, string DisplayName, bool Required, int MaxLength)[] ShipmentFields =
    [
        ("shipmentServiceType", "Shipment Service Type", true, 50),
        ("shipmentCountryCode", "Shipment Country Code", true, 3),
        ("shipmentName", "Shipment Name", true, 255),
        ("shipmentPhone", "Shipment Phone", false, 50),
        ("shipmentFax", "Shipment Fax", false, 50),
        ("shipmentEmail", "Shipment Email", false, 255),
        ("shipmentStreet1", "Shipment Street1", true, 255),
        ("shipmentStreet2", "Shipment Street2", false, 255),
        ("shipmentStreet3", "Shipment Street3", false, 255),
        ("shipmentState", "Shipment State", false, 50),
        ("shipmentCity", "Shipment City", true, 50),
        ("shipmentPostalCode", "Shipment Postal Code", true, 50),
    ];

    private const int MaxRemarksLength = 255;

    public static void Map(ApiRoutes routes)
    {
        routes.Post(ApiSurface.User, "Resend/createResend", Create);
        routes.Get(ApiSurface.User, "resend/getResend", Get);
        routes.Post(ApiSurface.User, "Resend/cancelResend", Cancel);
        routes.Get(ApiSurface.User, "Shipment/getAvailableShipmentServiceType", ServiceTypes);
        routes.Get(ApiSurface.User, "Resend/getShippingFeeListByToShippingOption", Quote);
    }

    private static ApiResult Create(ApiRequest request)
    {
        var errors = new ValidationErrors();
        var ids = request.ReadIdList(ResendOperations.Inventories, errors);
        var root = request.BodyRoot(errors);
        var shipment = root is JsonElement body ? ReadShipment(body, errors) : null;
        string? description = root is JsonElement d ? Text(d, "description", "Description", MaxRemarksLength, errors) : null;
        string? remarks = root is JsonElement r ? Text(r, "remarks", "Remarks", MaxRemarksLength, errors) : null;
        if (ids is null || shipment is null)
        {
            return request.Invalid(errors);
        }

        // Address problems do not stop the state checks: one answer names everything to fix.
        return request.Run(data =>
        {
            var resend = ResendOperations.Create(data, request.Account, ids, shipment, description, remarks, errors, request.Now);
            return resend is null ? request.Invalid(errors) : request.Ok(writer =>
            {
                writer.WriteNumber("resendId", resend.ResendId);
                writer.WriteString("resendNumber", resend.ResendNumber);
                writer.WriteNumber("resendShipmentId", resend.Shipment.ResendShipmentId);
            });
        });
    }

    /// <summary>The ship-to address; null (with a message) when <c>resendShipment</c> is missing. Field problems are added to <paramref name="errors"/>.</summary>
    private static ResendShipment? ReadShipment(JsonElement root, ValidationErrors errors)
    {
        const string prefix = ResendOperations.ShipmentProperty;
        if (!root.TryGetProperty(prefix, ignoreCase: true, out var element) || element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(prefix, Messages.NotEmpty("Resend Shipment"));
            return null;
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (property, displayName, required, maxLength) in ShipmentFields)
        {
            string? value = element.TryGetProperty(property, ignoreCase: true, out var v) && v.ValueKind != JsonValueKind.Null ? v.RawText().Trim() : null;
            if (string.IsNullOrEmpty(value))
            {
                if (required)
                {
                    errors.Add($"{prefix}.{property}", Messages.NotEmpty(displayName));
                }

                value = null;
            }
            else if (value.Length > maxLength)
            {
                errors.Add($"{prefix}.{property}", property == "shipmentCountryCode"
                    ? ResendMessages.CountryCode()
                    : ResendMessages.TooLong(displayName, maxLength, value.Length));
            }
            else if (property == "shipmentCountryCode" && (value.Length != 3 || !value.All(char.IsAsciiLetter)))
            {
                errors.Add($"{prefix}.{property}", ResendMessages.CountryCode());
            }

            values[property] = value;
        }

        return new ResendShipment
        {
            ShipmentServiceType = values["shipmentServiceType"] ?? "",
            ShipmentCountryCode = values["shipmentCountryCode"]?.ToLowerInvariant() ?? "",
            ShipmentName = values["shipmentName"] ?? "",
            ShipmentPhone = values["shipmentPhone"],
            ShipmentFax = values["shipmentFax"],
            ShipmentEmail = values["shipmentEmail"],
            ShipmentStreet1 = values["shipmentStreet1"] ?? "",
            ShipmentStreet2 = values["shipmentStreet2"],
            ShipmentStreet3 = values["shipmentStreet3"],
            ShipmentState = values["shipmentState"],
            ShipmentCity = values["shipmentCity"] ?? "",
            ShipmentPostalCode = values["shipmentPostalCode"] ?? "",
        };
    }

    private static string? Text(JsonElement root, string property, string displayName, int maxLength, ValidationErrors errors)
    {
        if (!root.TryGetProperty(property, ignoreCase: true, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        string text = value.RawText();
        if (text.Length > maxLength)
        {
            errors.Add(property, ResendMessages.TooLong(displayName, maxLength, text.Length));
        }

        return text;
    }

    private static ApiResult Get(ApiRequest request)
    {
        var errors = new ValidationErrors();
        if (request.ReadQueryId(ResendOperations.ResendIdProperty, "Resend Id", errors) is not long id)
        {
            return request.Invalid(errors);
        }

        return request.Run(data =>
        {
            if (data.FindResend(request.Account, id) is not { } resend)
            {
                errors.Add(ResendOperations.ResendIdProperty, ResendMessages.NotFound(id));
                return request.Invalid(errors);
            }

            return request.Ok(writer =>
            {
                WireFormat.WriteResendFields(writer, resend, data);
                WireFormat.WriteResendShipmentList(writer, resend);
            });
        });
    }

    private static ApiResult Cancel(ApiRequest request)
    {
        var errors = new ValidationErrors();
        if (request.ReadBodyId(ResendOperations.ResendIdProperty, "Resend Id", errors) is not long id)
        {
            return request.Invalid(errors);
        }

        return request.Run(data =>
        {
            var resend = ResendOperations.Cancel(data, request.Account, id, errors, request.Now);
            return resend is null ? request.Invalid(errors) : request.Ok(writer =>
            {
                writer.WriteNumber("resendId", resend.ResendId);
                WireFormat.WriteResendShipmentList(writer, resend);
            });
        });
    }

    private static ApiResult ServiceTypes(ApiRequest request)
    {
        var errors = new ValidationErrors();
        if (request.ReadQueryId("warehouseId", "Warehouse Id", errors) is not long id)
        {
            return request.Invalid(errors);
        }

        if (id > int.MaxValue || Warehouses.Find((int)id) is not { } warehouse)
        {
            errors.Add("warehouseId", $"Warehouse {id} was not found.");
            return request.Invalid(errors);
        }

        return request.OkDataPayload(writer =>
        {
            writer.WriteStartArray("data");
            foreach (var serviceType in ResendRates.For(warehouse))
            {
                writer.WriteStartObject();
                writer.WriteString("serviceTypeCode", serviceType.Code);
                writer.WriteString("serviceType", serviceType.Name);
                writer.WriteStartArray("countryCodePairList");
                writer.WriteStartObject();
                writer.WriteNumber("warehouseId", warehouse.WarehouseId);
                writer.WriteString("description", warehouse.Description);
                writer.WriteString("fromCountryCode", warehouse.CountryCode);
                writer.WriteString("toCountryCode", serviceType.ToCountryCode);
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    /// <summary><c>returnInventoryIdList</c> repeated (<c>?returnInventoryIdList=1&amp;returnInventoryIdList=2</c>, as ASP.NET Core binds a list) or comma-separated.</summary>
    private static ApiResult Quote(ApiRequest request)
    {
        var errors = new ValidationErrors();
        var spec = ResendOperations.Inventories;
        var raw = request.Query[spec.Property].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (raw.Count == 0)
        {
            errors.Add(spec.Property, Messages.NotEmpty(spec.DisplayName));
        }
        else if (raw.Count > spec.MaxItems)
        {
            errors.Add(spec.Property, Messages.TooMany(spec));
        }

        var ids = raw.Select((text, index) =>
        {
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id) && id > 0)
            {
                return (long?)id;
            }

            errors.Add(spec.ItemPath(index), Messages.NotValid(text));
            return null;
        }).ToArray();
        string? toCountryCode = request.Query["toCountryCode"];
        if (string.IsNullOrEmpty(toCountryCode))
        {
            errors.Add("toCountryCode", Messages.NotEmpty("To Country Code"));
        }

        if (string.IsNullOrEmpty(request.Query["toPostalCode"]))
        {
            errors.Add("toPostalCode", Messages.NotEmpty("To Postal Code"));
        }

        if (errors.HasErrors)
        {
            return request.Invalid(errors);
        }

        return request.Run(data =>
        {
            var quotes = ResendOperations.Quote(data, request.Account, ids, toCountryCode!, errors);
            if (quotes is null)
            {
                return request.Invalid(errors);
            }

            return request.OkDataPayload(writer =>
            {
                writer.WriteStartObject("data");
                writer.WriteStartArray("shippingFeeDetailList");
                foreach (var (serviceType, fee, weight) in quotes)
                {
                    writer.WriteStartObject();
                    writer.WriteString("serviceTypeCode", serviceType.Code);
                    writer.WriteString("serviceTypeName", serviceType.Name);
                    writer.WriteString("countryCode", serviceType.ToCountryCode);
                    writer.WriteStartObject("postalCodePair");
                    writer.WriteString("from", "*");
                    writer.WriteString("to", "*");
                    writer.WriteEndObject();
                    writer.WriteString("currencyCode", ResendRates.Currency);
                    writer.WriteNumber("fee", fee);
                    writer.WriteNumber("chargeableWeight", weight);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        });
    }
}
