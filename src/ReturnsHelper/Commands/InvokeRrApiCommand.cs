using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>
/// Invoke-RrApi: the escape hatch for endpoints without a cmdlet. Same session, retries, idempotency
/// and error contract as every cmdlet; returns the payload without the envelope.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "RrApi", HelpUri = HelpLinks.Base + "Invoke-RrApi.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PSObject))]
public sealed class InvokeRrApiCommand : RrApiCmdlet
{
    [Parameter]
    [ValidateSet("GET", "POST")]
    public string Method { get; set; } = "GET";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; }

    [Parameter]
    public Hashtable Query { get; set; }

    [Parameter(ValueFromPipeline = true)]
    public object Body { get; set; }

    [Parameter]
    [ValidateSet("User", "Public")]
    public string Api { get; set; } = "User";

    /// <summary>-Query on a POST is refused here, before any input; -Body on a GET in ProcessRecord (it may come from the pipeline).</summary>
    protected override void BeginProcessing()
    {
        if (Query != null && Method == "POST")
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException("-Query is not sent with -Method POST: the API's POST endpoints read their parameters from the JSON body. Put them in -Body, or use -Method GET."),
                "RrQueryNeedsGet", ErrorCategory.InvalidArgument, Query));
    }

    protected override void ProcessRecord()
    {
        if (Body != null && Method == "GET")
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException("-Body is not sent with a GET: the API's GET endpoints read their parameters from the query string. Use -Method POST to send a body, or -Query for a GET."),
                "RrBodyNeedsPost", ErrorCategory.InvalidArgument, Body));
        var session = ActiveSession;
        RrRequest request;
        try
        {
            var api = Api == "Public" ? RrApiKind.Public : RrApiKind.User;
            request = Method == "POST"
                ? RrRequest.Write(Path, Body == null ? null : PSJson.ToJsonBytes(Body), api)
                : RrRequest.Get(Path, QueryPairs(), api);
        }
        catch (System.Exception e) when (e is System.ArgumentException || e is JsonException)
        {
            WriteError(new ErrorRecord(e, "RrInvalidRequest", ErrorCategory.InvalidArgument, Body ?? Path));
            return;
        }
        if (request.Method == "POST" && !ShouldProcess($"{session.Environment} {session.BaseUri}", $"POST {request.Path}")) return;
        try
        {
            // Converted inside the client's read boundary: a payload it cannot convert is this call's InvalidResponse.
            var payload = Await((log, ct) => session.Client.SendAsync(request,
                response => response.Payload<object>(value => PSJson.ToPSObject(value), PSJson.ToPSObject), log, ct));
            if (payload == null) return;
            WriteObject(payload, enumerateCollection: true);
        }
        catch (RrApiException e)
        {
            WriteApiError(e, Path);
        }
    }

    private List<KeyValuePair<string, string>> QueryPairs()
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (Query == null) return pairs;
        foreach (DictionaryEntry entry in Query)
        {
            var value = entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
            if (value is IEnumerable list && !(value is string))
                foreach (var item in list) pairs.Add(Pair(entry.Key, item));
            else pairs.Add(Pair(entry.Key, value));
        }
        return pairs;
    }

    private static KeyValuePair<string, string> Pair(object key, object value)
    {
        var v = value is PSObject ps ? ps.BaseObject : value;
        var text = v is System.DateTime dt ? dt.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture) : System.Convert.ToString(v, CultureInfo.InvariantCulture);
        return new KeyValuePair<string, string>(System.Convert.ToString(key, CultureInfo.InvariantCulture), text);
    }
}
