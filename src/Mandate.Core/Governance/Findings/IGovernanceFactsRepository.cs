namespace Mandate.Core.Governance.Findings;

/// <summary>Set-based reads and the ledger fold that findings about registered identities and grants are judged on.</summary>
internal interface IGovernanceFactsRepository
{
    /// <summary>Every registered identity with its credential counts as of <paramref name="now"/>, in one query.</summary>
    Task<IReadOnlyList<RegisteredIdentityFacts>> ReadRegisteredAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Folds ledger records after the usage cursor, at most <paramref name="maxRecords"/> sequence numbers of them,
    /// into the usage table (allowed <c>decision</c>s and <c>credential.used</c>) and moves the cursor; returns how
    /// far the cursor moved (0 when the ledger holds nothing new).
    /// </summary>
    Task<long> FoldUsageAsync(long maxRecords, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The aggregates the compliance report measures (counts, the longest-lived credentials, the ledger head).</summary>
    Task<Compliance.ComplianceStoreFacts> ReadComplianceFactsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every usage row.</summary>
    Task<IReadOnlyList<IdentityUsage>> ReadUsageAsync(CancellationToken cancellationToken);
}
