using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Operators;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Decisions;

/// <summary>
/// PEP credentials issued through the API, next to those configured in <c>Mandate:Decisions:PepCredentials</c>: a
/// token <c>mpt_…</c> (256 random bits) shown once, only its SHA-256 stored; recorded as <c>pep_credential.issued</c>
/// and <c>pep_credential.revoked</c>. A revocation counts at once, on every node: on a store only this node writes
/// (SQLite) the usable credentials already looked up are remembered by the SHA-256 of their token (never the token),
/// with their expiry checked at every call, and every revocation, which can only be made through this class, forgets
/// them all before it is answered; on a store other nodes write too (PostgreSQL) a presented token is looked up by its
/// hash on every call.
/// </summary>
internal sealed partial class PepCredentials(IMandateStore store, IAuditTrail audit, TimeProvider time, IOptionsMonitor<DecisionOptions> options, StoreFreshness freshness)
{
    public const string TokenPrefix = "mpt_";

    /// <summary>Usable credentials remembered at most; beyond it a token is looked up on every call as before.</summary>
    internal const int MaxRemembered = 4096;

    private const int MaxReason = 1000;

    private readonly ConcurrentDictionary<TokenDigest, StoredPepCredential> remembered = new();
    private readonly Lock rememberGate = new();

    // Bumped by every revocation: a lookup that started before one is not remembered (it may have read the credential
    // before the revocation committed).
    private long revocations;

    /// <summary>Issues a credential for the enforcement point <paramref name="name"/>; <paramref name="ttl"/> null: until revoked.</summary>
    public async Task<(StoredPepCredential? Credential, string? Secret, OperatorError? Error)> IssueAsync(string? name, TimeSpan? ttl, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            return (null, null, new OperatorError(PepCredentialErrorCodes.Invalid, "name: 1 to 64 characters: letters, digits, '.', '_', ':' or '-'."));
        }

        if (ttl is { } requested && (requested <= TimeSpan.Zero || requested > TimeSpan.FromDays(3650)))
        {
            return (null, null, new OperatorError(PepCredentialErrorCodes.Invalid, "ttl_seconds: must be positive and at most ten years."));
        }

        if (options.CurrentValue.PepCredentials.Any(p => string.Equals(p.Name, name, StringComparison.Ordinal)))
        {
            return (null, null, new OperatorError(PepCredentialErrorCodes.Exists, $"'{name}' is a configured PEP credential (Mandate:Decisions:PepCredentials); choose another name."));
        }

        var now = time.GetUtcNow();
        var secret = OperatorDirectory.NewSecret(TokenPrefix);
        var credential = new StoredPepCredential
        {
            Id = OperatorDirectory.NewId("pcr_"),
            Name = name,
            TokenHash = OperatorDirectory.Hash(secret),
            CreatedAt = now,
            CreatedBy = actor,
            ExpiresAt = ttl is { } t ? now + t : null,
        };
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        await session.Get<IPepCredentialRepository>().InsertAsync(credential, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string> { ["credential_id"] = credential.Id, ["name"] = name, ["fingerprint"] = credential.Fingerprint };
        if (credential.ExpiresAt is { } expires)
        {
            details["expires_at"] = expires.ToString("O", CultureInfo.InvariantCulture);
        }

        await audit.RecordAsync(
            session,
            new AuditEvent { Type = "pep_credential.issued", Actor = actor, Subject = "pep:" + name, Action = "issue", CredentialId = credential.Id, RequestId = requestId, Details = details },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (credential, secret, null);
    }

    public async Task<IReadOnlyList<StoredPepCredential>> ListAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IPepCredentialRepository>().ListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<(StoredPepCredential? Credential, OperatorError? Error)> RevokeAsync(string id, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (reason is { Length: > MaxReason })
        {
            return (null, new OperatorError(PepCredentialErrorCodes.Invalid, $"reason: at most {MaxReason} characters."));
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IPepCredentialRepository>();
        var credential = id.Length is > 0 and <= 64 ? await repository.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
        if (credential is null)
        {
            return (null, new OperatorError(PepCredentialErrorCodes.NotFound, $"There is no issued PEP credential '{(id.Length <= 64 ? id : id[..64] + "…")}'."));
        }

        var now = time.GetUtcNow();
        if (!await repository.RevokeAsync(id, now, actor, reason, cancellationToken).ConfigureAwait(false))
        {
            return (null, new OperatorError(PepCredentialErrorCodes.Revoked, $"The PEP credential {id} is revoked already."));
        }

        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "pep_credential.revoked",
                Actor = actor,
                Subject = "pep:" + credential.Name,
                Action = "revoke",
                CredentialId = credential.Id,
                Reason = reason,
                RequestId = requestId,
                Details = new Dictionary<string, string> { ["credential_id"] = credential.Id, ["fingerprint"] = credential.Fingerprint },
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        Forget();
        return (credential with { RevokedAt = now, RevokedBy = actor, RevokedReason = reason }, null);
    }

    /// <summary>The name of the usable issued credential <paramref name="presented"/> is, or null.</summary>
    /// <remarks>
    /// The token may be a slice of the header that carried it: it is only hashed, never kept, so a decision need not copy
    /// it into a string.
    /// </remarks>
    public async ValueTask<string?> AuthenticateAsync(ReadOnlyMemory<char> presented, CancellationToken cancellationToken)
    {
        if (!presented.Span.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length is < 32 or > 200)
        {
            return null;
        }

        var digest = TokenDigest.OfUtf8(presented.Span);
        var now = time.GetUtcNow();
        var remember = !freshness.Applies;
        if (remember && remembered.TryGetValue(digest, out var known))
        {
            if (known.IsUsableAt(now))
            {
                return known.Name;
            }

            // Expired since it was remembered.
            remembered.TryRemove(digest, out _);
            return null;
        }

        var before = Volatile.Read(ref revocations);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var credential = await session.Get<IPepCredentialRepository>().FindByHashAsync(digest.ToHex(), cancellationToken).ConfigureAwait(false);
        if (credential is null || !credential.IsUsableAt(now))
        {
            return null;
        }

        if (remember)
        {
            lock (rememberGate)
            {
                if (revocations == before && remembered.Count < MaxRemembered)
                {
                    remembered[digest] = credential;
                }
            }
        }

        return credential.Name;
    }

    /// <summary>Forgets every remembered credential, so the next call of each is looked up in the store again.</summary>
    private void Forget()
    {
        lock (rememberGate)
        {
            revocations++;
            remembered.Clear();
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
