using System;
using System.Management.Automation;
using System.Security;
using System.Text;
using ReturnsHelper.Webhooks;

namespace ReturnsHelper.Commands;

/// <summary>Test-RrWebhookSignature: checks one delivery's signature and timestamp exactly as documented; $true or $false.</summary>
[Cmdlet(VerbsDiagnostic.Test, "RrWebhookSignature", HelpUri = HelpLinks.Base + "Test-RrWebhookSignature.md")]
[OutputType(typeof(bool))]
public sealed class TestRrWebhookSignatureCommand : WebhookCmdlet
{
    /// <summary>The raw body as received; its UTF-8 bytes are what is signed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("RawBody")]
    [AllowEmptyString, AllowNull]
    public string Body { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString, AllowNull]
    public string Timestamp { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString, AllowNull]
    public string Signature { get; set; }

    [Parameter(Mandatory = true)]
    [Alias("EndpointUrl")]
    [ValidateNotNullOrEmpty]
    public string EndpointUri { get; set; }

    [Parameter(Mandatory = true)]
    [ValidateNotNull]
    public SecureString SigningKey { get; set; }

    private WebhookVerifier verifier;

    protected override void BeginProcessing()
    {
        verifier = CreateVerifier(new[] { SigningKey }, null, EndpointUri);
    }

    protected override void ProcessRecord()
    {
        try
        {
            var result = verifier.Verify(Timestamp, Signature, Encoding.UTF8.GetBytes(Body ?? ""), DateTimeOffset.UtcNow);
            WriteVerbose(result.Reason);
            WriteObject(result.IsValid);
        }
        catch (WebhookFormatException e)
        {
            WriteError(WebhookCmdletSupport.FormatError(e, Body));
        }
    }
}
