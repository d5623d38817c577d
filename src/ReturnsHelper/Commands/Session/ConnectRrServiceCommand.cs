using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using ReturnsHelper.Api;
using ReturnsHelper.Http;

namespace ReturnsHelper.Commands;

/// <summary>Connect-RrService: creates a session and makes it this runspace's default.</summary>
[Cmdlet(VerbsCommunications.Connect, "RrService", HelpUri = HelpLinks.Base + "Connect-RrService.md", DefaultParameterSetName = FromEnvironmentSet)]
[OutputType(typeof(RrSession))]
public sealed class ConnectRrServiceCommand : RrCmdlet
{
    private const string ApiKeySet = "ApiKey";
    private const string CredentialSet = "Credential";
    private const string FromEnvironmentSet = "EnvironmentVariables";
    private const string TokenFileSet = "TokenFile";

    [Parameter(Mandatory = true, ParameterSetName = ApiKeySet)]
    [Parameter(ParameterSetName = TokenFileSet)]
    [ValidateNotNullOrEmpty]
    public string ApiKey { get; set; }

    /// <summary>
    /// A file holding the API token alone, re-read when it changes and after a 401, so a service picks up a rotated
    /// token without a restart. The key comes from -ApiKey or RR_API_KEY.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = TokenFileSet)]
    [ValidateNotNullOrEmpty]
    public string TokenPath { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ApiKeySet)]
    [ValidateNotNull]
    public SecureString ApiToken { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [ValidateNotNull]
    [Credential]
    public PSCredential Credential { get; set; }

    [Parameter]
    [ValidateSet("Sandbox", "Production", "China")]
    public string Environment { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri BaseUri { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri PublicBaseUri { get; set; }

    [Parameter]
    [ValidateRange(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    [Parameter]
    [ValidateRange(0, 3600)]
    public int MaxRetrySeconds { get; set; } = 60;

    /// <summary>Per attempt; well below -MaxRetrySeconds, so a timed-out attempt is retried within the retry time.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = (int)RetryPolicy.DefaultAttemptTimeout.TotalSeconds;

    /// <summary>The default -ThrottleLimit of the bulk cmdlets for this session.</summary>
    [Parameter]
    [ValidateRange(1, RrSession.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = RrSession.DefaultThrottleLimit;

    /// <summary>The largest answer read, in MB (1 MB = 1,048,576 bytes): a bigger one is an error, not a memory blow-up.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int MaxResponseMB { get; set; } = RrSession.DefaultMaxResponseMB;

    /// <summary>The folder of the recall ledgers (default: RR_LEDGER_PATH, else the per-user local data folder).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string LedgerPath { get; set; }

    /// <summary>Keep no local state: no recall ledger (no Get-RrRecall, no safe reruns).</summary>
    [Parameter]
    public SwitchParameter NoLedger { get; set; }

    [Parameter]
    public SwitchParameter SkipCredentialCheck { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var endpoints = ResolveEndpoints();
        ResolveCredentials(out var apiKey, out var apiToken, out var tokenFile);
        var policy = new RetryPolicy
        {
            MaxAttempts = MaxAttempts,
            MaxRetryTime = TimeSpan.FromSeconds(MaxRetrySeconds),
            AttemptTimeout = TimeSpan.FromSeconds(RequestTimeoutSeconds),
        };
        if (policy.AttemptTimeout >= policy.MaxRetryTime && MaxAttempts > 1)
            WriteWarning($"-RequestTimeoutSeconds {RequestTimeoutSeconds} is not below -MaxRetrySeconds {MaxRetrySeconds}: an attempt that times out will not be retried.");
        var session = new RrSession(endpoints, apiKey, apiToken, UserAgent.For(this), policy) { ThrottleLimit = ThrottleLimit, MaxResponseBytes = MaxResponseMB * 1024 * 1024 };
        session.Client.TokenFile = tokenFile;
        OpenLedger(session);
        if (!SkipCredentialCheck) Verify(session);
        SessionStore.MakeDefault(session, givenToUser: PassThru, SessionState);
        WriteVerbose($"Connected to {session.Environment} at {session.BaseUri} with key {session.MaskedApiKey}; this is now the default session of this runspace.");
        if (PassThru) WriteObject(session);
    }

    private void Verify(RrSession session)
    {
        try
        {
            Await((log, ct) => ReferenceApi.VerifyCredentialsAsync(session, log, ct));
        }
        catch (RrApiException e)
        {
            session.Dispose();
            var message = e.Kind == RrErrorKind.Unauthorized
                ? $"Return Helper at {session.BaseUri} rejected the API key {session.MaskedApiKey} and its token. Check them in the User Portal (Settings > Signing Key and API Token), or use -SkipCredentialCheck to connect without checking."
                : $"Could not verify the credentials at {session.BaseUri}: {e.Message} Use -SkipCredentialCheck to connect without checking.";
            var record = ErrorMapper.ToRecord(e, session.BaseUri);
            record.ErrorDetails = new ErrorDetails(message);
            ThrowTerminatingError(record);
        }
    }

    private void OpenLedger(RrSession session)
    {
        if (NoLedger)
        {
            if (LedgerPath != null) ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give either -LedgerPath or -NoLedger, not both."), "RrLedgerConflict", ErrorCategory.InvalidArgument, LedgerPath));
            FromVariable("RR_LEDGER_PATH", "-NoLedger");
            return;
        }
        var fromVariable = FromVariable("RR_LEDGER_PATH", LedgerPath != null ? "-LedgerPath" : null);
        var folder = LedgerPath != null ? GetUnresolvedProviderPathFromPSPath(LedgerPath)
            : fromVariable != null ? fromVariable.Trim()
            : ReturnsHelper.Ledger.RecallLedger.DefaultFolder();
        try
        {
            session.Ledger = ReturnsHelper.Ledger.RecallLedger.Open(folder, session.LedgerFileName, session.Environment.ToString());
            WriteVerbose($"Recall ledger: {session.Ledger.Path}");
        }
        catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException || e is System.Security.SecurityException)
        {
            session.Dispose();
            ThrowTerminatingError(new ErrorRecord(new System.IO.IOException(
                $"Cannot use the recall ledger folder '{folder}': {e.Message} Give another folder with -LedgerPath (or RR_LEDGER_PATH), or -NoLedger to keep no local state.", e),
                "RrLedgerUnavailable", ErrorCategory.WriteError, folder));
        }
    }

    private RrEndpoints ResolveEndpoints()
    {
        try
        {
            if (BaseUri != null && Environment != null) throw new ArgumentException("Give either -Environment or -BaseUri, not both.");
            if (BaseUri == null && PublicBaseUri != null) throw new ArgumentException("-PublicBaseUri needs -BaseUri.");
            var fromVariable = FromVariable("RR_BASE_URI", BaseUri != null ? "-BaseUri" : Environment != null ? "-Environment " + Environment : null);
            if (BaseUri != null) return RrEndpoints.Custom(BaseUri, PublicBaseUri);
            if (fromVariable != null) return RrEndpoints.Custom(new Uri(fromVariable.Trim(), UriKind.Absolute));
            return RrEndpoints.For((RrEnvironment)Enum.Parse(typeof(RrEnvironment), Environment ?? "Sandbox", true));
        }
        catch (PublicBaseNotDerivableException e)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(e.Message + " Give -PublicBaseUri as well.", e), "RrInvalidEndpoint", ErrorCategory.InvalidArgument, BaseUri));
            throw; // unreachable
        }
        catch (Exception e) when (e is ArgumentException || e is UriFormatException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "RrInvalidEndpoint", ErrorCategory.InvalidArgument, BaseUri));
            throw; // unreachable
        }
    }

    private void ResolveCredentials(out string apiKey, out SecureString apiToken, out ApiTokenFile tokenFile)
    {
        tokenFile = null;
        var credentialParameter = ParameterSetName == ApiKeySet ? "-ApiKey and -ApiToken" : ParameterSetName == CredentialSet ? "-Credential" : null;
        var keyFromVariable = FromVariable("RR_API_KEY", credentialParameter ?? (ParameterSetName == TokenFileSet && ApiKey != null ? "-ApiKey" : null));
        var tokenFromVariable = FromVariable("RR_API_TOKEN", credentialParameter ?? (ParameterSetName == TokenFileSet ? "-TokenPath" : null));
        switch (ParameterSetName)
        {
            case TokenFileSet:
                apiKey = (ApiKey ?? keyFromVariable)?.Trim();
                if (string.IsNullOrEmpty(apiKey))
                    ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-TokenPath needs the API key: give -ApiKey, or set RR_API_KEY."),
                        "RrNoCredentials", ErrorCategory.AuthenticationError, null));
                tokenFile = new ApiTokenFile(GetUnresolvedProviderPathFromPSPath(TokenPath));
                try { apiToken = tokenFile.Read(); }
                catch (System.IO.IOException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e,
                        "RrTokenFileUnreadable", ErrorCategory.ReadError, tokenFile.Path));
                    throw; // unreachable
                }
                return;
            case ApiKeySet:
                apiKey = ApiKey;
                apiToken = ApiToken.Copy();
                return;
            case CredentialSet:
                apiKey = Credential.UserName;
                apiToken = Credential.Password.Copy();
                return;
        }
        apiKey = keyFromVariable;
        var token = tokenFromVariable;
        if (apiKey == null || token == null)
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException("No Return Helper credentials were given. Use one of: -ApiKey <key> -ApiToken <SecureString>; -Credential <PSCredential> (user name = API key, password = API token); or the environment variables RR_API_KEY and RR_API_TOKEN (and optionally RR_BASE_URI) for scheduled scripts."),
                "RrNoCredentials", ErrorCategory.AuthenticationError, null));
        apiKey = apiKey.Trim();
        apiToken = new NetworkCredential(string.Empty, token).SecurePassword;
    }

    /// <summary>
    /// The value of an RR_* environment variable, or null when it is unset or blank. Parameters take precedence over
    /// the variables; a variable that is set but overridden by <paramref name="overridingParameter"/> is ignored with a
    /// warning, so a script that relies on it (say, RR_BASE_URI pointing at the emulator) learns that it did not apply.
    /// The value is never shown: it may be a secret.
    /// </summary>
    private string FromVariable(string name, string overridingParameter)
    {
        var value = System.Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (overridingParameter == null) return value;
        WriteWarning($"The environment variable {name} is set but ignored because {overridingParameter} was given: parameters take precedence over RR_* variables.");
        return null;
    }
}
