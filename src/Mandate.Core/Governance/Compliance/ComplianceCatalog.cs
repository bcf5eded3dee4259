using Mandate.Core.Detection;
using Mandate.Core.Governance.Findings;
using static Mandate.Core.Governance.Compliance.ComplianceMeasures;
using M = Mandate.Core.Governance.Compliance.ComplianceAssessment;

namespace Mandate.Core.Governance.Compliance;

/// <summary>One control of a framework, the Mandate capability that implements it, and how its status is measured.</summary>
internal sealed record ComplianceControl(string Framework, string Id, string Name, string Capability, Func<ComplianceFacts, ComplianceAssessment> Assess);

/// <summary>
/// The mapping of framework controls to Mandate capabilities (docs/compliance.md holds the same table with its
/// sources). The mapping is fixed; every status comes from <see cref="ComplianceMeasures"/> over live state.
/// </summary>
internal static class ComplianceCatalog
{
    public const string OwaspNhi = "OWASP Non-Human Identities Top 10 (2025)";
    public const string OwaspAgentic = "OWASP Top 10 for Agentic Applications (2026)";
    public const string NistCsf = "NIST CSF 2.0";
    public const string NistZeroTrust = "NIST SP 800-207";
    public const string NistAiRmf = "NIST AI RMF 1.0";
    public const string Maestro = "CSA MAESTRO";

    public static readonly IReadOnlyList<ComplianceControl> Controls =
    [
        new(OwaspNhi, "NHI1:2025", "Improper Offboarding", "Findings orphaned, expired_active and stale; suspension, offboarding and revocation of identities and every credential they hold",
            f => M.All(NoOpenFindings(f, OffboardingKinds), Revocation(f))),
        new(OwaspNhi, "NHI2:2025", "Secret Leakage", "No secret in the ledger (audit secret guard); short-lived, audience-bound task credentials instead of static secrets; shared_secret findings on imported fingerprints",
            f => M.All(NoOpenFindings(f, FindingKinds.SharedSecret), CredentialLifetime(f))),
        new(OwaspNhi, "NHI3:2025", "Vulnerable Third-Party NHI", "Inventory import of third-party and cloud identities (AWS IAM, Kubernetes) with owners, judged by the same findings",
            f => M.All(Ownership(f), NoOpenFindings(f, FindingKinds.NoOwner, FindingKinds.Orphaned))),
        new(OwaspNhi, "NHI4:2025", "Insecure Authentication", "Attested SPIFFE identities, SVIDs and task credentials validated strictly (signature, algorithm, audience, expiry, revocation, DPoP binding); long_lived_secret findings",
            f => M.All(CredentialLifetime(f), NoOpenFindings(f, FindingKinds.LongLivedSecret))),
        new(OwaspNhi, "NHI5:2025", "Overprivileged NHI", "Cedar policies, default deny; unused_grant (permitted but unused) and broad_policy findings; task scope narrows every credential",
            f => M.All(NoOpenFindings(f, FindingKinds.UnusedGrant, FindingKinds.BroadPolicy), ActivePolicies(f))),
        new(OwaspNhi, "NHI6:2025", "Insecure Cloud Deployment Configurations", "Workload identity federation (OIDC attestation) instead of stored CI secrets; imported cloud keys judged by findings",
            f => M.All(NoMeasure("Mandate does not read cloud or CI configuration; it measures only the imported identities and their keys"), NoOpenFindings(f, FindingKinds.LongLivedSecret, FindingKinds.RotationOverdue))),
        new(OwaspNhi, "NHI7:2025", "Long-Lived Secrets", "Task credentials that expire with the task; rotation_overdue and long_lived_secret findings for imported keys",
            f => M.All(CredentialLifetime(f), NoOpenFindings(f, FindingKinds.RotationOverdue, FindingKinds.LongLivedSecret))),
        new(OwaspNhi, "NHI8:2025", "Environment Isolation", "Identities carry an environment; policies can forbid crossing trust domains or environments",
            _ => NoMeasure("isolation is whatever the active policies say; Mandate does not measure it beyond the policies (see broad_policy)")),
        new(OwaspNhi, "NHI9:2025", "NHI Reuse", "One identity per workload, shared_secret findings, detection of one credential used from several places",
            f => M.All(NoOpenFindings(f, FindingKinds.SharedSecret), DetectionRules(f, DetectionRuleNames.CredentialReuse, DetectionRuleNames.JtiMultiSource))),
        new(OwaspNhi, "NHI10:2025", "Human Use of NHI", "Imported human users are skipped and counted; detection of a credential used from a new source or at an unusual rate",
            f => DetectionRules(f, DetectionRuleNames.JtiMultiSource, DetectionRuleNames.FirstSeenAction, DetectionRuleNames.RateAnomaly)),

        new(OwaspAgentic, "ASI01", "Agent Goal Hijack", "Tasks declare intent (actions, resources, sensitivity ceiling, destinations); the decision point refuses anything outside it whatever the agent was told",
            f => M.All(TaskScope(f), DetectionRules(f, DetectionRuleNames.BeyondTaskScope, DetectionRuleNames.ScopeWideningAttempt))),
        new(OwaspAgentic, "ASI02", "Tool Misuse and Exploitation", "Every tool call is an authorization decision against Cedar policies; broad_policy findings for write-like permits that name nobody",
            f => M.All(ActivePolicies(f), NoOpenFindings(f, FindingKinds.BroadPolicy))),
        new(OwaspAgentic, "ASI03", "Identity and Privilege Abuse", "Per-agent SPIFFE identities, delegation with act chains that only narrow, unused_grant findings, privilege escalation detection",
            f => M.All(DelegationChains(f), NoOpenFindings(f, FindingKinds.UnusedGrant), DetectionRules(f, DetectionRuleNames.PrivilegeEscalationAttempt))),
        new(OwaspAgentic, "ASI04", "Agentic Supply Chain Vulnerabilities", "Policy bundles are versioned and every activation is in the ledger",
            _ => NoMeasure("Mandate does not verify models, tools or packages; it records which policy version decided each request")),
        new(OwaspAgentic, "ASI05", "Unexpected Code Execution (RCE)", "Execution-like actions can be denied or confined to a task by policy",
            _ => NoMeasure("Mandate does not sandbox code; it can only refuse the action that would run it")),
        new(OwaspAgentic, "ASI06", "Memory & Context Poisoning", "Decision context about the task, chain and risk comes from the verified credential and detection, never from the caller",
            _ => NoMeasure("Mandate does not inspect agent memory; caller-supplied context cannot override the properties the decision point sets")),
        new(OwaspAgentic, "ASI07", "Insecure Inter-Agent Communication", "RFC 8693 token exchange with act chains, audience-bound and optionally DPoP-bound credentials, replay detection",
            f => M.All(DelegationChains(f), DetectionRules(f, DetectionRuleNames.ExchangeReplay))),
        new(OwaspAgentic, "ASI08", "Cascading Failures", "Revoking a credential revokes everything exchanged from it; high risk from detection stops every decision for the identity",
            f => M.All(Revocation(f), DetectionRules(f))),
        new(OwaspAgentic, "ASI09", "Human-Agent Trust Exploitation", "Named operators with roles and separation of duties; every governance action attributed in the ledger",
            f => OperatorAccounts(f)),
        new(OwaspAgentic, "ASI10", "Rogue Agents", "Streaming detection over the ledger with responses (raise risk, suspend, revoke); stale and orphaned agent identities found and offboarded",
            f => M.All(DetectionRules(f), NoOpenFindings(f, OffboardingKinds))),

        new(NistCsf, "PR.AA-01", "Identities and credentials for authorized users, services, and hardware are managed by the organization", "Identity registry and inventory import, with owners, expiries and findings",
            f => M.All(Ownership(f), NoOpenFindings(f, FindingKinds.NoOwner, FindingKinds.Orphaned, FindingKinds.ExpiredActive))),
        new(NistCsf, "PR.AA-02", "Identities are proofed and bound to credentials based on the context of interactions", "Attestation (OIDC tokens, one-time join tokens) before an SVID is issued; task credentials bound to their holder",
            f => TaskScope(f)),
        new(NistCsf, "PR.AA-03", "Users, services, and hardware are authenticated", "Every endpoint authenticates its caller (operator tokens, workload SVIDs, OAuth client authentication)",
            f => M.All(OperatorAccounts(f), CredentialLifetime(f))),
        new(NistCsf, "PR.AA-04", "Identity assertions are protected, conveyed, and verified", "Signed SVIDs and task credentials validated strictly; introspection and revocation",
            f => M.All(Revocation(f), CredentialLifetime(f))),
        new(NistCsf, "PR.AA-05", "Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties", "Cedar policies enforced at the decision point; unused_grant and broad_policy findings; operator roles",
            f => M.All(ActivePolicies(f), NoOpenFindings(f, FindingKinds.UnusedGrant, FindingKinds.BroadPolicy), OperatorAccounts(f))),
        new(NistCsf, "DE.CM-03", "Personnel activity and technology usage are monitored to find potentially adverse events", "Every decision and credential use in the ledger; detection rules over it",
            f => M.All(UsageRecorded(f), DetectionRules(f))),
        new(NistCsf, "DE.CM-09", "Computing hardware and software, runtime environments, and their data are monitored to find potentially adverse events", "Streaming detection with risk fed back into decisions",
            f => DetectionRules(f)),
        new(NistCsf, "RS.MI-01", "Incidents are contained", "Suspension and revocation (with descendants) that take effect on every node",
            f => Revocation(f)),
        new(NistCsf, "RS.AN-03", "Analysis is performed to establish what has taken place during an incident and the root cause of the incident", "Identity timelines and ledger queries",
            f => Ledger(f)),
        new(NistCsf, "RS.AN-06", "Actions performed during an investigation are recorded, and the records' integrity and provenance are preserved", "Hash-chained ledger with signed checkpoints and inclusion proofs; operator annotations",
            f => Ledger(f)),
        new(NistCsf, "RS.AN-07", "Incident data and metadata are collected, and their integrity and provenance are preserved", "Ledger export verifiable offline",
            f => Ledger(f)),

        new(NistZeroTrust, "Tenet 1", "All data sources and computing services are considered resources", "Every resource a PEP protects is a Cedar entity decided per request",
            f => ActivePolicies(f)),
        new(NistZeroTrust, "Tenet 2", "All communication is secured regardless of network location", "Credentials are audience-bound and optionally DPoP-bound; network location grants nothing",
            _ => NoMeasure("transport security is the deployment's (TLS in front of Mandate); Mandate grants nothing for network location")),
        new(NistZeroTrust, "Tenet 3", "Access to individual enterprise resources is granted on a per-session basis", "Task credentials live only as long as the task",
            f => M.All(TaskScope(f), CredentialLifetime(f))),
        new(NistZeroTrust, "Tenet 4", "Access to resources is determined by dynamic policy", "Cedar policies over principal, action, resource and context (task, chain, risk), hot-reloaded",
            f => ActivePolicies(f)),
        new(NistZeroTrust, "Tenet 5", "The enterprise monitors and measures the integrity and security posture of all owned and associated assets", "Findings over every identity, registered and imported",
            f => M.All(Ownership(f), NoOpenFindings(f, [.. FindingKinds.All]))),
        new(NistZeroTrust, "Tenet 6", "All resource authentication and authorization are dynamic and strictly enforced before access is allowed", "The decision point validates the credential and decides before every access; revocation takes effect at once",
            f => M.All(Revocation(f), ActivePolicies(f))),
        new(NistZeroTrust, "Tenet 7", "The enterprise collects as much information as possible about the current state of assets and uses it to improve its security posture", "Decisions and uses in the ledger feed detection and findings",
            f => M.All(UsageRecorded(f), DetectionRules(f))),

        new(NistAiRmf, "GOVERN", "Govern", "Owners for every agent identity, operators with roles, accepted findings with reasons and expiries",
            f => M.All(Ownership(f), OperatorAccounts(f))),
        new(NistAiRmf, "MAP", "Map", "Inventory of agents and non-human identities, imported and registered, with purpose and owner",
            f => Ownership(f)),
        new(NistAiRmf, "MEASURE", "Measure", "Findings and detection measured continuously; this report",
            f => M.All(DetectionRules(f), UsageRecorded(f))),
        new(NistAiRmf, "MANAGE", "Manage", "Responses: revoke, suspend, narrow policies; every step in the ledger",
            f => M.All(Revocation(f), Ledger(f))),

        new(Maestro, "L1", "Foundation Models", "Out of Mandate's scope",
            _ => NoMeasure("Mandate does not host or evaluate models")),
        new(Maestro, "L2", "Data Operations", "Data access by agents decided per request with sensitivity ceilings from the task",
            f => M.All(ActivePolicies(f), TaskScope(f))),
        new(Maestro, "L3", "Agent Frameworks", "SDK and ASP.NET Core enforcement; tool calls decided at the PEP",
            f => ActivePolicies(f)),
        new(Maestro, "L4", "Deployment and Infrastructure", "Workload attestation and SPIFFE identities; imported cloud and Kubernetes identities",
            f => M.All(Ownership(f), CredentialLifetime(f))),
        new(Maestro, "L5", "Evaluation and Observability", "Ledger of every decision and use, detection, alerts",
            f => M.All(UsageRecorded(f), DetectionRules(f), Ledger(f))),
        new(Maestro, "L6", "Security and Compliance", "This report, findings, offboarding and the verifiable ledger",
            f => M.All(Ledger(f), NoOpenFindings(f, [.. FindingKinds.All]))),
        new(Maestro, "L7", "Agent Ecosystem", "Delegation between agents with act chains and narrowing; per-agent identities",
            f => M.All(DelegationChains(f), DetectionRules(f, DetectionRuleNames.ExchangeReplay, DetectionRuleNames.PrivilegeEscalationAttempt))),
    ];

    private static ComplianceAssessment NoMeasure(string basis) => NotMeasuredBecause(basis);
}
