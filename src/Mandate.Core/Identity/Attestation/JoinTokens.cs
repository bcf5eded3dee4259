using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Identity.Attestation;

/// <summary>
/// One-time join tokens for hosts without a platform token: an admin creates one bound to one registered SPIFFE ID
/// with a short TTL; the host redeems it once for a JWT-SVID. Only the token's SHA-256 is stored; the audit log
/// names a token by the first 16 hex digits of that hash.
/// </summary>
internal sealed class JoinTokens(
    IMandateStore store,
    IAuditTrail audit,
    IdentityDirectory directory,
    IOptions<IdentityOptions> options,
    TimeProvider time,
    Telemetry.MandateMetrics? metrics = null)
{
    private const string Prefix = "mjt_";

    public sealed record CreatedJoinToken(string Token, string SpiffeId, DateTimeOffset ExpiresAt, string TokenId);

    public async Task<(CreatedJoinToken? Token, IdentityError? Error)> CreateAsync(string? spiffeId, TimeSpan? ttl, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!SpiffeId.TryParse(spiffeId, out var id, out var parseError))
        {
            return (null, new IdentityError(IdentityErrorCodes.InvalidSpiffeId, "spiffe_id: " + parseError + "."));
        }

        var lifetime = ttl ?? settings.JoinTokenDefaultTtl;
        if (lifetime <= TimeSpan.Zero || lifetime > settings.JoinTokenMaxTtl)
        {
            return (null, new IdentityError(IdentityErrorCodes.SvidTtlExceeded, $"ttl_seconds: must be between 1 and {(long)settings.JoinTokenMaxTtl.TotalSeconds}."));
        }

        var now = time.GetUtcNow();
        if (directory.CheckUsable(id.Value, now) is { } unusable)
        {
            return (null, unusable);
        }

        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Hash(token);
        var expires = now + lifetime;
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        await session.Get<IJoinTokenRepository>().InsertAsync(hash, id.Value, now, expires, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.join_token_created",
                Actor = actor,
                Subject = id.Value,
                Action = "create_join_token",
                CredentialId = "join:" + hash[..16],
                RequestId = requestId,
                Details = new Dictionary<string, string> { ["expires_at"] = expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        metrics?.CredentialIssued(Telemetry.MandateMetrics.IssuedKinds.JoinToken);
        return (new CreatedJoinToken(token, id.Value, expires, hash[..16]), null);
    }

    /// <summary>
    /// Consumes a join token; the same answer for unknown, used and expired tokens. A token whose identity cannot get
    /// an SVID now (suspended, expired) is refused without being spent, so it works again once the identity is usable.
    /// </summary>
    public async Task<(SpiffeId? Id, IdentityError? Error)> RedeemAsync(string? token, string? requestId, CancellationToken cancellationToken)
    {
        var invalid = new IdentityError(IdentityErrorCodes.JoinTokenInvalid, "The join token is unknown, already used, or expired.");
        if (string.IsNullOrEmpty(token) || token.Length > 128 || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (null, invalid);
        }

        var hash = Hash(token);
        var now = time.GetUtcNow();
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var spiffeId = await session.Get<IJoinTokenRepository>().ConsumeAsync(hash, now, cancellationToken).ConfigureAwait(false);
        if (spiffeId is null)
        {
            return (null, invalid);
        }

        if (directory.CheckUsable(spiffeId, now) is { } unusable)
        {
            // Not committed: the consumption rolls back.
            return (null, unusable);
        }

        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.join_token_redeemed",
                Actor = spiffeId,
                Subject = spiffeId,
                Action = "redeem_join_token",
                CredentialId = "join:" + hash[..16],
                RequestId = requestId,
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (SpiffeId.Parse(spiffeId), null);
    }

    private static string Hash(string token) => TokenDigest.OfUtf8(token).ToHex();
}
