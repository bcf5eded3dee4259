using System.Globalization;
using Mandate.Core.Detection;
using Mandate.Core.Governance.Findings;
using static Mandate.Core.Governance.Compliance.ComplianceAssessment;

namespace Mandate.Core.Governance.Compliance;

/// <summary>
/// The live measurements controls are assessed by. Each says how its status follows from the numbers (see
/// docs/compliance.md, "How statuses are computed").
/// </summary>
internal static class ComplianceMeasures
{
    /// <summary>Share of active identities (registered and imported) with an owner and an expiry: all met, 90% partial.</summary>
    public static ComplianceAssessment Ownership(ComplianceFacts f)
    {
        var total = f.RegisteredActive + f.Store.ImportedActive;
        var both = f.RegisteredWithOwner + f.Store.ImportedWithOwnerAndExpiry;
        var evidence = new[] { ComplianceEvidence.Api("/v1/identities"), ComplianceEvidence.Api("/v1/inventory"), ComplianceEvidence.Api("/v1/findings?kind=no_owner") };
        if (total == 0)
        {
            return new(NotMeasured, "no active identities to measure", evidence);
        }

        var share = (double)both / total;
        return new(
            share >= 1 ? Met : share >= 0.9 ? Partial : NotMet,
            Invariant($"{both} of {total} active identities ({share:P0}) have an owner and an expiry (registered {f.RegisteredWithOwner}/{f.RegisteredActive}, imported {f.Store.ImportedWithOwnerAndExpiry}/{f.Store.ImportedActive})"),
            evidence);
    }

    /// <summary>No open finding of <paramref name="kinds"/>: met; any: not met.</summary>
    public static ComplianceAssessment NoOpenFindings(ComplianceFacts f, params string[] kinds)
    {
        var open = f.OpenFindingsOf(kinds);
        return new(
            open == 0 ? Met : NotMet,
            "open findings: " + string.Join(", ", kinds.Select(k => Invariant($"{k} {(f.OpenFindings.TryGetValue(k, out var n) ? n : 0)}"))),
            [.. kinds.Select(k => ComplianceEvidence.Api("/v1/findings?kind=" + k))]);
    }

    /// <summary>
    /// The longest-lived live Mandate credential against the task lifetime limit (over it: not met), and the oldest
    /// active imported static secret against the maximum secret age (over it: partial).
    /// </summary>
    public static ComplianceAssessment CredentialLifetime(ComplianceFacts f)
    {
        var longest = f.Store.LongestCredentialLifetime;
        var oldest = f.Store.OldestStaticSecretAge;
        var status = longest > f.TaskMaxTtl ? NotMet : oldest > f.MaxSecretAge ? Partial : Met;
        var measured = (longest is { } l ? Invariant($"longest live Mandate credential lifetime {Duration(l)} ({f.Store.LongestCredential}; limit {Duration(f.TaskMaxTtl)})") : Invariant($"no live Mandate credential (limit {Duration(f.TaskMaxTtl)})"))
            + (oldest is { } o ? Invariant($", oldest active imported static secret {Duration(o)} old ({f.Store.OldestStaticSecret}; at most {Duration(f.MaxSecretAge)})") : ", no active imported static secret");
        return new(status, measured, [.. f.Store.LongestCredential is { } jti ? [ComplianceEvidence.Api("/v1/credentials/" + Uri.EscapeDataString(jti))] : Array.Empty<ComplianceEvidence>(), ComplianceEvidence.Api("/v1/findings?kind=long_lived_secret")]);
    }

    /// <summary>The ledger verified end to end now: met; broken: not met.</summary>
    public static ComplianceAssessment Ledger(ComplianceFacts f) => new(
        f.LedgerVerified ? Met : NotMet,
        f.LedgerVerified
            ? Invariant($"ledger verified now: {f.LedgerEvents} records, {f.LedgerCheckpoints} signed checkpoints, {f.LedgerUnsignedEvents} records after the last checkpoint")
            : "ledger does not verify: " + f.LedgerFailure,
        [ComplianceEvidence.Api("/v1/audit/verify"), ComplianceEvidence.Api("/v1/audit/checkpoints"), .. f.Store.LedgerHead > 0 ? [ComplianceEvidence.Ledger(f.Store.LedgerHead)] : Array.Empty<ComplianceEvidence>()]);

    /// <summary>Detection on and every named rule enabled: met; some: partial; detection off or none: not met.</summary>
    public static ComplianceAssessment DetectionRules(ComplianceFacts f, params string[] rules)
    {
        var wanted = rules.Length == 0 ? DetectionRuleSettings.Defaults.Keys.Order(StringComparer.Ordinal).ToArray() : rules;
        var on = wanted.Where(r => f.RulesEnabled.Contains(r, StringComparer.Ordinal)).ToList();
        var status = !f.DetectionEnabled || on.Count == 0 ? NotMet : on.Count == wanted.Length ? Met : Partial;
        return new(
            status,
            f.DetectionEnabled
                ? Invariant($"detection on, {on.Count} of {wanted.Length} rules enabled ({string.Join(", ", wanted.Select(r => on.Contains(r) ? r : r + " off"))})")
                : "detection is off (Mandate:Detection:Enabled)",
            [ComplianceEvidence.Api("/v1/alerts"), ComplianceEvidence.Api("/v1/risk")]);
    }

    /// <summary>An active policy set with a schema: met; without a schema: partial; no policy: not met (everything is denied).</summary>
    public static ComplianceAssessment ActivePolicies(ComplianceFacts f) => new(
        f.Permits + f.Forbids == 0 ? NotMet : f.PolicySchema ? Met : Partial,
        Invariant($"policy set {f.PolicyVersion ?? "none"}: {f.Permits} permits, {f.Forbids} forbids, {(f.PolicySchema ? "validated against a schema" : "no schema")}; default deny"),
        [ComplianceEvidence.Api("/v1/policies")]);

    /// <summary>Revocation reaches every node within the reconcile interval: 30 s or less met, 5 minutes partial.</summary>
    public static ComplianceAssessment Revocation(ComplianceFacts f) => new(
        f.RevocationReconcile <= TimeSpan.FromSeconds(30) ? Met : f.RevocationReconcile <= TimeSpan.FromMinutes(5) ? Partial : NotMet,
        Invariant($"a revocation takes effect at once on the node that makes it and on every other node within {Duration(f.RevocationReconcile)} (Mandate:Revocation:ReconcileInterval; PostgreSQL notifies sooner); {f.Store.Revocations} revocations recorded"),
        [ComplianceEvidence.Api("/v1/revocations"), .. f.Store.LastRevocationSequence is { } seq ? [ComplianceEvidence.Ledger(seq)] : Array.Empty<ComplianceEvidence>()]);

    /// <summary>Every allowed decision recorded (sample rate 1): met; sampled: partial; none: not met.</summary>
    public static ComplianceAssessment UsageRecorded(ComplianceFacts f) => new(
        f.AllowSampleRate >= 1 ? Met : f.AllowSampleRate > 0 ? Partial : NotMet,
        Invariant($"allowed decisions recorded at rate {f.AllowSampleRate:0.##} (denials always); use folded into findings up to ledger record {f.Store.UsageCursor} of {f.Store.LedgerHead}"),
        [ComplianceEvidence.Api("/v1/audit/events?type=decision"), ComplianceEvidence.Api("/v1/audit/events?type=credential.used")]);

    /// <summary>Delegation chains bounded at 5 hops or fewer: met; longer: partial.</summary>
    public static ComplianceAssessment DelegationChains(ComplianceFacts f) => new(
        f.MaxChainDepth <= 5 ? Met : Partial,
        Invariant($"token exchange keeps the act chain and refuses chains over {f.MaxChainDepth} hops; a child credential never widens its parent's scope"),
        [ComplianceEvidence.Api("/v1/audit/events?type=credential.exchanged")]);

    /// <summary>Two or more enabled operators including a security operator (duties can be separated): met; one: partial; none: not met.</summary>
    public static ComplianceAssessment OperatorAccounts(ComplianceFacts f) => new(
        f.OperatorsEnabled >= 2 && f.SecurityOperators >= 1 ? Met : f.OperatorsEnabled >= 1 ? Partial : NotMet,
        Invariant($"{f.OperatorsEnabled} enabled named operators, {f.SecurityOperators} with the security or admin role; every governance action is attributed to one in the ledger"),
        [ComplianceEvidence.Api("/v1/operators")]);

    /// <summary>Task credentials live at most an hour: met; longer: partial.</summary>
    public static ComplianceAssessment TaskScope(ComplianceFacts f) => new(
        f.TaskMaxTtl <= TimeSpan.FromHours(1) ? Met : Partial,
        Invariant($"task credentials carry the task's declared actions, resources and sensitivity ceiling and live at most {Duration(f.TaskMaxTtl)}"),
        [ComplianceEvidence.Api("/v1/audit/events?type=task.opened")]);

    /// <summary>No live measurement: the row says what it rests on.</summary>
    public static ComplianceAssessment NotMeasuredBecause(string basis) => new(NotMeasured, basis, []);

    internal static string Duration(TimeSpan span) => span.TotalDays >= 2
        ? Invariant($"{(long)span.TotalDays}d")
        : span.TotalHours >= 2 ? Invariant($"{(long)span.TotalHours}h")
        : span.TotalMinutes >= 2 ? Invariant($"{(long)span.TotalMinutes}m")
        : Invariant($"{(long)span.TotalSeconds}s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal static readonly string[] OffboardingKinds = [FindingKinds.Orphaned, FindingKinds.ExpiredActive, FindingKinds.Stale];
}
