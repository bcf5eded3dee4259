namespace Mandate.Cedar.Tests;

/// <summary>What a policy set may permit a principal without a request, and the shape of each policy's scope.</summary>
public sealed class PermissionAnalyzerTests
{
    private static readonly Schema Schema = Schema.Parse("""
        entity Group;
        entity User in [Group] = { level: Long };
        entity Folder;
        entity Doc in [Folder] = { secret: Bool };
        entity Host;
        action read, write appliesTo { principal: [User], resource: [Doc, Folder], context: { ip?: String } };
        action "Deploy" appliesTo { principal: [User], resource: [Host], context: {} };
        action editing in [write] appliesTo { principal: [User], resource: [Doc], context: {} };
        """);

    private static readonly Entities Store = Entities.ParseJson("""
        [
          {"uid": {"type": "User", "id": "alice"}, "attrs": {"level": 3}, "parents": [{"type": "Group", "id": "ops"}]},
          {"uid": {"type": "User", "id": "bob"}, "attrs": {"level": 1}, "parents": []},
          {"uid": {"type": "Group", "id": "ops"}, "attrs": {}, "parents": []}
        ]
        """);

    private static Dictionary<string, IReadOnlyList<string>> Permitted(string policies, string user) =>
        PermissionAnalyzer.Permitted(PolicySet.Parse(policies), Schema, Store, new EntityUid("User", user))
            .ToDictionary(a => a.Action.Id + " " + a.ResourceType, a => a.PolicyIds);

    [Fact]
    public void Permitted_ShouldFollowThePrincipalScopeAndItsGroups_AndNameTheGrantingPolicies()
    {
        const string policies = """
            @id("ops-read") permit (principal in Group::"ops", action == Action::"read", resource is Doc);
            @id("all-deploy") permit (principal, action == Action::"Deploy", resource);
            """;
        var alice = Permitted(policies, "alice");
        Assert.Equal(["Deploy Host", "read Doc"], alice.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["policy0"], alice["read Doc"]);
        Assert.Equal(["Deploy Host"], Permitted(policies, "bob").Keys);
    }

    [Fact]
    public void Permitted_ShouldEvaluatePrincipalConditionsExactly_AndTakeResourceOrContextConditionsAsSatisfiable()
    {
        const string policies = """
            permit (principal, action == Action::"read", resource) when { principal.level > 2 };
            permit (principal, action == Action::"write", resource is Doc) when { resource.secret == false && principal.level > 0 };
            permit (principal, action == Action::"Deploy", resource) when { context has ip } unless { principal.level < 2 };
            """;
        Assert.Equal(["Deploy Host", "read Doc", "read Folder", "write Doc"], Permitted(policies, "alice").Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["write Doc"], Permitted(policies, "bob").Keys);
    }

    [Fact]
    public void Permitted_ShouldDropAccessOnlyForAForbidThatHoldsForEveryResourceAndContext()
    {
        Assert.Empty(Permitted("""
            permit (principal, action == Action::"read", resource is Doc);
            forbid (principal == User::"alice", action, resource is Doc);
            """, "alice"));
        Assert.Equal(["read Doc"], Permitted("""
            permit (principal, action == Action::"read", resource is Doc);
            forbid (principal == User::"alice", action, resource) when { resource.secret };
            forbid (principal, action, resource) when { context has ip };
            """, "alice").Keys);
    }

    [Fact]
    public void Permitted_ShouldCoverActionGroupMembers_AndResourcesInAContainer()
    {
        var granted = Permitted("""permit (principal, action in Action::"write", resource in Folder::"f");""", "bob");
        Assert.Equal(["editing Doc", "write Doc", "write Folder"], granted.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(Permitted("""permit (principal, action == Action::"read", resource == Host::"h");""", "bob"));
    }

    [Fact]
    public void DescribeScope_ShouldTellConstrainedFromOpenScopes_AndWhichVariablesConditionsRead()
    {
        var policies = PolicySet.Parse("""
            permit (principal == User::"alice", action in [Action::"read", Action::"write"], resource is Doc) when { context has ip };
            permit (principal, action, resource in Folder::"f") when { principal.level > 1 && resource.secret };
            """);
        var first = PermissionAnalyzer.DescribeScope(policies.Policies[0]);
        Assert.Equal((ScopeConstraintKind.Equal, ScopeConstraintKind.Is, "Doc"), (first.PrincipalKind, first.ResourceKind, first.ResourceType));
        Assert.Equal(new EntityUid("User", "alice"), first.PrincipalEntity);
        Assert.Equal(["read", "write"], first.Actions.Select(a => a.Id));
        Assert.Equal((false, false, true), (first.ConditionsReadPrincipal, first.ConditionsReadResource, first.ConditionsReadContext));
        var second = PermissionAnalyzer.DescribeScope(policies.Policies[1]);
        Assert.True(second.AnyAction);
        Assert.Equal((ScopeConstraintKind.Any, ScopeConstraintKind.In), (second.PrincipalKind, second.ResourceKind));
        Assert.Equal((true, true, false), (second.ConditionsReadPrincipal, second.ConditionsReadResource, second.ConditionsReadContext));
        Assert.Equal(["Deploy", "editing", "read", "write"], PermissionAnalyzer.ActionsCoveredBy(policies.Policies[1], Schema).Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["editing", "write"], PermissionAnalyzer.ActionsCoveredBy(PolicySet.Parse("permit (principal, action in Action::\"write\", resource);").Policies[0], Schema).Select(a => a.Id).Order(StringComparer.Ordinal));
    }
}
