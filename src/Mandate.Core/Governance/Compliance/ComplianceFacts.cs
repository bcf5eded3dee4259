namespace Mandate.Core.Governance.Compliance;

/// <summary>Everything the compliance report measures, read from live state at <see cref="At"/>.</summary>
internal sealed record ComplianceFacts
{
    public required DateTimeOffset At { get; init; }

    public required ComplianceStoreFacts Store { get; init; }

    public int RegisteredActive { get; init; }

    /// <summary>Active registered identities with an owner (every registered identity has an expiry).</summary>
    public int RegisteredWithOwner { get; init; }

    /// <summary>Open findings by kind (accepted ones are not open).</summary>
    public required IReadOnlyDictionary<string, int> OpenFindings { get; init; }

    public bool LedgerVerified { get; init; }

    public long LedgerEvents { get; init; }

    public long LedgerCheckpoints { get; init; }

    public long LedgerUnsignedEvents { get; init; }

    public string? LedgerFailure { get; init; }

    public bool DetectionEnabled { get; init; }

    public required IReadOnlyList<string> RulesEnabled { get; init; }

    public required IReadOnlyList<string> RulesDisabled { get; init; }

    public string? PolicyVersion { get; init; }

    public int Permits { get; init; }

    public int Forbids { get; init; }

    public bool PolicySchema { get; init; }

    public TimeSpan TaskMaxTtl { get; init; }

    public TimeSpan MaxSecretAge { get; init; }

    public int MaxChainDepth { get; init; }

    public TimeSpan RevocationReconcile { get; init; }

    public double AllowSampleRate { get; init; }

    public int OperatorsEnabled { get; init; }

    public int SecurityOperators { get; init; }

    public int OpenFindingsOf(params string[] kinds) => kinds.Sum(k => OpenFindings.TryGetValue(k, out var n) ? n : 0);
}
