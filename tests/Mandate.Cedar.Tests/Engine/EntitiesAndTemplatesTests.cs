namespace Mandate.Cedar.Tests.Engine;

public sealed class EntitiesAndTemplatesTests
{
    private static readonly EntityUid Alice = new("User", "alice");
    private static readonly EntityUid Bob = new("User", "bob");
    private static readonly EntityUid Read = new("Action", "read");
    private static readonly EntityUid Doc = new("Doc", "d");

    [Fact]
    public void ParseJson_ShouldReadEscapesTagsAndTransitiveParents()
    {
        var entities = Entities.ParseJson("""
            [
              {"uid": {"__entity": {"type": "User", "id": "alice"}}, "parents": [{"type": "Group", "id": "a"}],
               "attrs": {"ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}},
                         "when": {"__extn": {"fn": "offset", "args": [{"__extn": {"fn": "datetime", "arg": "2024-01-01"}}, {"__extn": {"fn": "duration", "arg": "1h"}}]}},
                         "big": -9223372036854775808, "nested": {"list": [1, "two", {"__entity": {"type": "Doc", "id": "d"}}]}},
               "tags": {"level": 3}},
              {"uid": {"type": "Group", "id": "a"}, "attrs": {}, "parents": [{"type": "Group", "id": "b"}]},
              {"uid": {"type": "Group", "id": "b"}, "attrs": {}, "parents": [{"type": "Group", "id": "a"}]}
            ]
            """);
        Assert.Equal(3, entities.Count);
        Assert.True(entities.TryGet(Alice, out var alice));
        Assert.Equal(CedarValue.Ip("10.0.0.1"), alice.Attributes["ip"]);
        Assert.Equal(CedarValue.Datetime("2024-01-01T01:00:00Z"), alice.Attributes["when"]);
        Assert.Equal(long.MinValue, alice.Attributes["big"].AsLong());
        Assert.Equal(3, alice.Tags["level"].AsLong());
        var policies = PolicySet.Parse("permit(principal in Group::\"b\", action, resource) when { principal.nested.list.contains(Doc::\"d\") };");
        Assert.Equal(Decision.Allow, Authorizer.IsAuthorized(new Request(Alice, Read, Doc), policies, entities).Decision);
    }

    [Theory]
    [InlineData("{}", "array")]
    [InlineData("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"x\": 1.5}, \"parents\": []}]", "64-bit integer")]
    [InlineData("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": []}, {\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": []}]", "duplicate entity")]
    [InlineData("[{\"uid\": {\"type\": \"User\"}, \"attrs\": {}, \"parents\": []}]", "\"type\" and \"id\"")]
    [InlineData("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"x\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"nope\"}}}, \"parents\": []}]", "invalid IP")]
    [InlineData("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"x\": {\"__extn\": {\"fn\": \"nope\", \"arg\": \"1\"}}}, \"parents\": []}]", "unknown extension function")]
    [InlineData("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"x\": 1, \"x\": 2}, \"parents\": []}]", "duplicate")]
    [InlineData("[{\"uid\": {\"type\": \"Us er\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": []}]", "not a valid entity type")]
    [InlineData("not json", "not valid JSON")]
    public void ParseJson_ShouldFail_WithAPreciseMessage(string json, string fragment)
    {
        var ex = Assert.Throws<CedarException>(() => Entities.ParseJson(json));
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithOverlay_ShouldAddEntities_AndSeeChangedHierarchies()
    {
        var group = new EntityUid("Group", "g");
        var parent = new EntityUid("Group", "parent");
        var other = new EntityUid("Group", "other");
        var baseStore = Entities.Create([new Entity(Alice, null, [group]), new Entity(group, null, [parent]), new Entity(parent)]);
        var policies = PolicySet.Parse("permit(principal in Group::\"parent\", action, resource);permit(principal in Group::\"other\", action, resource);");

        var withBob = baseStore.WithOverlay([new Entity(Bob, null, [group])]);
        Assert.Equal(["policy0"], Authorizer.IsAuthorized(new Request(Bob, Read, Doc), policies, withBob).Reasons);
        Assert.Equal(Decision.Deny, Authorizer.IsAuthorized(new Request(Bob, Read, Doc), policies, baseStore).Decision);

        // Re-parenting a group that others use as a parent must change their ancestors too.
        var moved = baseStore.WithOverlay([new Entity(group, null, [other])]);
        Assert.Equal(["policy1"], Authorizer.IsAuthorized(new Request(Alice, Read, Doc), policies, moved).Reasons);
        Assert.Equal(3, moved.Count);
        Assert.Equal(3, baseStore.Count);

        // A parent that was missing from the base store and arrives with parents of its own extends the hierarchy.
        var dangling = Entities.Create([new Entity(Alice, null, [new EntityUid("Group", "late")])]);
        var arrived = dangling.WithOverlay([new Entity(new EntityUid("Group", "late"), null, [other])]);
        Assert.Equal(["policy1"], Authorizer.IsAuthorized(new Request(Alice, Read, Doc), policies, arrived).Reasons);
    }

    [Fact]
    public void Link_ShouldFillSlots_AndTheLinkedPolicyShouldDecide()
    {
        var set = PolicySet.Parse("permit(principal == ?principal, action == Action::\"read\", resource in ?resource);");
        Assert.True(set.Policies[0].IsTemplate);
        var folder = new EntityUid("Folder", "f");
        var linked = set.Link("policy0", "alice-reads-f", new Dictionary<string, EntityUid> { ["?principal"] = Alice, ["resource"] = folder });
        var entities = Entities.Create([new Entity(Doc, null, [folder])]);
        var response = Authorizer.IsAuthorized(new Request(Alice, Read, Doc), linked, entities);
        Assert.Equal(Decision.Allow, response.Decision);
        Assert.Equal(["alice-reads-f"], response.Reasons);
        Assert.Equal(Decision.Deny, Authorizer.IsAuthorized(new Request(Bob, Read, Doc), linked, entities).Decision);
        Assert.Equal("policy0", linked.Policies[1].TemplateId);
        Assert.Contains("principal == User::\"alice\"", linked.Policies[1].ToString(), StringComparison.Ordinal);
        Assert.Equal(Decision.Deny, Authorizer.IsAuthorized(new Request(Alice, Read, Doc), set, entities).Decision);
    }

    [Fact]
    public void Link_ShouldRefuseMissingSlotsDuplicateIdsAndNonTemplates()
    {
        var set = PolicySet.Parse("permit(principal == ?principal, action, resource);permit(principal, action, resource);");
        Assert.Throws<CedarException>(() => set.Link("policy0", "x", new Dictionary<string, EntityUid>()));
        Assert.Throws<CedarException>(() => set.Link("policy0", "policy1", new Dictionary<string, EntityUid> { ["?principal"] = Alice }));
        Assert.Throws<CedarException>(() => set.Link("policy1", "x", new Dictionary<string, EntityUid>()));
        Assert.Throws<CedarException>(() => set.Link("policy0", "x", new Dictionary<string, EntityUid> { ["?principal"] = Alice, ["?resource"] = Doc }));
    }

    [Fact]
    public void Merge_ShouldRefuseDuplicateIds_AndPrefixesShouldAvoidThem()
    {
        var a = PolicySet.Parse("permit(principal, action, resource);");
        Assert.Throws<CedarException>(() => PolicySet.Merge([a, a]));
        var merged = PolicySet.Merge([a, PolicySet.Parse("forbid(principal, action, resource);", "b.cedar", "b.")]);
        Assert.Equal(["policy0", "b.policy0"], merged.Policies.Select(p => p.Id));
    }

    [Fact]
    public void Index_ShouldStillFindPoliciesThroughAncestorsAndActionGroups()
    {
        var policies = new List<string>();
        for (var i = 0; i < 500; i++)
        {
            policies.Add($"permit(principal == User::\"u{i}\", action, resource);");
            policies.Add($"permit(principal, action, resource == Doc::\"d{i}\");");
        }

        policies.Add("forbid(principal in Group::\"banned\", action in [Action::\"write\"], resource);");
        policies.Add("permit(principal, action in Action::\"readers\", resource) when { resource is Doc };");
        var set = PolicySet.Parse(string.Join("\n", policies));
        var entities = Entities.Create([new Entity(new EntityUid("User", "u7"), null, [new EntityUid("Group", "banned")]), new Entity(Read, null, [new EntityUid("Action", "readers")])]);
        var u7 = new EntityUid("User", "u7");
        Assert.Equal(["policy1001", "policy14"], Authorizer.IsAuthorized(new Request(u7, Read, new EntityUid("Doc", "zzz")), set, entities).Reasons.Order());
        Assert.Equal(["policy1000"], Authorizer.IsAuthorized(new Request(u7, new EntityUid("Action", "write"), new EntityUid("Doc", "d3")), set, entities).Reasons);
        Assert.Equal(["policy1001", "policy7"], Authorizer.IsAuthorized(new Request(new EntityUid("User", "nobody"), Read, new EntityUid("Doc", "d3")), set, entities).Reasons.Order());
    }
}
