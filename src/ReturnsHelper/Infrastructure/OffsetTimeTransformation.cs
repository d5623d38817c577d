using System;
using System.Management.Automation;

namespace ReturnsHelper.Commands;

/// <summary>
/// Lets a DateTime parameter take the module's own times: every time property of its output is a DateTimeOffset
/// (so views and CSV files keep the zone), which PowerShell does not convert to DateTime by itself.
/// <c>Get-RrRecall -CreatedAfter $recall.CreateOn</c> then means that instant, to the tick.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class OffsetTimeTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value is DateTimeOffset time ? time.UtcDateTime : inputData;
    }
}
