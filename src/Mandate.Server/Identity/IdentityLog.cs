namespace Mandate.Server.Identity;

/// <summary>Log lines of the identity feature (event ids 5000–5099). Never a token or key: kids, jtis and SPIFFE IDs only.</summary>
internal static partial class IdentityLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Trust domain {TrustDomain}, issuer {Issuer}: signing with key {Kid} ({Algorithm})")]
    public static partial void KeysLoaded(ILogger logger, string trustDomain, string issuer, string kid, string algorithm);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "JWT-SVIDs are signed with key {Kid} ({Algorithm}): the JWT-SVID specification does not allow {Configured}")]
    public static partial void SvidKeyLoaded(ILogger logger, string kid, string algorithm, string configured);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Key rotation: a new key was created and published")]
    public static partial void KeyCreated(ILogger logger);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Store bound to trust domain {TrustDomain}")]
    public static partial void TrustDomainRecorded(ILogger logger, string trustDomain);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Demo identities seeded in {TrustDomain}")]
    public static partial void DemoSeeded(ILogger logger, string trustDomain);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Debug, Message = "Purged {Count} replay records of expired platform tokens")]
    public static partial void RedemptionsPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Workload authentication failed on {Path}: {Code}")]
    public static partial void WorkloadAuthenticationFailed(ILogger logger, string path, string code);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Warning, Message = "JWKS fetch from {Issuer} failed: {Problem}")]
    public static partial void JwksFetchFailed(ILogger logger, string issuer, string problem);

    [LoggerMessage(EventId = 5030, Level = LogLevel.Warning, Message = "Attestation rate limit ({PermitLimit} per {Window}) reached on {Endpoint} by client {Client}; further refusals in this window are counted, not logged")]
    public static partial void AttestationRateLimited(ILogger logger, int permitLimit, TimeSpan window, string endpoint, string client);
}
