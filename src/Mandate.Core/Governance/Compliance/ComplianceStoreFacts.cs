namespace Mandate.Core.Governance.Compliance;

/// <summary>What the store says, in a handful of aggregate queries, for the compliance report.</summary>
internal sealed record ComplianceStoreFacts
{
    public int ImportedActive { get; init; }

    public int ImportedWithOwner { get; init; }

    public int ImportedWithOwnerAndExpiry { get; init; }

    /// <summary>The live (unrevoked, unexpired) Mandate credential with the longest lifetime, and that lifetime.</summary>
    public string? LongestCredential { get; init; }

    public TimeSpan? LongestCredentialLifetime { get; init; }

    /// <summary>The oldest active imported static secret (access key, password, secret) and its age from creation or rotation.</summary>
    public string? OldestStaticSecret { get; init; }

    public TimeSpan? OldestStaticSecretAge { get; init; }

    public long Revocations { get; init; }

    public long? LastRevocationSequence { get; init; }

    public long LedgerHead { get; init; }

    public long UsageCursor { get; init; }
}
