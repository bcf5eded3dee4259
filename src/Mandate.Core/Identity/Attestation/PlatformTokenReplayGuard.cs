using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Identity.Attestation;

/// <summary>
/// Lets a verified platform token be exchanged for an SVID once: its issuer and <c>jti</c> are recorded in the store
/// (shared by every node) until the token expires, and a second presentation is refused and raises
/// <c>detection.token_reuse</c> in the same transaction. A stolen token that its workload already used is then worth
/// nothing, and one used by the thief first makes the workload's own attestation fail loudly.
/// </summary>
internal sealed class PlatformTokenReplayGuard(IMandateStore store, IAuditTrail audit, IOptions<IdentityOptions> options, TimeProvider time)
{
    /// <summary>
    /// Records the redemption of a verified token; returns the refusal when the same issuer's token with this
    /// <c>jti</c> was already redeemed. Call only after the token verified and mapped, so that forged tokens never
    /// reach the store.
    /// </summary>
    public async Task<IdentityError?> RedeemAsync(
        string issuer,
        string jti,
        DateTimeOffset tokenExpiresAt,
        SpiffeId spiffeId,
        string? platformSubject,
        string? requestId,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentException.ThrowIfNullOrEmpty(jti);
        ArgumentNullException.ThrowIfNull(spiffeId);
        var hash = Hash(jti);
        var now = time.GetUtcNow();

        // Kept as long as the token could still be accepted: its exp plus the tolerated skew.
        var record = new RedeemedPlatformToken(issuer, hash, spiffeId.Value, now, tokenExpiresAt + options.Value.ClockSkew);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IRedeemedPlatformTokenRepository>();
        if (await repository.TryRecordAsync(record, cancellationToken).ConfigureAwait(false))
        {
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        var first = await repository.GetAsync(issuer, hash, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["state"] = "replayed",
            ["source"] = "oidc:" + issuer,
            ["first_redeemed_at"] = first?.RedeemedAt.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty,
            ["first_spiffe_id"] = first?.SpiffeId ?? string.Empty,
        };
        if (platformSubject is not null)
        {
            details["platform_subject"] = platformSubject.Length > 256 ? platformSubject[..256] : platformSubject;
        }

        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = TokenReuseDetector.EventType,
                Actor = spiffeId.Value,
                Subject = spiffeId.Value,
                Action = "attest_oidc",
                Decision = "deny",
                CredentialId = CredentialId(jti),
                Reason = "a platform token was presented for attestation again",
                RequestId = requestId,
                Details = details,
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new IdentityError(
            IdentityErrorCodes.AttestationTokenReplayed,
            $"This platform token was already exchanged for an SVID; tokens of issuer {issuer} are accepted once. Ask the platform for a fresh token.");
    }

    /// <summary>Deletes the records of tokens that can no longer be accepted anyway; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var purged = await session.Get<IRedeemedPlatformTokenRepository>().PurgeExpiredAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return purged;
    }

    /// <summary>How the audit log names a platform token: <c>oidc:</c> and the first 16 hex digits of its jti's SHA-256.</summary>
    public static string CredentialId(string jti) => "oidc:" + Hash(jti)[..16];

    /// <summary>Lower-case hex SHA-256 of the jti: a fixed-length key whatever the issuer's jti looks like.</summary>
    public static string Hash(string jti) => TokenDigest.OfUtf8(jti).ToHex();
}
