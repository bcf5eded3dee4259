using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.X509;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Identity.Svid;

/// <summary>
/// Issues SVIDs to identities that are in the inventory and active, within the configured lifetimes, and records
/// each issuance (by <c>jti</c> or certificate serial, never the SVID) in the audit log.
/// </summary>
internal sealed class SvidIssuance(
    JwtSvidIssuer jwtIssuer,
    X509SvidAuthority x509Authority,
    IdentityDirectory directory,
    IMandateStore store,
    IAuditTrail audit,
    IOptions<IdentityOptions> options,
    TimeProvider time,
    Telemetry.MandateMetrics? metrics = null)
{
    public const int MaxAudiences = 8;

    public async Task<SvidIssueResult<IssuedJwtSvid>> IssueJwtAsync(
        SpiffeId subject,
        IReadOnlyList<string> audiences,
        TimeSpan? ttl,
        string actor,
        string via,
        string? requestId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(audiences);
        var settings = options.Value;
        if (audiences.Count == 0 || audiences.Any(a => string.IsNullOrWhiteSpace(a) || a.Length > 512))
        {
            return SvidIssueResult<IssuedJwtSvid>.Fail(IdentityErrorCodes.SvidAudienceRequired, "audience: at least one non-empty audience (at most 512 characters) is required.");
        }

        if (audiences.Count > MaxAudiences)
        {
            return SvidIssueResult<IssuedJwtSvid>.Fail(IdentityErrorCodes.SvidAudienceRequired, $"audience: at most {MaxAudiences} audiences; one is recommended.");
        }

        var lifetime = ttl ?? settings.JwtSvidDefaultTtl;
        if (lifetime <= TimeSpan.Zero || lifetime > settings.JwtSvidMaxTtl)
        {
            return SvidIssueResult<IssuedJwtSvid>.Fail(IdentityErrorCodes.SvidTtlExceeded, $"ttl_seconds: must be between 1 and {(long)settings.JwtSvidMaxTtl.TotalSeconds}.");
        }

        if (directory.CheckUsable(subject.Value, time.GetUtcNow()) is { } unusable)
        {
            return new SvidIssueResult<IssuedJwtSvid>(null, unusable);
        }

        var issued = jwtIssuer.Issue(subject, audiences.Distinct(StringComparer.Ordinal).ToList(), lifetime);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.jwt_svid_issued",
                Actor = actor,
                Subject = subject.Value,
                Action = "issue",
                CredentialId = issued.Jti,
                RequestId = requestId,
                Details = new Dictionary<string, string>
                {
                    ["audience"] = string.Join(' ', issued.Audiences),
                    ["expires_at"] = issued.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["kid"] = issued.Kid,
                    ["via"] = via,
                },
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        metrics?.CredentialIssued(Telemetry.MandateMetrics.IssuedKinds.JwtSvid);
        return new SvidIssueResult<IssuedJwtSvid>(issued, null);
    }

    /// <summary>
    /// Signs an X.509-SVID for <paramref name="subject"/> from a CSR that passes <see cref="CertificateSigningRequestInspector"/>,
    /// and records it as a credential (kind <c>x509_svid</c>, <c>jti</c> <c>x509:</c> + serial) in the same transaction
    /// as its ledger event, so that revoking it, its identity or its owner puts its serial in the CRL.
    /// <paramref name="crlDistributionPoint"/> (the CRL's public URL) goes into the certificate when given.
    /// </summary>
    public async Task<SvidIssueResult<IssuedX509Svid>> IssueX509Async(
        SpiffeId subject,
        string? csr,
        TimeSpan? ttl,
        string actor,
        string? requestId,
        string? crlDistributionPoint,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var settings = options.Value;
        var lifetime = ttl ?? settings.X509SvidDefaultTtl;
        if (lifetime <= TimeSpan.Zero || lifetime > settings.X509SvidMaxTtl)
        {
            return SvidIssueResult<IssuedX509Svid>.Fail(IdentityErrorCodes.SvidTtlExceeded, $"ttl_seconds: must be between 1 and {(long)settings.X509SvidMaxTtl.TotalSeconds}.");
        }

        if (!CertificateSigningRequestInspector.TryInspect(csr, subject, out var publicKey, out var csrError))
        {
            return new SvidIssueResult<IssuedX509Svid>(null, csrError);
        }

        if (directory.CheckUsable(subject.Value, time.GetUtcNow()) is { } unusable)
        {
            return new SvidIssueResult<IssuedX509Svid>(null, unusable);
        }

        var issued = x509Authority.Sign(subject, publicKey!, lifetime, crlDistributionPoint);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        await session.Get<ICredentialRepository>().InsertAsync(
            new CredentialRecord
            {
                Jti = CredentialKinds.X509SvidJti(issued.SerialNumber),
                Kind = CredentialKinds.X509Svid,
                Subject = subject.Value,
                Holder = subject.Value,
                IssuedAt = new DateTimeOffset(issued.Certificate.NotBefore.ToUniversalTime()),
                ExpiresAt = issued.ExpiresAt,
                ProofOfPossession = ProofOfPossession.ForCertificate(issued.Certificate),
            },
            cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.x509_svid_issued",
                Actor = actor,
                Subject = subject.Value,
                Action = "issue",
                CredentialId = CredentialKinds.X509SvidJti(issued.SerialNumber),
                RequestId = requestId,
                Details = new Dictionary<string, string>
                {
                    ["serial"] = issued.SerialNumber,
                    ["expires_at"] = issued.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["sha256"] = issued.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256),
                },
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        metrics?.CredentialIssued(Telemetry.MandateMetrics.IssuedKinds.X509Svid);
        return new SvidIssueResult<IssuedX509Svid>(issued, null);
    }
}
