using Mandate.Cedar;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Decisions;
using Mandate.Core.Delegation;
using Mandate.Core.Detection;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Operators;
using Mandate.Core.Policies;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Governance.Compliance;

/// <summary>
/// Builds the compliance report from live state: reads the facts (store aggregates, open findings, the ledger verified
/// now, the active policies, the settings that bound credentials, revocation and detection) and assesses every control
/// of <see cref="ComplianceCatalog"/> against them.
/// </summary>
internal sealed class ComplianceService(
    IMandateStore store,
    TimeProvider time,
    IOptions<GovernanceOptions> governance,
    IOptions<TaskOptions> tasks,
    IOptions<TokenExchangeOptions> exchange,
    IOptions<RevocationSyncOptions> revocation,
    IOptions<DecisionOptions> decisions,
    IOptions<DetectionOptions> detection,
    ActivePolicySet? policies = null)
{
    public async Task<ComplianceReport> ReportAsync(CancellationToken cancellationToken)
    {
        var facts = await FactsAsync(cancellationToken).ConfigureAwait(false);
        var rows = ComplianceCatalog.Controls
            .Select(c => (Control: c, Assessment: c.Assess(facts)))
            .Select(x => new ComplianceRow(x.Control.Framework, x.Control.Id, x.Control.Name, x.Control.Capability, x.Assessment.Status, x.Assessment.Measured, x.Assessment.Evidence))
            .ToList();
        return new ComplianceReport(facts.At, rows, facts);
    }

    public async Task<ComplianceFacts> FactsAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        ComplianceStoreFacts storeFacts;
        IReadOnlyList<RegisteredIdentityFacts> registered;
        IReadOnlyList<FindingState> findings;
        IReadOnlyList<OperatorAccount> operators;
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var facts = session.Get<IGovernanceFactsRepository>();
            storeFacts = await facts.ReadComplianceFactsAsync(now, cancellationToken).ConfigureAwait(false);
            registered = await facts.ReadRegisteredAsync(now, cancellationToken).ConfigureAwait(false);
            findings = await session.Get<IFindingRepository>().ListStatesAsync(cancellationToken).ConfigureAwait(false);
            operators = await session.Get<IOperatorRepository>().ListAsync(cancellationToken).ConfigureAwait(false);
        }

        var ledger = await AuditStoreVerifier.VerifyAsync(store, null, cancellationToken).ConfigureAwait(false);
        var rules = DetectionRuleSettings.Resolve(detection.Value);
        var snapshot = policies?.Current;
        var active = registered.Where(r => r.Status == "active").ToList();
        return new ComplianceFacts
        {
            At = now,
            Store = storeFacts,
            RegisteredActive = active.Count,
            RegisteredWithOwner = active.Count(r => !string.IsNullOrWhiteSpace(r.Owner)),
            OpenFindings = findings.Where(f => f.Status == "open").GroupBy(f => f.Kind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            LedgerVerified = ledger.Verified,
            LedgerEvents = ledger.Events,
            LedgerCheckpoints = ledger.Checkpoints,
            LedgerUnsignedEvents = ledger.UnsignedEvents,
            LedgerFailure = ledger.Failure?.ToString(),
            DetectionEnabled = detection.Value.Enabled,
            RulesEnabled = [.. rules.Where(r => r.Value.Enabled).Select(r => r.Key).Order(StringComparer.Ordinal)],
            RulesDisabled = [.. rules.Where(r => !r.Value.Enabled).Select(r => r.Key).Order(StringComparer.Ordinal)],
            PolicyVersion = snapshot?.Version,
            Permits = snapshot?.Policies.Policies.Count(p => !p.IsTemplate && p.Effect == Effect.Permit) ?? 0,
            Forbids = snapshot?.Policies.Policies.Count(p => !p.IsTemplate && p.Effect == Effect.Forbid) ?? 0,
            PolicySchema = snapshot?.Schema is not null,
            TaskMaxTtl = tasks.Value.MaxTtl,
            MaxSecretAge = governance.Value.MaxSecretAge,
            MaxChainDepth = exchange.Value.MaxChainDepth,
            RevocationReconcile = revocation.Value.ReconcileInterval,
            AllowSampleRate = decisions.Value.AuditAllowSampleRate,
            OperatorsEnabled = operators.Count(o => o.Enabled),
            SecurityOperators = operators.Count(o => o.Enabled && (o.Roles.Contains(OperatorRole.Security) || o.Roles.Contains(OperatorRole.Admin))),
        };
    }
}
