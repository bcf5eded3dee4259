using Mandate.Core.Operators;

namespace Mandate.Server.Operators;

/// <summary><c>POST /v1/operators</c>.</summary>
internal sealed record AddOperatorRequest(string? Name, IReadOnlyList<string>? Roles, string? DisplayName, string? OidcSubject);

/// <summary><c>POST /v1/operators/{name}/disable|enable</c>, <c>…/tokens/{id}/revoke</c>.</summary>
internal sealed record OperatorReasonRequest(string? Reason);

/// <summary><c>POST /v1/operators/{name}/roles</c>: the operator's roles from now on (replacing the old ones).</summary>
internal sealed record SetOperatorRolesRequest(IReadOnlyList<string>? Roles, string? Reason);

/// <summary><c>POST /v1/operators/{name}/tokens</c> and <c>…/tokens/{id}/rotate</c>.</summary>
internal sealed record CreateOperatorTokenRequest(string? Label, long? TtlSeconds);

/// <summary><c>POST /v1/operators/sign-in</c>: an ID token from the configured OIDC provider.</summary>
internal sealed record OperatorSignInRequest(string? IdToken);

/// <summary>An operator as the API shows it.</summary>
internal sealed record OperatorView(
    string Name,
    string? DisplayName,
    IReadOnlyList<string> Roles,
    bool Enabled,
    string? OidcSubject,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt)
{
    public static OperatorView From(OperatorAccount account) => new(
        account.Name,
        account.DisplayName,
        account.Roles.Select(OperatorRoles.Name).ToList(),
        account.Enabled,
        account.OidcSubject,
        account.CreatedAt,
        account.CreatedBy,
        account.UpdatedAt);
}

/// <summary>A stored token as the API shows it: never the secret, nor its hash.</summary>
internal sealed record OperatorTokenView(
    string Id,
    string Operator,
    string Kind,
    string? Label,
    string Status,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    string? RevokedReason)
{
    public static OperatorTokenView From(OperatorToken token, DateTimeOffset now) => new(
        token.Id,
        token.OperatorName,
        token.Kind == OperatorTokenKind.Api ? "api" : "session",
        token.Label,
        token.RevokedAt is not null ? "revoked" : now >= token.ExpiresAt ? "expired" : "active",
        token.CreatedAt,
        token.CreatedBy,
        token.ExpiresAt,
        token.RevokedAt,
        token.RevokedBy,
        token.RevokedReason);
}

/// <summary>A token just created: the only time its secret is shown.</summary>
internal sealed record IssuedOperatorTokenView(
    string Token,
    string TokenId,
    string Operator,
    IReadOnlyList<string> Roles,
    string Kind,
    string? Label,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt)
{
    public static IssuedOperatorTokenView From(IssuedOperatorToken issued) => new(
        issued.Secret,
        issued.Token.Id,
        issued.Operator.Name,
        issued.Operator.Roles.Select(OperatorRoles.Name).ToList(),
        issued.Token.Kind == OperatorTokenKind.Api ? "api" : "session",
        issued.Token.Label,
        issued.Token.CreatedAt,
        issued.Token.ExpiresAt);
}
