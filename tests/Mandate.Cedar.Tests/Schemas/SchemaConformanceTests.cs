using System.Text.Json;

namespace Mandate.Cedar.Tests.Schemas;

public sealed class SchemaConformanceTests
{
    private static readonly Schema AppSchema = Schema.Parse("""
        entity Group;
        entity User in [Group] { name: String, age?: Long, ip?: ipaddr, boss?: User, roles?: Set<String>, home?: { city: String } } tags decimal;
        entity Doc;
        entity Color enum ["red", "green"];
        action read appliesTo { principal: [User], resource: [Doc, Color], context: { ip: ipaddr, when?: datetime, who?: User } };
        action group in [read];
        """);

    private static IReadOnlyList<string> CheckEntities(string json) => AppSchema.ValidateEntities(Entities.ParseJson(json, AppSchema));

    [Fact]
    public void SchemaDirectedParsing_ShouldBuildExtensionsAndEntityReferences()
    {
        var entities = Entities.ParseJson("""
            [{"uid": {"type": "User", "id": "a"}, "attrs": {"name": "A", "ip": "10.0.0.1", "boss": {"type": "User", "id": "b"},
              "home": {"city": "Oslo"}}, "parents": [{"type": "Group", "id": "g"}], "tags": {"limit": "1.5"}},
             {"uid": {"type": "User", "id": "b"}, "attrs": {"name": "B", "ip": {"__extn": {"fn": "ip", "arg": "::1"}}}, "parents": []}]
            """, AppSchema);
        Assert.True(entities.TryGet(new EntityUid("User", "a"), out var a));
        Assert.Equal(CedarValueKind.IpAddr, a.Attributes["ip"].Kind);
        Assert.Equal(new EntityUid("User", "b"), a.Attributes["boss"].AsEntity());
        Assert.Equal(CedarValueKind.Decimal, a.Tags["limit"].Kind);
        Assert.True(entities.TryGet(new EntityUid("Action", "group"), out var group));
        Assert.Contains(new EntityUid("Action", "read"), group.Parents);
        Assert.Empty(AppSchema.ValidateEntities(entities));
    }

    [Theory]
    [InlineData("""[{"uid": {"type": "User", "id": "a"}, "attrs": {}, "parents": []}]""", "required attribute `name`")]
    [InlineData("""[{"uid": {"type": "User", "id": "a"}, "attrs": {"name": "A", "nick": "x"}, "parents": []}]""", "`nick` is not declared")]
    [InlineData("""[{"uid": {"type": "User", "id": "a"}, "attrs": {"name": 3}, "parents": []}]""", "expected String")]
    [InlineData("""[{"uid": {"type": "User", "id": "a"}, "attrs": {"name": "A", "roles": ["x", 1]}, "parents": []}]""", "set element")]
    [InlineData("""[{"uid": {"type": "User", "id": "a"}, "attrs": {"name": "A", "home": {}}, "parents": []}]""", "`city`")]
    [InlineData("""[{"uid": {"type": "User", "id": "a"}, "attrs": {"name": "A"}, "parents": [{"type": "Doc", "id": "d"}]}]""", "cannot be in")]
    [InlineData("""[{"uid": {"type": "Doc", "id": "d"}, "attrs": {}, "parents": [], "tags": {"t": "1.0"}}]""", "cannot have tags")]
    [InlineData("""[{"uid": {"type": "User", "id": "a"}, "attrs": {"name": "A"}, "parents": [], "tags": {"t": 1}}]""", "tag `t`")]
    [InlineData("""[{"uid": {"type": "Color", "id": "blue"}, "attrs": {}, "parents": []}]""", "enumerated")]
    [InlineData("""[{"uid": {"type": "Robot", "id": "r"}, "attrs": {}, "parents": []}]""", "not declared")]
    [InlineData("""[{"uid": {"type": "Doc", "id": "d"}, "attrs": {}, "parents": [{"type": "Color", "id": "red"}]}]""", "cannot be in")]
    [InlineData("""[{"uid": {"type": "Color", "id": "red"}, "attrs": {}, "parents": [{"type": "Action", "id": "nope"}]}]""", "not an action declared")]
    public void NonConformingEntities_ShouldBeReported(string json, string fragment)
    {
        IReadOnlyList<string> problems;
        try
        {
            problems = CheckEntities(json);
        }
        catch (CedarException ex)
        {
            // Schema-directed parsing may already reject the value; that is also a clear, located error.
            problems = [ex.Message];
        }

        Assert.Contains(problems, p => p.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void AncestorTypes_ShouldBeAllowedAsDirectParents()
    {
        var schema = Schema.Parse("entity Org; entity Team in [Org]; entity Person in [Team];");
        var entities = Entities.ParseJson("""
            [{"uid": {"type": "Person", "id": "p"}, "attrs": {}, "parents": [{"type": "Org", "id": "o"}]}]
            """, schema);
        Assert.Empty(schema.ValidateEntities(entities));
    }

    [Fact]
    public void EntityReferencesInValues_ShouldUseDeclaredEnumIds()
    {
        var schema = Schema.Parse("""entity Color enum ["red"]; entity Car { color: Color };""");
        var entities = Entities.ParseJson("""
            [{"uid": {"type": "Car", "id": "c"}, "attrs": {"color": {"type": "Color", "id": "blue"}}, "parents": []}]
            """, schema);
        Assert.Contains(schema.ValidateEntities(entities), p => p.Contains("enumerated", StringComparison.Ordinal));
    }

    private static Request MakeRequest(string principalType, string action, string resourceType, string contextJson)
    {
        var actionUid = new EntityUid("Action", action);
        using var context = JsonDocument.Parse(contextJson);
        return new Request(new EntityUid(principalType, "p"), actionUid, new EntityUid(resourceType, "red"), Context.FromJson(context.RootElement, AppSchema, actionUid));
    }

    [Fact]
    public void ConformingRequest_ShouldHaveNoProblems()
    {
        var request = MakeRequest("User", "read", "Doc", """{"ip": "1.2.3.4", "when": "2024-01-01", "who": {"type": "User", "id": "x"}}""");
        Assert.Equal(CedarValueKind.Datetime, request.Context["when"].Kind);
        Assert.Equal(CedarValueKind.Entity, request.Context["who"].Kind);
        Assert.Empty(AppSchema.ValidateRequest(request));
    }

    [Theory]
    [InlineData("User", "write", "Doc", """{"ip": "1.2.3.4"}""", "not declared")]
    [InlineData("Group", "read", "Doc", """{"ip": "1.2.3.4"}""", "does not apply to principals")]
    [InlineData("User", "read", "User", """{"ip": "1.2.3.4"}""", "does not apply to resources")]
    [InlineData("User", "read", "Doc", """{}""", "required attribute `ip`")]
    [InlineData("User", "read", "Doc", """{"ip": "1.2.3.4", "extra": 1}""", "`extra` is not declared")]
    public void NonConformingRequests_ShouldBeReported(string principalType, string action, string resourceType, string context, string fragment)
    {
        var problems = AppSchema.ValidateRequest(MakeRequest(principalType, action, resourceType, context));
        Assert.Contains(problems, p => p.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void EnumResourceIds_ShouldBeChecked()
    {
        var actionUid = new EntityUid("Action", "read");
        using var context = JsonDocument.Parse("""{"ip": "1.2.3.4"}""");
        var request = new Request(new EntityUid("User", "p"), actionUid, new EntityUid("Color", "blue"), Context.FromJson(context.RootElement, AppSchema, actionUid));
        Assert.Contains(AppSchema.ValidateRequest(request), p => p.Contains("enumerated", StringComparison.Ordinal));
    }
}
