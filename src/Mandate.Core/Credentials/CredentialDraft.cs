using System.Text.Json;
using Mandate.Core.Delegation;
using Mandate.Core.Tasks;

namespace Mandate.Core.Credentials;

/// <summary>What a credential about to be issued says.</summary>
internal sealed record CredentialDraft
{
    public required string Kind { get; init; }

    public required string Subject { get; init; }

    public required IReadOnlyList<string> Audiences { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public ActorChain Chain { get; init; } = ActorChain.Empty;

    public string? TaskId { get; init; }

    public TaskIntent? Intent { get; init; }

    public string? ParentJti { get; init; }

    public IReadOnlyList<string> Lineage { get; init; } = [];

    public ProofOfPossession? Confirmation { get; init; }

    public string? ClientId { get; init; }

    /// <summary>An RFC 8693 <c>may_act</c> object to carry into the token.</summary>
    public JsonElement? MayAct { get; init; }

    /// <summary>JWT header <c>typ</c>: <c>at+jwt</c> for access tokens (RFC 9068), <c>JWT</c> otherwise.</summary>
    public string TokenType { get; init; } = "at+jwt";
}
