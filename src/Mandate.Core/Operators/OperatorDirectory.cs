using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Mandate.Core.Admin;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Operators;

/// <summary>
/// Named operators and their tokens: add, enable and disable operators; create, list, rotate and revoke their tokens;
/// authenticate a presented token. Every change and its ledger event commit in one transaction. A token is
/// <c>mot_</c> and 43 base64url characters (256 random bits); only its SHA-256 is stored, and the ledger names it by
/// its id and fingerprint only.
/// </summary>
internal sealed partial class OperatorDirectory(
    IMandateStore store,
    IAuditTrail audit,
    TimeProvider time,
    IOptions<OperatorOptions> options,
    IOptions<AdminOptions> adminOptions)
{
    /// <summary>The prefix of every operator token (the audit secret guard redacts anything that looks like one).</summary>
    public const string TokenPrefix = "mot_";

    private const int MaxDisplayName = 200;
    private const int MaxLabel = 100;
    private const int MaxReason = 1000;
    private const int MaxOidcSubject = 512;

    /// <summary>Adds an operator with at least one role.</summary>
    public async Task<OperatorResult<OperatorAccount>> AddAsync(
        string? name, IReadOnlyCollection<string>? roles, string? displayName, string? oidcSubject, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (NameProblem(name) is { } nameProblem)
        {
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.Invalid, nameProblem);
        }

        if (ParseRoles(roles) is not { } parsed)
        {
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.Invalid, RolesProblem(roles));
        }

        if (displayName is { Length: > MaxDisplayName } || (displayName is not null && displayName.Any(char.IsControl)))
        {
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.Invalid, $"display_name: at most {MaxDisplayName} characters, no control characters.");
        }

        if (oidcSubject is not null && (oidcSubject.Length is 0 or > MaxOidcSubject || oidcSubject.Any(char.IsControl)))
        {
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.Invalid, $"oidc_subject: 1 to {MaxOidcSubject} characters, no control characters.");
        }

        var now = time.GetUtcNow();
        var account = new OperatorAccount
        {
            Name = name!,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(),
            Roles = OperatorRoles.Normalize(parsed),
            Enabled = true,
            OidcSubject = oidcSubject,
            CreatedAt = now,
            CreatedBy = actor,
            UpdatedAt = now,
        };
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IOperatorRepository>();
        if (!await repository.InsertAsync(account, cancellationToken).ConfigureAwait(false))
        {
            var clash = await repository.GetAsync(account.Name, cancellationToken).ConfigureAwait(false) is not null
                ? $"An operator named '{account.Name}' exists already."
                : "Another operator has that oidc_subject.";
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.Exists, clash);
        }

        var details = new Dictionary<string, string> { ["roles"] = OperatorRoles.Format(account.Roles) };
        if (account.OidcSubject is not null)
        {
            details["oidc_subject"] = account.OidcSubject;
        }

        await audit.RecordAsync(
            session,
            new AuditEvent { Type = "operator.added", Actor = actor, Subject = account.Actor, Action = "add", RequestId = requestId, Details = details },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OperatorResult<OperatorAccount>.Ok(account);
    }

    public async Task<OperatorAccount?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (NameProblem(name) is not null)
        {
            return null;
        }

        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IOperatorRepository>().GetAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OperatorAccount>> ListAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IOperatorRepository>().ListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<OperatorAccount?> FindByOidcSubjectAsync(string subject, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IOperatorRepository>().FindByOidcSubjectAsync(subject, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether an enabled operator holds the admin role (required before the bootstrap token may be disabled).</summary>
    public async Task<bool> HasEnabledAdminAsync(CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).Any(o => o.Enabled && o.Roles.Contains(OperatorRole.Admin));

    /// <summary>
    /// Enables or disables an operator. Disabling takes effect at once: their tokens stop working (they are checked
    /// against the operator on every use). Idempotent: a repeated call answers the operator as it is, recording nothing.
    /// </summary>
    public async Task<OperatorResult<OperatorAccount>> SetEnabledAsync(string name, bool enabled, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (reason is { Length: > MaxReason })
        {
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.Invalid, $"reason: at most {MaxReason} characters.");
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IOperatorRepository>();
        var account = NameProblem(name) is null ? await repository.GetAsync(name, cancellationToken).ConfigureAwait(false) : null;
        if (account is null)
        {
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.NotFound, $"There is no operator '{Shorten(name)}'.");
        }

        if (account.Enabled == enabled)
        {
            return OperatorResult<OperatorAccount>.Ok(account);
        }

        if (!enabled && await LastAdminProblemAsync(repository, account, cancellationToken).ConfigureAwait(false) is { } lastAdmin)
        {
            return lastAdmin;
        }

        var now = time.GetUtcNow();
        await repository.SetEnabledAsync(account.Name, enabled, now, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = enabled ? "operator.enabled" : "operator.disabled",
                Actor = actor,
                Subject = account.Actor,
                Action = enabled ? "enable" : "disable",
                Reason = reason,
                RequestId = requestId,
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OperatorResult<OperatorAccount>.Ok(account with { Enabled = enabled, UpdatedAt = now });
    }

    /// <summary>
    /// Replaces an operator's roles. Takes effect at once (roles are read with the operator on every authenticated
    /// call). The last enabled admin keeps the admin role while the bootstrap token is disabled. Idempotent: the same
    /// roles again answer the operator as it is, recording nothing.
    /// </summary>
    public async Task<OperatorResult<OperatorAccount>> SetRolesAsync(string name, IReadOnlyCollection<string>? roles, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (reason is { Length: > MaxReason })
        {
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.Invalid, $"reason: at most {MaxReason} characters.");
        }

        if (ParseRoles(roles) is not { } parsed)
        {
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.Invalid, RolesProblem(roles));
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IOperatorRepository>();
        var account = NameProblem(name) is null ? await repository.GetAsync(name, cancellationToken).ConfigureAwait(false) : null;
        if (account is null)
        {
            return OperatorResult<OperatorAccount>.Fail(OperatorErrorCodes.NotFound, $"There is no operator '{Shorten(name)}'.");
        }

        var normalized = OperatorRoles.Normalize(parsed);
        if (normalized.SequenceEqual(account.Roles))
        {
            return OperatorResult<OperatorAccount>.Ok(account);
        }

        if (account.Enabled && !normalized.Contains(OperatorRole.Admin)
            && await LastAdminProblemAsync(repository, account, cancellationToken).ConfigureAwait(false) is { } lastAdmin)
        {
            return lastAdmin;
        }

        var now = time.GetUtcNow();
        await repository.SetRolesAsync(account.Name, normalized, now, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "operator.roles_changed",
                Actor = actor,
                Subject = account.Actor,
                Action = "set_roles",
                Reason = reason,
                RequestId = requestId,
                Details = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["from"] = OperatorRoles.Format(account.Roles),
                    ["to"] = OperatorRoles.Format(normalized),
                },
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OperatorResult<OperatorAccount>.Ok(account with { Roles = normalized, UpdatedAt = now });
    }

    /// <summary>Creates a personal API token; <paramref name="ttl"/> defaults to <see cref="OperatorOptions.TokenLifetime"/>.</summary>
    public Task<OperatorResult<IssuedOperatorToken>> CreateTokenAsync(string name, string? label, TimeSpan? ttl, string actor, string? requestId, CancellationToken cancellationToken) =>
        IssueAsync(name, OperatorTokenKind.Api, label, ttl, null, actor, requestId, null, cancellationToken);

    /// <summary>A short-lived session token for an operator who signed in (OIDC); recorded as <c>operator.signed_in</c>.</summary>
    /// <summary>
    /// Opens a session for <paramref name="account"/>, recording <paramref name="redemption"/> (the ID token it was
    /// opened with) in the same transaction: of two sign-ins with one token, on any nodes, one session is opened and
    /// the other is refused with <see cref="OperatorErrorCodes.SignInRefused"/>.
    /// </summary>
    public Task<OperatorResult<IssuedOperatorToken>> CreateSessionAsync(OperatorAccount account, RedeemedIdToken redemption, IReadOnlyDictionary<string, string> signInDetails, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(redemption);
        return IssueAsync(account.Name, OperatorTokenKind.Session, "oidc sign-in", options.Value.SessionLifetime, null, account.Actor, requestId, signInDetails, cancellationToken, redemption);
    }

    /// <summary>Replaces a token: a new one with the same label (and the given or default lifetime), the old one revoked, in one transaction.</summary>
    public Task<OperatorResult<IssuedOperatorToken>> RotateTokenAsync(string name, string tokenId, TimeSpan? ttl, string actor, string? requestId, CancellationToken cancellationToken) =>
        IssueAsync(name, OperatorTokenKind.Api, null, ttl, tokenId, actor, requestId, null, cancellationToken);

    public async Task<OperatorResult<IReadOnlyList<OperatorToken>>> ListTokensAsync(string name, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        if (NameProblem(name) is not null || await session.Get<IOperatorRepository>().GetAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            return OperatorResult<IReadOnlyList<OperatorToken>>.Fail(OperatorErrorCodes.NotFound, $"There is no operator '{Shorten(name)}'.");
        }

        return OperatorResult<IReadOnlyList<OperatorToken>>.Ok(await session.Get<IOperatorTokenRepository>().ListAsync(name, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Revokes one of the operator's tokens; effective at once (every use reads the token's row).</summary>
    public async Task<OperatorResult<OperatorToken>> RevokeTokenAsync(string name, string tokenId, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (reason is { Length: > MaxReason })
        {
            return OperatorResult<OperatorToken>.Fail(OperatorErrorCodes.Invalid, $"reason: at most {MaxReason} characters.");
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var (token, error) = await FindTokenAsync(session, name, tokenId, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return new OperatorResult<OperatorToken>(null, error);
        }

        var now = time.GetUtcNow();
        if (!await session.Get<IOperatorTokenRepository>().RevokeAsync(token!.Id, now, actor, reason, cancellationToken).ConfigureAwait(false))
        {
            return OperatorResult<OperatorToken>.Fail(OperatorErrorCodes.TokenRevoked, $"The token {token.Id} is revoked already.");
        }

        await RecordRevokedAsync(session, token, actor, reason, requestId, cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OperatorResult<OperatorToken>.Ok(token with { RevokedAt = now, RevokedBy = actor, RevokedReason = reason });
    }

    /// <summary>
    /// The operator a presented token belongs to, when the token is known, not revoked, not expired, and its operator
    /// exists and is enabled. Looked up by the token's SHA-256 on every call, so a revocation or a disabled operator
    /// counts at once, on every node.
    /// </summary>
    public async Task<OperatorAuthentication> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (presented is null || !presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length is < 20 or > 200)
        {
            return OperatorAuthentication.Fail("not an operator token");
        }

        var hash = Hash(presented);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var token = await session.Get<IOperatorTokenRepository>().FindByHashAsync(hash, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return OperatorAuthentication.Fail("the operator token is unknown");
        }

        if (token.RevokedAt is not null)
        {
            return OperatorAuthentication.Fail("the operator token is revoked");
        }

        if (time.GetUtcNow() >= token.ExpiresAt)
        {
            return OperatorAuthentication.Fail("the operator token has expired");
        }

        var account = await session.Get<IOperatorRepository>().GetAsync(token.OperatorName, cancellationToken).ConfigureAwait(false);
        if (account is null || !account.Enabled)
        {
            return OperatorAuthentication.Fail("the operator is disabled");
        }

        return new OperatorAuthentication(account, token, null);
    }

    /// <summary>
    /// The refusal when <paramref name="account"/> is an admin about to stop being one (disabled, or the role taken) while
    /// it is the last enabled admin and the bootstrap token is disabled: nobody could administer Mandate after it.
    /// </summary>
    private async Task<OperatorResult<OperatorAccount>?> LastAdminProblemAsync(IOperatorRepository repository, OperatorAccount account, CancellationToken cancellationToken)
    {
        if (!account.Roles.Contains(OperatorRole.Admin) || adminOptions.Value.BootstrapToken != BootstrapTokenMode.Disabled)
        {
            return null;
        }

        var admins = (await repository.ListAsync(cancellationToken).ConfigureAwait(false)).Count(o => o.Enabled && o.Roles.Contains(OperatorRole.Admin));
        return admins > 1 ? null : OperatorResult<OperatorAccount>.Fail(
            OperatorErrorCodes.LastAdmin,
            $"'{account.Name}' is the last enabled admin and the bootstrap admin token is disabled: add another admin first, or nobody could administer Mandate.");
    }

    /// <summary>At least one role, each a known role name; null otherwise (<see cref="RolesProblem"/> says why).</summary>
    private static List<OperatorRole>? ParseRoles(IReadOnlyCollection<string>? roles)
    {
        if (roles is null || roles.Count == 0)
        {
            return null;
        }

        var parsed = new List<OperatorRole>(roles.Count);
        foreach (var text in roles)
        {
            if (!OperatorRoles.TryParse(text, out var role))
            {
                return null;
            }

            parsed.Add(role);
        }

        return parsed;
    }

    private static string RolesProblem(IReadOnlyCollection<string>? roles) =>
        roles?.FirstOrDefault(r => !OperatorRoles.TryParse(r, out _)) is { } unknown
            ? $"roles: '{Shorten(unknown)}' is not a role; use {string.Join(", ", OperatorRoles.All.Select(OperatorRoles.Name))}."
            : $"roles: at least one of {string.Join(", ", OperatorRoles.All.Select(OperatorRoles.Name))}.";

    /// <summary>Lower-case hex SHA-256 of a token, as stored.</summary>
    public static string Hash(string token) => TokenDigest.OfUtf8(token).ToHex();

    /// <summary>A new secret with the given prefix: 256 random bits, base64url.</summary>
    public static string NewSecret(string prefix) => prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A new public id with the given prefix: 80 random bits, hex.</summary>
    public static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    /// <summary>Null when <paramref name="name"/> is a valid operator name, otherwise why not.</summary>
    public static string? NameProblem(string? name) =>
        name is not null && NamePattern().IsMatch(name) ? null : "name: 1 to 64 characters, lower-case letters, digits, '.', '_' or '-', starting with a letter.";

    private async Task<OperatorResult<IssuedOperatorToken>> IssueAsync(
        string name,
        OperatorTokenKind kind,
        string? label,
        TimeSpan? ttl,
        string? replacing,
        string actor,
        string? requestId,
        IReadOnlyDictionary<string, string>? signInDetails,
        CancellationToken cancellationToken,
        RedeemedIdToken? redemption = null)
    {
        var settings = options.Value;
        if (label is { Length: > MaxLabel } || (label is not null && label.Any(char.IsControl)))
        {
            return OperatorResult<IssuedOperatorToken>.Fail(OperatorErrorCodes.Invalid, $"label: at most {MaxLabel} characters, no control characters.");
        }

        if (kind == OperatorTokenKind.Api && ttl is { } requested && (requested <= TimeSpan.Zero || requested > settings.MaxTokenLifetime))
        {
            return OperatorResult<IssuedOperatorToken>.Fail(
                OperatorErrorCodes.Invalid,
                string.Create(CultureInfo.InvariantCulture, $"ttl_seconds: must be positive and at most {(long)settings.MaxTokenLifetime.TotalSeconds} (Mandate:Operators:MaxTokenLifetime)."));
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var account = NameProblem(name) is null ? await session.Get<IOperatorRepository>().GetAsync(name, cancellationToken).ConfigureAwait(false) : null;
        if (account is null)
        {
            return OperatorResult<IssuedOperatorToken>.Fail(OperatorErrorCodes.NotFound, $"There is no operator '{Shorten(name)}'.");
        }

        if (!account.Enabled)
        {
            return OperatorResult<IssuedOperatorToken>.Fail(OperatorErrorCodes.Disabled, $"The operator '{account.Name}' is disabled; enable them first.");
        }

        var tokens = session.Get<IOperatorTokenRepository>();
        var now = time.GetUtcNow();
        if (redemption is not null)
        {
            // Rows of tokens that can no longer be accepted go here, where sign-ins write anyway: no loop of its own.
            var redeemed = session.Get<IRedeemedIdTokenRepository>();
            await redeemed.PurgeExpiredAsync(now, cancellationToken).ConfigureAwait(false);
            if (!await redeemed.TryRecordAsync(redemption with { RedeemedAt = now }, cancellationToken).ConfigureAwait(false))
            {
                return OperatorResult<IssuedOperatorToken>.Fail(
                    OperatorErrorCodes.SignInRefused, "The ID token was used to sign in already; an ID token opens one session. Sign in again at the provider for a fresh one.");
            }
        }

        OperatorToken? old = null;
        if (replacing is not null)
        {
            var (found, error) = await FindTokenAsync(session, name, replacing, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                return new OperatorResult<IssuedOperatorToken>(null, error);
            }

            if (found!.RevokedAt is not null)
            {
                return OperatorResult<IssuedOperatorToken>.Fail(OperatorErrorCodes.TokenRevoked, $"The token {found.Id} is revoked; create a new one instead.");
            }

            old = found;
            label ??= found.Label;
        }

        var secret = NewSecret(TokenPrefix);
        var token = new OperatorToken
        {
            Id = NewId("otk_"),
            TokenHash = Hash(secret),
            OperatorName = account.Name,
            Kind = kind,
            Label = string.IsNullOrWhiteSpace(label) ? null : label.Trim(),
            CreatedAt = now,
            CreatedBy = actor,
            ExpiresAt = now + (ttl ?? settings.TokenLifetime),
        };
        await tokens.InsertAsync(token, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string>
        {
            ["token_id"] = token.Id,
            ["fingerprint"] = token.Fingerprint,
            ["kind"] = kind == OperatorTokenKind.Api ? "api" : "session",
            ["expires_at"] = token.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (token.Label is not null)
        {
            details["label"] = token.Label;
        }

        if (old is not null)
        {
            details["rotated_from"] = old.Id;
            await tokens.RevokeAsync(old.Id, now, actor, "rotated", cancellationToken).ConfigureAwait(false);
            await RecordRevokedAsync(session, old, actor, "rotated", requestId, cancellationToken).ConfigureAwait(false);
        }

        if (signInDetails is not null)
        {
            foreach (var (key, value) in signInDetails)
            {
                details[key] = value;
            }
        }

        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = kind == OperatorTokenKind.Session ? "operator.signed_in" : "operator.token_created",
                Actor = actor,
                Subject = account.Actor,
                Action = kind == OperatorTokenKind.Session ? "sign_in" : (old is null ? "create_token" : "rotate_token"),
                CredentialId = token.Id,
                RequestId = requestId,
                Details = details,
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OperatorResult<IssuedOperatorToken>.Ok(new IssuedOperatorToken(secret, token, account));
    }

    private static async Task<(OperatorToken? Token, OperatorError? Error)> FindTokenAsync(IStoreSession session, string name, string tokenId, CancellationToken cancellationToken)
    {
        if (NameProblem(name) is not null || await session.Get<IOperatorRepository>().GetAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            return (null, new OperatorError(OperatorErrorCodes.NotFound, $"There is no operator '{Shorten(name)}'."));
        }

        var token = tokenId.Length is > 0 and <= 64 ? await session.Get<IOperatorTokenRepository>().GetAsync(tokenId, cancellationToken).ConfigureAwait(false) : null;

        // Another operator's token id answers like a missing one.
        return token is null || token.OperatorName != name
            ? (null, new OperatorError(OperatorErrorCodes.TokenNotFound, $"The operator '{name}' has no token '{Shorten(tokenId)}'."))
            : (token, null);
    }

    private Task RecordRevokedAsync(IStoreSession session, OperatorToken token, string actor, string? reason, string? requestId, CancellationToken cancellationToken) =>
        audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "operator.token_revoked",
                Actor = actor,
                Subject = OperatorActors.Of(token.OperatorName),
                Action = "revoke_token",
                CredentialId = token.Id,
                Reason = reason,
                RequestId = requestId,
                Details = new Dictionary<string, string> { ["token_id"] = token.Id, ["fingerprint"] = token.Fingerprint },
            },
            cancellationToken);

    private static string Shorten(string? text) => text is null ? string.Empty : text.Length <= 64 ? text : text[..64] + "…";

    [GeneratedRegex(@"^[a-z][a-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
