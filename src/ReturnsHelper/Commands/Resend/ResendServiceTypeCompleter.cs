using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ReturnsHelper.Api;

namespace ReturnsHelper.Commands;

/// <summary>
/// Completes -ServiceType with the resend service types of the account's warehouses (cached, or fetched within
/// about two seconds); each tooltip names the warehouses that offer it. <c>others</c> is left out: it needs
/// customer service first.
/// </summary>
public sealed class ResendServiceTypeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = CompletionSupport.Word(wordToComplete);
        var session = CompletionSupport.SessionFrom(fakeBoundParameters);
        var types = CompletionSupport.ReferenceList(session, ResendApi.ServiceTypesKey, (s, ct) => ResendApi.GetServiceTypesAsync(s, false, null, ct));
        if (types == null) return new CompletionResult[0];
        return types
            .Where(t => !t.NeedsCustomerService && !string.IsNullOrEmpty(t.ServiceTypeCode) && t.ServiceTypeCode.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .GroupBy(t => t.ServiceTypeCode, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => CompletionSupport.Result(g.Key, $"{g.Key} - {g.First().ServiceType}",
                $"{g.First().ServiceType} from warehouse {string.Join(", ", g.Select(t => t.WarehouseId).Distinct())} to {string.Join(", ", g.SelectMany(t => t.ToCountryCodes ?? new string[0]).Distinct())}"))
            .ToList();
    }
}
