namespace Mandate.Core.Operators;

/// <summary>A person who runs Mandate: a unique name, roles, and whether they may act at all.</summary>
internal sealed record OperatorAccount
{
    /// <summary>Lower-case letters, digits, '.', '_' and '-', starting with a letter (at most 64): <c>alice</c>, <c>bob.smith</c>.</summary>
    public required string Name { get; init; }

    public string? DisplayName { get; init; }

    public required IReadOnlyList<OperatorRole> Roles { get; init; }

    public required bool Enabled { get; init; }

    /// <summary>The value of the configured OIDC claim that signs this operator in, or null (no OIDC sign-in).</summary>
    public string? OidcSubject { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>How the operator appears as the actor of ledger events: <c>operator:&lt;name&gt;</c>.</summary>
    public string Actor => OperatorActors.Of(Name);
}
