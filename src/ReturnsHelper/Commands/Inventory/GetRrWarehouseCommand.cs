using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>Get-RrWarehouse: the Return Helper warehouses (warehouse/getAllWarehouse), cached per session.</summary>
[Cmdlet(VerbsCommon.Get, "RrWarehouse", HelpUri = HelpLinks.Base + "Get-RrWarehouse.md")]
[OutputType(typeof(Warehouse))]
public sealed class GetRrWarehouseCommand : ReferenceListCmdlet<Warehouse>
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WarehouseIdCompleter))]
    public int[] WarehouseId { get; set; }

    protected override IEnumerable<string> Keys => WarehouseId?.Select(id => id.ToString(CultureInfo.InvariantCulture));
    protected override string KeyOf(Warehouse item) => item.WarehouseId.ToString(CultureInfo.InvariantCulture);
    protected override string Noun => "warehouse";

    private protected override Task<IReadOnlyList<Warehouse>> FetchAsync(RrSession session, bool refresh, IRrLog log, CancellationToken ct)
        => ReferenceApi.GetWarehousesAsync(session, refresh, log, ct);
}
