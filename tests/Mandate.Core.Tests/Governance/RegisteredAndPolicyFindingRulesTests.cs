using Mandate.Cedar;
using Mandate.Core.Governance.Findings;

namespace Mandate.Core.Tests.Governance;

/// <summary>
/// Findings about registered identities (owner, departed owner, expiry with live credentials, staleness from the
/// ledger) and about policies (broad_policy, unused_grant), each on its condition and not beside it.
/// </summary>
public sealed class RegisteredAndPolicyFindingRulesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-06T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly GovernanceOptions Options = new();

    private static RegisteredIdentityFacts Identity(string path, string owner = "team:a", int ageDays = 200, int expiresInDays = 30, int live = 0, string status = "active") => new()
    {
        SpiffeId = "spiffe://td.example/" + path,
        Owner = owner,
        Status = status,
        CreatedAt = Now.AddDays(-ageDays),
        ExpiresAt = Now.AddDays(expiresInDays),
        LiveCredentials = live,
        LatestLiveCredential = live > 0 ? "jti-" + path : null,
        LatestLiveExpiry = live > 0 ? Now.AddMinutes(30) : null,
    };

    private static IdentityUsage Use(string path, int daysAgo, long sequence, string action = "", string type = "") =>
        new("spiffe://td.example/" + path, action, type, sequence, Now.AddDays(-daysAgo));

    [Fact]
    public void RegisteredIdentities_ShouldBeJudgedForOwnerExpiryAndUse_OnlyWhileActive()
    {
        var identities = new[]
        {
            Identity("used", ageDays: 200),
            Identity("idle", ageDays: 200),
            Identity("young", ageDays: 10),
            Identity("departed", owner: "operator:dana"),
            Identity("expired", expiresInDays: -1, live: 2),
            Identity("expired-quiet", expiresInDays: -1),
            Identity("suspended", status: "suspended", owner: ""),
        };
        var lastUse = new Dictionary<string, IdentityUsage>
        {
            ["spiffe://td.example/used"] = Use("used", 5, 42),
            ["spiffe://td.example/idle"] = Use("idle", 120, 7),
            ["spiffe://td.example/departed"] = Use("departed", 1, 50),
            ["spiffe://td.example/expired"] = Use("expired", 1, 51),
            ["spiffe://td.example/expired-quiet"] = Use("expired-quiet", 1, 52),
        };
        var findings = RegisteredFindingRules.Evaluate(identities, lastUse, new HashSet<string> { "operator:dana" }, Now, Options);
        Assert.Equal(
            [("expired_active", "expired"), ("orphaned", "departed"), ("stale", "idle")],
            findings.Select(f => (f.Kind, f.Identity["spiffe://td.example/".Length..])).Order());
        var stale = findings.Single(f => f.Kind == "stale");
        Assert.Equal(7, Assert.Single(stale.Evidence).Sequence);
        Assert.Equal("mandate", stale.Source);
        var expired = findings.Single(f => f.Kind == "expired_active");
        Assert.Contains(expired.Evidence, e => e.Name == "credentials.jti-expired.expires_at");

        // Never used counts from registration, evidenced by the registration time.
        var never = Assert.Single(RegisteredFindingRules.Evaluate([Identity("never")], new Dictionary<string, IdentityUsage>(), new HashSet<string>(), Now, Options));
        Assert.Equal(["last_used_at", "created_at"], never.Evidence.Select(e => e.Name));
        Assert.Equal("none", never.Evidence[0].Value);
    }

    private static readonly Schema Schema = Schema.Parse("""
        entity Team;
        entity Workload in [Team];
        entity Invoice;
        entity Task;
        action read, write appliesTo { principal: [Workload], resource: [Invoice], context: { risk?: Long } };
        action OpenTask appliesTo { principal: [Workload], resource: [Task], context: {} };
        action "delete-invoice" appliesTo { principal: [Workload], resource: [Invoice], context: {} };
        """);

    private static readonly PolicySet Policies = PolicySet.Parse("""
        @id("billing") permit (principal == Workload::"spiffe://td.example/billing", action in [Action::"read", Action::"write"], resource is Invoice);
        @id("open-tasks") permit (principal is Workload, action == Action::"OpenTask", resource is Task);
        @id("team-delete") permit (principal in Team::"finance", action == Action::"delete-invoice", resource) when { resource has owner && resource.owner == principal };
        @id("anyone-delete") permit (principal, action == Action::"delete-invoice", resource is Invoice) when { context has risk };
        """);

    private static Dictionary<string, string> DisplayIds() =>
        Policies.Policies.Where(p => p.Annotations.ContainsKey("id")).ToDictionary(p => p.Id, p => p.Annotations["id"]);

    [Fact]
    public void BroadPolicy_ShouldFireForAnOpenPrincipalOrResourceOnWriteLikeActions_Only()
    {
        var registered = new Dictionary<string, RegisteredIdentityFacts> { ["spiffe://td.example/billing"] = Identity("billing", owner: "team:payments") };
        var findings = PolicyFindingRules.BroadPolicies(Policies, Schema, DisplayIds(), new WriteLikeActions(Options), registered);
        Assert.Equal(["anyone-delete", "billing"], findings.Select(f => f.Evidence[0].Id).Order(StringComparer.Ordinal));
        var billing = findings.Single(f => f.Evidence[0].Id == "billing");
        Assert.Equal(("medium", "spiffe://td.example/billing", "team:payments"), (billing.Severity, billing.Identity, billing.Owner));
        Assert.Equal("write", billing.Evidence.Single(e => e.Name == "actions").Value);
        Assert.Equal(("high", "*"), (findings.Single(f => f.Evidence[0].Id == "anyone-delete").Severity, findings.Single(f => f.Evidence[0].Id == "anyone-delete").Identity));

        // Configuration decides against the name: read-only wins, write-like adds.
        var options = new GovernanceOptions();
        options.ReadOnlyActions.Add("write");
        options.ReadOnlyActions.Add("delete-invoice");
        options.WriteActions.Add("OpenTask");
        Assert.Equal(["open-tasks"], PolicyFindingRules.BroadPolicies(Policies, Schema, DisplayIds(), new WriteLikeActions(options), registered).Select(f => f.Evidence[0].Id));
    }

    [Theory]
    [InlineData("write", true)]
    [InlineData("DeleteInvoice", true)]
    [InlineData("delete-invoice", true)]
    [InlineData("s3:PutObject", true)]
    [InlineData("deploy", true)]
    [InlineData("read", false)]
    [InlineData("OpenTask", false)]
    [InlineData("ListBuckets", false)]
    [InlineData("Rewrite", false)]
    public void WriteLike_ShouldGoByTheWordsOfTheName(string action, bool expected) =>
        Assert.Equal(expected, new WriteLikeActions(Options).IsWriteLike(action));

    [Fact]
    public void UnusedGrant_ShouldNameEveryPermittedPairNotAllowedWithinTheWindow_ForIdentitiesOlderThanIt()
    {
        var usage = new Dictionary<(string, string, string), IdentityUsage>
        {
            [("spiffe://td.example/billing", "Action::\"read\"", "Invoice")] = Use("billing", 3, 90, "Action::\"read\"", "Invoice"),
            [("spiffe://td.example/billing", "Action::\"write\"", "Invoice")] = Use("billing", 120, 12, "Action::\"write\"", "Invoice"),
        };
        var findings = PolicyFindingRules.UnusedGrants(Policies, Schema, Entities.Empty, DisplayIds(), [Identity("billing"), Identity("new", ageDays: 30)], usage, Now, Options);
        var byPair = findings.ToDictionary(f => f.Summary.Split(' ')[2] + " " + f.Summary.Split(' ')[3]);
        Assert.Equal(["OpenTask Task", "delete-invoice Invoice", "write Invoice"], byPair.Keys.Order(StringComparer.Ordinal));
        Assert.All(findings, f => Assert.Equal("spiffe://td.example/billing", f.Identity));
        Assert.Equal([("policy", "billing"), ("ledger", "12")], byPair["write Invoice"].Evidence.Select(e => (e.Kind, e.Id ?? e.Sequence?.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(["anyone-delete"], byPair["delete-invoice Invoice"].Evidence.Select(e => e.Id));
        Assert.Empty(PolicyFindingRules.UnusedGrants(Policies, null, Entities.Empty, DisplayIds(), [Identity("billing")], usage, Now, Options));
    }

    [Fact]
    public void UnusedGrant_ShouldFollowEachIdentitysGroups_WhenIdentitiesShareAnAnalysis()
    {
        var entities = Entities.ParseJson("""
            [
              {"uid": {"type": "Workload", "id": "spiffe://td.example/in-finance"}, "attrs": {}, "parents": [{"type": "Team", "id": "finance"}]},
              {"uid": {"type": "Workload", "id": "spiffe://td.example/also-finance"}, "attrs": {}, "parents": [{"type": "Team", "id": "finance"}]},
              {"uid": {"type": "Workload", "id": "spiffe://td.example/elsewhere"}, "attrs": {}, "parents": []},
              {"uid": {"type": "Team", "id": "finance"}, "attrs": {}, "parents": []}
            ]
            """);
        // No condition reads the principal and no policy names these identities: the analysis is shared by groups.
        var policies = PolicySet.Parse("""
            @id("team-delete") permit (principal in Team::"finance", action == Action::"delete-invoice", resource);
            @id("anyone-delete") permit (principal, action == Action::"delete-invoice", resource is Invoice) when { context has risk };
            """);
        var ids = policies.Policies.ToDictionary(p => p.Id, p => p.Annotations["id"]);
        var findings = PolicyFindingRules.UnusedGrants(policies, Schema, entities, ids, [Identity("in-finance"), Identity("elsewhere"), Identity("also-finance")], new Dictionary<(string, string, string), IdentityUsage>(), Now, Options);
        string[] Granting(string path) => [.. findings.Single(f => f.Identity == "spiffe://td.example/" + path && f.Summary.Contains("delete-invoice", StringComparison.Ordinal)).Evidence.Select(e => e.Id!)];
        Assert.Equal(["team-delete", "anyone-delete"], Granting("in-finance"));
        Assert.Equal(["team-delete", "anyone-delete"], Granting("also-finance"));
        Assert.Equal(["anyone-delete"], Granting("elsewhere"));
    }
}
