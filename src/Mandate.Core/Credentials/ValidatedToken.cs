using System.Text.Json;
using Mandate.Core.Delegation;
using Mandate.Core.Tasks;

namespace Mandate.Core.Credentials;

/// <summary>A JWT whose signature, issuer and lifetime checked out, with its claims read.</summary>
internal sealed record ValidatedToken
{
    public required string? Issuer { get; init; }

    public required string Subject { get; init; }

    public string? Jti { get; init; }

    public required IReadOnlyList<string> Audiences { get; init; }

    public DateTimeOffset? IssuedAt { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public required ActorChain Chain { get; init; }

    /// <summary>The <c>may_act</c> claim (RFC 8693 §4.4), when present.</summary>
    public JsonElement? MayAct { get; init; }

    /// <summary>Signed by Mandate's own key ring.</summary>
    public required bool IsMandateIssued { get; init; }

    /// <summary><see cref="CredentialKinds"/> for Mandate-issued tokens, null otherwise.</summary>
    public string? Kind { get; init; }

    public string? TaskId { get; init; }

    public TaskIntent? Intent { get; init; }

    public IReadOnlyList<string> Lineage { get; init; } = [];

    public ProofOfPossession? Confirmation { get; init; }

    public string? ClientId { get; init; }

    /// <summary>Every claim, for checks on members Mandate does not model (e.g. the members a <c>may_act</c> names).</summary>
    public required JsonElement Payload { get; init; }

    /// <summary>The JWT header <c>typ</c>.</summary>
    public string? TokenType { get; init; }
}
