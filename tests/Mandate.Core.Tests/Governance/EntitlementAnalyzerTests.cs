using Mandate.Cedar;
using Mandate.Core.Governance.Reviews;
using Mandate.Core.Policies;

namespace Mandate.Core.Tests.Governance;

/// <summary>Entitlements read from policy scopes: ==, in (through the entity hierarchy), is, action groups, appliesTo, and unconditional forbids.</summary>
public sealed class EntitlementAnalyzerTests
{
    private const string Schema = """
        entity Team;
        entity Workload in [Team];
        entity Folder;
        entity Doc in [Folder];
        entity Invoice;
        entity Robot;
        action read appliesTo { principal: [Workload, Robot], resource: [Doc, Invoice] };
        action write appliesTo { principal: [Workload], resource: [Doc, Invoice] };
        action edit in [write] appliesTo { principal: [Workload], resource: [Doc] };
        action beep appliesTo { principal: [Robot], resource: [Invoice] };
        """;

    private const string Entities = """
        [{"uid":{"type":"Team","id":"pay"},"attrs":{},"parents":[]},
         {"uid":{"type":"Workload","id":"billing"},"attrs":{},"parents":[{"type":"Team","id":"pay"}]},
         {"uid":{"type":"Workload","id":"other"},"attrs":{},"parents":[]}]
        """;

    private static IReadOnlyList<Entitlement> For(string policies, string principal)
    {
        var snapshot = PolicyCompiler.Compile(new PolicyBundle([new PolicyFile("p.cedar", policies)], Entities, Schema), "test", DateTimeOffset.UnixEpoch);
        return EntitlementAnalyzer.For(snapshot, new EntityUid("Workload", principal));
    }

    private static string[] Pairs(IReadOnlyList<Entitlement> entitlements) => [.. entitlements.Select(e => e.Action + " " + e.ResourceType)];

    [Fact]
    public void Scopes_ShouldGrantWhatTheyName_ToThePrincipalsTheyMatch()
    {
        const string policies = """
            @id("team-read") permit (principal in Team::"pay", action == Action::"read", resource is Invoice);
            @id("any-write") permit (principal is Workload, action in [Action::"write"], resource) when { context has x };
            @id("billing-doc") permit (principal == Workload::"billing", action, resource == Doc::"d1");
            """;
        Assert.Equal(
            ["Action::\"edit\" Doc", "Action::\"read\" Doc", "Action::\"read\" Invoice", "Action::\"write\" Doc", "Action::\"write\" Invoice"],
            Pairs(For(policies, "billing")));
        var other = For(policies, "other");
        Assert.Equal(["Action::\"edit\" Doc", "Action::\"write\" Doc", "Action::\"write\" Invoice"], Pairs(other));
        Assert.All(other, e => Assert.Equal(["any-write"], e.Policies));
        var read = For(policies, "billing").Single(e => e.Action == "Action::\"read\"" && e.ResourceType == "Doc");
        Assert.Equal(["billing-doc"], read.Policies);
        var invoice = For(policies, "billing").Single(e => e.Action == "Action::\"read\"" && e.ResourceType == "Invoice");
        Assert.Equal(["team-read"], invoice.Policies);
    }

    [Fact]
    public void UnconditionalForbid_ShouldRemoveTheEntitlement_AConditionalOneShouldNot()
    {
        const string policies = """
            @id("grant") permit (principal == Workload::"billing", action in [Action::"read", Action::"write"], resource is Invoice);
            @id("cut") forbid (principal == Workload::"billing", action == Action::"read", resource is Invoice);
            @id("maybe") forbid (principal, action == Action::"write", resource) when { context has risky };
            """;
        Assert.Equal(["Action::\"write\" Invoice"], Pairs(For(policies, "billing")));
    }

    [Fact]
    public void NothingMatches_ShouldGiveNoEntitlement()
    {
        Assert.Empty(For("""permit (principal == Workload::"billing", action == Action::"read", resource);""", "other"));
        Assert.Empty(For("""forbid (principal, action, resource);""", "billing"));
    }
}
