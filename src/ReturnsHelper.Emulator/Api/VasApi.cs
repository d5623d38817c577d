using System.Text.Json;
using ReturnsHelper.Emulator.Domain;
using ReturnsHelper.Emulator.Http;

namespace ReturnsHelper.Emulator.Api;

/// <summary>User API <c>Vas/CreateByReturnInventoryId</c>; Public <c>vas/getAllVas</c> and <c>vasStatus/getAllVasStatus</c>.</summary>
internal static class VasApi
{
    public const int MaxNotesLength = 1000;

    public static void Map(ApiRoutes routes)
    {
        routes.Post(ApiSurface.User, "Vas/CreateByReturnInventoryId", Create);
        routes.Get(ApiSurface.Public, "vas/getAllVas", GetAllVas);
        routes.Get(ApiSurface.Public, "vasStatus/getAllVasStatus", GetAllVasStatus);
    }

    /// <summary>All or nothing; read problems and state problems of every entry come back in one answer.</summary>
    private static ApiResult Create(ApiRequest request)
    {
        var errors = new ValidationErrors();
        if (request.ReadBodyList(VasOperations.Entries, errors) is not JsonElement list)
        {
            return request.Invalid(errors);
        }

        var entries = ReadEntries(list, errors);
        return request.Run(data =>
        {
            var created = VasOperations.Create(data, request.Account, entries, errors, request.Now);
            if (created is null)
            {
                return request.Invalid(errors);
            }

            // The documented payload is a top-level data list; returnInventoryId is the emulator's addition (README).
            return request.OkDataPayload(writer =>
            {
                writer.WriteStartArray("data");
                foreach (var (inventory, requests) in created)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("returnInventoryId", inventory.ReturnInventoryId);
                    writer.WriteNumber("returnRequestLineItemId", inventory.ReturnRequestLineItemId);
                    writer.WriteStartArray("createVasDetailList");
                    foreach (var vas in requests)
                    {
                        WireFormat.WriteVas(writer, inventory, vas);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
        });
    }

    private static VasEntry[] ReadEntries(JsonElement list, ValidationErrors errors)
    {
        var entries = new VasEntry[list.GetArrayLength()];
        var seen = new HashSet<long>();
        int index = 0;
        foreach (var item in list.EnumerateArray())
        {
            string path = VasOperations.EntryPath(index);
            entries[index] = item.ValueKind == JsonValueKind.Object
                ? new VasEntry(ReadId(item, index, seen, errors), ReadDetails(item, path, alone: entries.Length == 1, errors))
                : Refused(path, item, errors);
            index++;
        }

        return entries;

        static VasEntry Refused(string path, JsonElement item, ValidationErrors errors)
        {
            errors.Add(path, Messages.NotValid(item.RawText()));
            return new VasEntry(null, null);
        }
    }

    /// <summary>A string that parses to a long (the documented type) or a number; unique across the request.</summary>
    private static long? ReadId(JsonElement entry, int index, HashSet<long> seen, ValidationErrors errors)
    {
        string path = VasOperations.IdPath(index);
        if (!entry.TryGetProperty("returnInventoryId", ignoreCase: true, out var value) || value.ValueKind == JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())))
        {
            errors.Add(path, Messages.NotEmpty("Return Inventory Id"));
            return null;
        }

        string? problem = !value.TryGetId(out long id) ? Messages.NotValid(value.RawText())
            : id == 0 ? Messages.NotEmpty("Return Inventory Id")
            : id < 0 ? Messages.NotPositive("Return Inventory Id")
            : !seen.Add(id) ? Messages.Duplicate(VasOperations.Entries, id)
            : null;
        if (problem is null)
        {
            return id;
        }

        errors.Add(path, problem);
        return null;
    }

    /// <param name="alone">Whether this is the request's only entry (a split-parcel must be the only service of its request).</param>
    private static List<VasDetail>? ReadDetails(JsonElement entry, string entryPath, bool alone, ValidationErrors errors)
    {
        string listPath = entryPath + ".createVasDetailList";
        if (!entry.TryGetProperty("createVasDetailList", ignoreCase: true, out var list) || list.ValueKind == JsonValueKind.Null
            || (list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 0))
        {
            errors.Add(listPath, Messages.NotEmpty("Create Vas Detail List"));
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(listPath, Messages.NotValid(list.RawText()));
            return null;
        }

        var details = new List<VasDetail>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        bool allRead = true;
        int index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var detail = ReadDetail(item, $"{listPath}[{index}]", alone && list.GetArrayLength() == 1, codes, errors);
            if (detail is null)
            {
                allRead = false;
            }
            else
            {
                details.Add(detail);
            }

            index++;
        }

        return allRead ? details : null;
    }

    private static VasDetail? ReadDetail(JsonElement item, string path, bool alone, HashSet<string> codes, ValidationErrors errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, Messages.NotValid(item.RawText()));
            return null;
        }

        int problems = errors.Entries.Count;
        string? text = item.TryGetProperty("vasCode", ignoreCase: true, out var codeValue) && codeValue.ValueKind == JsonValueKind.String
            ? codeValue.GetString()
            : null;
        string? code = VasCatalog.Find(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(path + ".vasCode", Messages.NotEmpty("Vas Code"));
        }
        else if (code is null)
        {
            errors.Add(path + ".vasCode", $"'{text}' is not a value-added service code; see getAllVas.");
        }
        else if (!codes.Add(code))
        {
            errors.Add(path + ".vasCode", $"'{code}' appears more than once for this inventory.");
        }
        else if (code == VasCatalog.SplitParcel && !alone)
        {
            errors.Add(path + ".vasCode", $"'{VasCatalog.SplitParcel}' must be the only service of its request: send it alone, for one inventory.");
        }

        int? quantity = ReadQuantity(item, path + ".metaQuantity", code, errors);
        string? notes = item.TryGetProperty("notes", ignoreCase: true, out var notesValue) && notesValue.ValueKind == JsonValueKind.String
            ? notesValue.GetString()
            : null;
        if (notes is { Length: > MaxNotesLength })
        {
            errors.Add(path + ".notes", $"The length of 'Notes' must be {MaxNotesLength} characters or fewer. You entered {notes.Length} characters.");
        }

        if (code != VasCatalog.SplitParcel && item.TryGetProperty("vasFileList", ignoreCase: true, out var files)
            && files.ValueKind == JsonValueKind.Array && files.GetArrayLength() > 0)
        {
            errors.Add(path + ".vasFileList", $"Files can only be attached to a '{VasCatalog.SplitParcel}' request.");
        }

        return code is not null && errors.Entries.Count == problems ? new VasDetail(code, quantity, notes) : null;
    }

    /// <summary>Required for req-pic (more than 0 photos) and split-parcel (1-50 parcels); not kept for the other services.</summary>
    private static int? ReadQuantity(JsonElement item, string path, string? code, ValidationErrors errors)
    {
        int? quantity = null;
        if (item.TryGetProperty("metaQuantity", ignoreCase: true, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            if (value.TryGetId(out long number) && number is >= int.MinValue and <= int.MaxValue)
            {
                quantity = (int)number;
            }
            else
            {
                errors.Add(path, Messages.NotValid(value.RawText()));
                return null;
            }
        }

        if (code is null || !VasCatalog.TakesQuantity(code))
        {
            return quantity;
        }

        string? problem = quantity is null ? Messages.NotEmpty("Meta Quantity")
            : code == VasCatalog.SplitParcel && quantity is < 1 or > VasCatalog.MaxParcels
                ? $"'Meta Quantity' must be between 1 and {VasCatalog.MaxParcels}. You entered {quantity}."
            : quantity <= 0 ? Messages.NotPositive("Meta Quantity")
            : null;
        if (problem is not null)
        {
            errors.Add(path, problem);
        }

        return quantity;
    }

    private static ApiResult GetAllVas(ApiRequest request) => request.Ok(writer =>
    {
        writer.WriteStartArray("vasList");
        foreach (var (code, description) in VasCatalog.Services)
        {
            writer.WriteStartObject();
            writer.WriteString("vasCode", code);
            writer.WriteString("vasDescription", description);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    private static ApiResult GetAllVasStatus(ApiRequest request) => request.Ok(writer =>
    {
        writer.WriteStartArray("vasStatusList");
        foreach (var (status, description) in VasCatalog.Statuses)
        {
            writer.WriteStartObject();
            writer.WriteString("vasStatusCode", status.Wire());
            writer.WriteString("vasStatusDescription", description);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });
}
