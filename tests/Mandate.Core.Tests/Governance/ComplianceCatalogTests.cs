using Mandate.Core.Governance.Compliance;

namespace Mandate.Core.Tests.Governance;

/// <summary>The compliance catalog covers each framework once per control, and every status follows the facts measured.</summary>
public sealed class ComplianceCatalogTests
{
    private static ComplianceFacts Facts(Action<Dictionary<string, int>>? findings = null) => new()
    {
        At = DateTimeOffset.UnixEpoch,
        Store = new ComplianceStoreFacts { ImportedActive = 10, ImportedWithOwner = 10, ImportedWithOwnerAndExpiry = 10, LedgerHead = 40, UsageCursor = 40 },
        RegisteredActive = 5,
        RegisteredWithOwner = 5,
        OpenFindings = Build(findings),
        LedgerVerified = true,
        LedgerEvents = 40,
        DetectionEnabled = true,
        RulesEnabled = ["beyond_task_scope", "credential_reuse", "deny_burst", "exception_use", "exchange_replay", "first_seen_action", "jti_multi_source", "privilege_escalation_attempt", "rate_anomaly", "scope_widening_attempt", "suspended_identity_use"],
        RulesDisabled = [],
        PolicyVersion = "v1",
        Permits = 3,
        Forbids = 1,
        PolicySchema = true,
        TaskMaxTtl = TimeSpan.FromHours(1),
        MaxSecretAge = TimeSpan.FromDays(365),
        MaxChainDepth = 5,
        RevocationReconcile = TimeSpan.FromSeconds(10),
        AllowSampleRate = 1,
        OperatorsEnabled = 2,
        SecurityOperators = 1,
    };

    private static Dictionary<string, int> Build(Action<Dictionary<string, int>>? change)
    {
        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        change?.Invoke(open);
        return open;
    }

    private static string Status(ComplianceFacts facts, string id) => ComplianceCatalog.Controls.Single(c => c.Id == id).Assess(facts).Status;

    [Fact]
    public void Catalog_ShouldHoldEachFrameworksControlsOnce()
    {
        Assert.Equal(ComplianceCatalog.Controls.Count, ComplianceCatalog.Controls.Select(c => (c.Framework, c.Id)).Distinct().Count());
        Assert.Equal(10, ComplianceCatalog.Controls.Count(c => c.Framework == ComplianceCatalog.OwaspNhi));
        Assert.Equal(10, ComplianceCatalog.Controls.Count(c => c.Framework == ComplianceCatalog.OwaspAgentic));
        Assert.Equal(7, ComplianceCatalog.Controls.Count(c => c.Framework == ComplianceCatalog.NistZeroTrust));
        Assert.Equal(["GOVERN", "MAP", "MEASURE", "MANAGE"], ComplianceCatalog.Controls.Where(c => c.Framework == ComplianceCatalog.NistAiRmf).Select(c => c.Id));
        Assert.Equal(7, ComplianceCatalog.Controls.Count(c => c.Framework == ComplianceCatalog.Maestro));
    }

    [Fact]
    public void Statuses_ShouldFollowTheMeasurements()
    {
        var healthy = Facts();
        Assert.Equal("met", Status(healthy, "NHI5:2025"));
        Assert.Equal("not_met", Status(Facts(f => f["unused_grant"] = 1), "NHI5:2025"));
        Assert.Equal("not_met", Status(healthy with { LedgerVerified = false, LedgerFailure = "seq 3: hash" }, "RS.AN-06"));
        Assert.Equal("partial", Status(healthy with { RulesEnabled = ["credential_reuse"] }, "NHI9:2025"));
        Assert.Equal("not_met", Status(healthy with { DetectionEnabled = false }, "DE.CM-09"));
        Assert.Equal("partial", Status(healthy with { Store = healthy.Store with { ImportedWithOwnerAndExpiry = 9 } }, "PR.AA-01"));
        Assert.Equal("not_met", Status(healthy with { Store = healthy.Store with { ImportedWithOwnerAndExpiry = 2 } }, "PR.AA-01"));
        Assert.Equal("not_met", Status(healthy with { Store = healthy.Store with { LongestCredential = "j", LongestCredentialLifetime = TimeSpan.FromHours(5) } }, "NHI7:2025"));
        Assert.Equal("partial", Status(healthy with { Store = healthy.Store with { OldestStaticSecret = "k", OldestStaticSecretAge = TimeSpan.FromDays(400) } }, "NHI7:2025"));
        Assert.Equal("partial", Status(healthy with { RevocationReconcile = TimeSpan.FromMinutes(2) }, "RS.MI-01"));
        Assert.Equal("partial", Status(healthy with { OperatorsEnabled = 1 }, "ASI09"));
        Assert.Equal("not_measured", Status(healthy, "L1"));

        // A row resting on no live measurement says what it rests on; one that mixes both is judged by what it measures.
        Assert.NotEmpty(ComplianceCatalog.Controls.Single(c => c.Id == "ASI04").Assess(healthy).Measured);
        Assert.Equal("not_met", Status(Facts(f => f["rotation_overdue"] = 2), "NHI6:2025"));
    }
}
