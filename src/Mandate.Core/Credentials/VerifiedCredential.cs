using Mandate.Core.Tasks;

namespace Mandate.Core.Credentials;

/// <summary>What a verified credential says. Only the outermost actor of <see cref="Chain"/> is the current actor.</summary>
internal sealed record VerifiedCredential
{
    public required string Jti { get; init; }

    /// <summary>The <c>sub</c>: a SPIFFE ID for task credentials, the original subject for exchanged tokens.</summary>
    public required string Subject { get; init; }

    /// <summary>See <see cref="CredentialKinds"/>.</summary>
    public required string Kind { get; init; }

    public string? TaskId { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public required IReadOnlyList<string> Audiences { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Actor identities from the <c>act</c> claim, outermost (current) actor first; empty without delegation.</summary>
    public required IReadOnlyList<string> Chain { get; init; }

    /// <summary>The task's intent the credential is limited to, when it belongs to a task.</summary>
    public TaskIntent? Intent { get; init; }

    public ProofOfPossession? ProofOfPossession { get; init; }

    /// <summary>The <c>jti</c>s this credential was derived from by exchange, root first (all are checked for revocation).</summary>
    public IReadOnlyList<string> Lineage { get; init; } = [];

    /// <summary>The party using the credential: the current actor, or the subject when there is no chain.</summary>
    public string Holder => Chain.Count > 0 ? Chain[0] : Subject;
}
