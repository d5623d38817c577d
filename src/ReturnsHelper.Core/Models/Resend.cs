using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using ReturnsHelper.Json;

namespace ReturnsHelper;

/// <summary>A resend: inventories of one warehouse shipped to a new address (API notes 4.6).</summary>
public sealed class Resend
{
    public long ResendId { get; set; }
    public string ResendNumber { get; set; }
    /// <summary>pending, canceled, inProgress, completed or failed (the service sends the integers 0-4).</summary>
    public string ResendStatusCode { get; set; }
    public int? WarehouseId { get; set; }
    public InventoryIdList ReturnInventoryIds { get; set; } = new InventoryIdList(new long[0]);
    /// <summary>The same ids as one text, separated by <see cref="Recall.TextSeparator"/> (for CSV).</summary>
    public string ReturnInventoryIdText => ReturnInventoryIds?.ToString();
    public string Description { get; set; }
    public string Remarks { get; set; }
    public string WarehouseRemarks { get; set; }
    /// <summary>When the service created the resend (UTC, offset +00:00).</summary>
    public DateTimeOffset? CreateOn { get; set; }
    public ResendShipmentCollection ResendShipmentList { get; set; } = ResendShipmentCollection.Empty;

    // The first shipment's facts at top level: a resend has one shipment in every documented sample.
    public string ServiceType => ResendShipmentList.FirstOrDefault()?.ShipmentServiceType;
    public string TrackingNumber => ResendShipmentList.FirstOrDefault()?.TrackingNumber;
    public decimal? Cost => ResendShipmentList.FirstOrDefault()?.Cost;
    public string ShipTo => ResendShipmentList.FirstOrDefault()?.ShipTo;
    public string Error => ResendShipmentList.FirstOrDefault()?.Error;

    /// <summary>The environment the resend was created in (Sandbox, Production, China or Custom).</summary>
    public string Environment { get; set; }
    /// <summary>True when New-RrResend did not create it now: the local ledger knew its inventories to be in it already.</summary>
    public bool AlreadyExisted { get; set; }

    public override string ToString() => ResendNumber ?? ResendId.ToString(CultureInfo.InvariantCulture);

    private static readonly string[] StatusByInt = { "pending", "canceled", "inProgress", "completed", "failed" };

    /// <summary>The documented integer (or a string the service may send instead) as the module's status name.</summary>
    public static string Status(string raw)
    {
        if (raw == null) return null;
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) return i >= 0 && i < StatusByInt.Length ? StatusByInt[i] : raw;
        return StatusByInt.FirstOrDefault(s => string.Equals(s, raw.Replace("-", ""), StringComparison.OrdinalIgnoreCase))
            ?? (string.Equals(raw, "cancelled", StringComparison.OrdinalIgnoreCase) ? "canceled" : raw);
    }

    /// <summary>True while the service still ships (or shipped) it: not cancelled, not failed.</summary>
    public static bool IsActiveStatus(string status) => status != "canceled" && status != "failed";

    /// <summary>
    /// Reads a getResend answer or a webhook's <c>resend</c>. <paramref name="shipments"/> is where
    /// <c>resendShipmentList</c> is (the same object for getResend, beside <c>resend</c> in a webhook).
    /// </summary>
    internal static Resend Parse(JsonElement body, JsonElement shipments, string environment)
    {
        var ids = JsonRead.Array(body, "returnInventoryIdList").Select(JsonRead.AsLong).Where(id => id.HasValue).Select(id => id.Value).ToList();
        var single = JsonRead.Long(body, "returnInventoryId");
        if (ids.Count == 0 && single.HasValue) ids.Add(single.Value);
        return new Resend
        {
            ResendId = JsonRead.Long(body, "resendId") ?? 0,
            ResendNumber = JsonRead.String(body, "resendNumber"),
            ResendStatusCode = Status(JsonRead.String(body, "resendStatusCode")),
            WarehouseId = JsonRead.Int(body, "warehouseId"),
            ReturnInventoryIds = new InventoryIdList(ids),
            Description = JsonRead.String(body, "description"),
            Remarks = JsonRead.String(body, "remarks"),
            WarehouseRemarks = JsonRead.String(body, "warehouseRemarks"),
            CreateOn = OutputTime.Utc(JsonRead.Time(body, "createOn")),
            ResendShipmentList = new ResendShipmentCollection(JsonRead.Array(shipments, "resendShipmentList").Select(ResendShipment.Parse).ToList()),
            Environment = environment,
        };
    }
}

/// <summary>A resend's shipment: where it goes, its label and tracking, and what it cost.</summary>
public sealed class ResendShipment
{
    public long ResendShipmentId { get; set; }
    public long? ResendId { get; set; }
    public string ResendShipmentNumber { get; set; }
    public string ShipmentServiceType { get; set; }
    public ResendAddress Address { get; set; }
    /// <summary>The address on one line, for views.</summary>
    public string ShipTo => Address?.ToString();
    public string TrackingNumber { get; set; }
    public decimal? Cost { get; set; }
    public string CostCurrencyCode { get; set; }
    public string ChargeTypeCode { get; set; }
    public decimal? ChargeableWeight { get; set; }
    public string ShipmentLabelId { get; set; }
    public string Error { get; set; }

    public override string ToString() => ResendShipmentNumber ?? ResendShipmentId.ToString(CultureInfo.InvariantCulture);

    internal static ResendShipment Parse(JsonElement e) => new ResendShipment
    {
        ResendShipmentId = JsonRead.Long(e, "resendShipmentId") ?? 0,
        ResendId = JsonRead.Long(e, "resendId"),
        ResendShipmentNumber = JsonRead.String(e, "resendShipmentNumber"),
        ShipmentServiceType = JsonRead.String(e, "shipmentServiceType"),
        Address = ResendAddress.Parse(e),
        TrackingNumber = JsonRead.String(e, "trackingNumber"),
        Cost = JsonRead.Decimal(e, "cost"),
        CostCurrencyCode = JsonRead.String(e, "costCurrencyCode"),
        ChargeTypeCode = JsonRead.String(e, "chargeTypeCode"),
        ChargeableWeight = JsonRead.Decimal(e, "chargeableWeight"),
        ShipmentLabelId = JsonRead.String(e, "shipmentLabelId"),
        Error = JsonRead.String(e, "error"),
    };
}

/// <summary>A resend's shipments as a read-only list whose text (what Export-Csv writes) is their numbers.</summary>
public sealed class ResendShipmentCollection : ReadOnlyCollection<ResendShipment>
{
    internal static readonly ResendShipmentCollection Empty = new ResendShipmentCollection(new ResendShipment[0]);

    public ResendShipmentCollection(IList<ResendShipment> shipments) : base(shipments) { }

    public override string ToString() => string.Join(Recall.TextSeparator, this.Select(s => s.ToString()));
}

/// <summary>
/// A resend's ship-to address (the <c>shipment*</c> members of <c>resendShipment</c>), with the documented limits
/// checked before anything is sent.
/// </summary>
public sealed class ResendAddress
{
    public string Name { get; set; }
    public string Street1 { get; set; }
    public string Street2 { get; set; }
    public string Street3 { get; set; }
    public string City { get; set; }
    public string State { get; set; }
    public string PostalCode { get; set; }
    /// <summary>ISO 3166 alpha-3, lower case (usa, gbr).</summary>
    public string CountryCode { get; set; }
    public string Phone { get; set; }
    public string Fax { get; set; }
    public string Email { get; set; }

    /// <summary>
    /// Wire name, property, required, longest value. Name, street1, city and postal code lengths are documented
    /// (API notes 4.6); the others follow the emulator (its README, decision 57).
    /// </summary>
    private static readonly (string Wire, string Property, bool Required, int MaxLength, Func<ResendAddress, string> Get)[] Fields =
    {
        ("shipmentName", nameof(Name), true, 255, a => a.Name),
        ("shipmentStreet1", nameof(Street1), true, 255, a => a.Street1),
        ("shipmentStreet2", nameof(Street2), false, 255, a => a.Street2),
        ("shipmentStreet3", nameof(Street3), false, 255, a => a.Street3),
        ("shipmentCity", nameof(City), true, 50, a => a.City),
        ("shipmentState", nameof(State), false, 50, a => a.State),
        ("shipmentPostalCode", nameof(PostalCode), true, 50, a => a.PostalCode),
        ("shipmentCountryCode", nameof(CountryCode), true, 3, a => a.CountryCode),
        ("shipmentPhone", nameof(Phone), false, 50, a => a.Phone),
        ("shipmentFax", nameof(Fax), false, 50, a => a.Fax),
        ("shipmentEmail", nameof(Email), false, 255, a => a.Email),
    };

    /// <summary>Every problem with the address, one sentence each (empty when it can be sent).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        foreach (var field in Fields)
        {
            var value = field.Get(this);
            if (string.IsNullOrWhiteSpace(value))
            {
                if (field.Required) problems.Add($"{field.Property} is required.");
            }
            else if (field.Wire == "shipmentCountryCode")
            {
                if (value.Trim().Length != 3 || !value.Trim().All(c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
                    problems.Add($"CountryCode '{value}' is not an ISO 3166 alpha-3 code such as 'usa' or 'gbr'.");
            }
            else if (value.Trim().Length > field.MaxLength)
                problems.Add($"{field.Property} is {value.Trim().Length} characters long; the service takes at most {field.MaxLength}.");
        }
        return problems;
    }

    internal void WriteTo(Utf8JsonWriter writer)
    {
        foreach (var field in Fields)
        {
            var value = field.Get(this);
            if (string.IsNullOrWhiteSpace(value)) continue;
            writer.WriteString(field.Wire, field.Wire == "shipmentCountryCode" ? value.Trim().ToLowerInvariant() : value.Trim());
        }
    }

    internal static ResendAddress Parse(JsonElement e) => new ResendAddress
    {
        Name = JsonRead.String(e, "shipmentName"),
        Street1 = JsonRead.String(e, "shipmentStreet1"),
        Street2 = JsonRead.String(e, "shipmentStreet2"),
        Street3 = JsonRead.String(e, "shipmentStreet3"),
        City = JsonRead.String(e, "shipmentCity"),
        State = JsonRead.String(e, "shipmentState"),
        PostalCode = JsonRead.String(e, "shipmentPostalCode"),
        CountryCode = JsonRead.String(e, "shipmentCountryCode"),
        Phone = JsonRead.String(e, "shipmentPhone"),
        Fax = JsonRead.String(e, "shipmentFax"),
        Email = JsonRead.String(e, "shipmentEmail"),
    };

    /// <summary>Name, street, city, state, postal code and country on one line (no phone or e-mail: views and logs need no more).</summary>
    public override string ToString()
        => string.Join(", ", new[] { Name, Street1, Street2, Street3, City, string.Join(" ", new[] { State, PostalCode }.Where(s => !string.IsNullOrWhiteSpace(s))), CountryCode }
            .Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()));
}

/// <summary>A resend (outbound) service type of a warehouse, from Shipment/getAvailableShipmentServiceType.</summary>
public sealed class ResendServiceType
{
    public int WarehouseId { get; set; }
    public string ServiceTypeCode { get; set; }
    public string ServiceType { get; set; }
    public string FromCountryCode { get; set; }
    public string[] ToCountryCodes { get; set; }
    /// <summary>True for <c>others</c>, which needs customer service to arrange first.</summary>
    public bool NeedsCustomerService => string.Equals(ServiceTypeCode, "others", StringComparison.OrdinalIgnoreCase);

    public override string ToString() => ServiceTypeCode;

    internal static ResendServiceType Parse(JsonElement e, int warehouseId)
    {
        var pairs = JsonRead.Array(e, "countryCodePairList").ToList();
        return new ResendServiceType
        {
            WarehouseId = warehouseId,
            ServiceTypeCode = JsonRead.String(e, "serviceTypeCode"),
            ServiceType = JsonRead.String(e, "serviceType"),
            FromCountryCode = pairs.Select(p => JsonRead.String(p, "fromCountryCode")).FirstOrDefault(c => c != null),
            // The table names the member toPostalCode, the sample toCountryCode (API notes 11): either.
            ToCountryCodes = pairs.Select(p => JsonRead.String(p, "toCountryCode") ?? JsonRead.String(p, "toPostalCode")).Where(c => c != null).Distinct().ToArray(),
        };
    }
}

/// <summary>One row of a resend quote: what a service type would cost for the inventories to the destination.</summary>
public sealed class ResendQuote
{
    public string ServiceTypeCode { get; set; }
    public string ServiceTypeName { get; set; }
    public string CountryCode { get; set; }
    public string CurrencyCode { get; set; }
    public decimal? Fee { get; set; }
    public decimal? ChargeableWeight { get; set; }
    public InventoryIdList ReturnInventoryIds { get; set; }
    public string ToPostalCode { get; set; }

    public override string ToString() => ServiceTypeCode;

    internal static ResendQuote Parse(JsonElement e, IList<long> ids, string toPostalCode) => new ResendQuote
    {
        ServiceTypeCode = JsonRead.String(e, "serviceTypeCode"),
        ServiceTypeName = JsonRead.String(e, "serviceTypeName"),
        CountryCode = JsonRead.String(e, "countryCode"),
        CurrencyCode = JsonRead.String(e, "currencyCode"),
        Fee = JsonRead.Decimal(e, "fee"),
        ChargeableWeight = JsonRead.Decimal(e, "chargeableWeight"),
        ReturnInventoryIds = new InventoryIdList(ids),
        ToPostalCode = toPostalCode,
    };
}

/// <summary>An account balance from ApiBalance/GetApiBalance.</summary>
public sealed class ApiBalance
{
    public long? ApiBalanceId { get; set; }
    public string ApiName { get; set; }
    public string CurrencyCode { get; set; }
    public decimal? Balance { get; set; }
    /// <summary>The environment the balance is of (Sandbox, Production, China or Custom).</summary>
    public string Environment { get; set; }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} {1}", Balance, CurrencyCode);

    // apiKey, which the model table lists, is never read: a credential must not reach output.
    internal static ApiBalance Parse(JsonElement e, string environment) => new ApiBalance
    {
        ApiBalanceId = JsonRead.Long(e, "apiBalanceId"),
        ApiName = JsonRead.String(e, "apiName"),
        CurrencyCode = JsonRead.String(e, "currencyCode"),
        Balance = JsonRead.Decimal(e, "balance"),
        Environment = environment,
    };
}
