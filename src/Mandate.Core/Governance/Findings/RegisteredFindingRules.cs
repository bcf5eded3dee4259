namespace Mandate.Core.Governance.Findings;

/// <summary>
/// The findings Mandate's own registered (SPIFFE) identities hold at a moment, source <c>mandate</c>: pure, like
/// <see cref="FindingRules"/>. Only active identities are judged. Kinds: <c>no_owner</c>, <c>orphaned</c> (the owner
/// is a departed owner), <c>expired_active</c> (past its expiry with live credentials), <c>stale</c> (no allowed
/// decision, credential use or recorded credential use for the stale window; never used counts from registration).
/// </summary>
internal static class RegisteredFindingRules
{
    public const string Source = "mandate";

    /// <param name="registered">The registered identities.</param>
    /// <param name="lastUse">Per SPIFFE ID, its last use in the ledger (any allowed decision or credential use).</param>
    /// <param name="departedOwners">Owners known to have left (offboarded owners; disabled operators, as NAME and operator:NAME).</param>
    /// <param name="now">The time judged at.</param>
    /// <param name="options">The windows.</param>
    public static List<Finding> Evaluate(
        IEnumerable<RegisteredIdentityFacts> registered,
        IReadOnlyDictionary<string, IdentityUsage> lastUse,
        IReadOnlySet<string> departedOwners,
        DateTimeOffset now,
        GovernanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(registered);
        ArgumentNullException.ThrowIfNull(lastUse);
        ArgumentNullException.ThrowIfNull(departedOwners);
        ArgumentNullException.ThrowIfNull(options);
        var findings = new List<Finding>();
        foreach (var identity in registered)
        {
            if (identity.Status != "active")
            {
                continue;
            }

            var id = identity.SpiffeId;
            if (string.IsNullOrWhiteSpace(identity.Owner))
            {
                findings.Add(Make(FindingKinds.NoOwner, "medium", identity, $"{id} has no owner: nobody answers for it.",
                    [FindingEvidence.Field("owner", null, Source)],
                    "Give it an owner (register it again with --owner), or revoke it."));
            }
            else if (departedOwners.Contains(identity.Owner))
            {
                findings.Add(Make(FindingKinds.Orphaned, "high", identity, $"{id} is owned by {identity.Owner}, who has left (offboarded, or a disabled operator).",
                    [FindingEvidence.Field("owner", identity.Owner, Source)],
                    "Transfer it to a current owner, or offboard it."));
            }

            if (identity.ExpiresAt <= now && identity.LiveCredentials > 0)
            {
                var evidence = new List<FindingEvidence> { FindingEvidence.Field("expires_at", FindingRules.Time(identity.ExpiresAt), Source) };
                if (identity.LatestLiveCredential is { } jti && identity.LatestLiveExpiry is { } until)
                {
                    evidence.Add(FindingEvidence.Field($"credentials.{jti}.expires_at", FindingRules.Time(until), Source));
                }

                findings.Add(Make(FindingKinds.ExpiredActive, "high", identity,
                    $"{id} expired on {FindingRules.Date(identity.ExpiresAt)} but {identity.LiveCredentials} credential(s) issued to it are neither revoked nor expired.",
                    evidence,
                    "Revoke its credentials (mandate credential revoke --subject) and suspend or offboard the identity, or re-register it with a new expiry."));
            }

            lastUse.TryGetValue(id, out var ledgerUse);
            var used = Latest(ledgerUse?.LastUsedAt, identity.LastCredentialUse);
            var since = used ?? identity.CreatedAt;
            if (now - since > options.StaleAfter)
            {
                var evidence = new List<FindingEvidence>();
                if (ledgerUse is not null && used == ledgerUse.LastUsedAt)
                {
                    evidence.Add(new FindingEvidence { Kind = "ledger", Sequence = ledgerUse.LastSequence });
                }
                else
                {
                    evidence.Add(FindingEvidence.Field("last_used_at", used is { } u ? FindingRules.Time(u) : null, Source));
                }

                if (used is null)
                {
                    evidence.Add(FindingEvidence.Field("created_at", FindingRules.Time(identity.CreatedAt), Source));
                }

                findings.Add(Make(FindingKinds.Stale, "medium", identity,
                    used is null
                        ? $"{id} was never used since it was registered on {FindingRules.Date(identity.CreatedAt)} (stale after {FindingRules.Days(options.StaleAfter)} days)."
                        : $"{id} was last used on {FindingRules.Date(since)} (stale after {FindingRules.Days(options.StaleAfter)} days).",
                    evidence,
                    "Suspend or offboard it if nothing runs as it any more; otherwise find out why it stopped."));
            }
        }

        return findings;
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a > b ? a : b);

    internal static Finding Make(string kind, string severity, RegisteredIdentityFacts identity, string summary, IReadOnlyList<FindingEvidence> evidence, string remediation, string? slot = null) => new()
    {
        Id = FindingRules.Id(kind, Source, identity.SpiffeId, slot),
        Kind = kind,
        Severity = severity,
        Source = Source,
        Identity = identity.SpiffeId,
        Owner = string.IsNullOrWhiteSpace(identity.Owner) ? null : identity.Owner,
        Summary = summary,
        Evidence = evidence,
        Remediation = remediation,
    };
}
