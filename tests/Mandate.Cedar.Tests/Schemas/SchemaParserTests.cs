using Mandate.Cedar.Schemas;

namespace Mandate.Cedar.Tests.Schemas;

public sealed class SchemaParserTests
{
    private const string PhotoApp = """
        // A photo-sharing app.
        namespace PhotoApp {
          type Address = { street: String, city?: String };
          @doc("a person")
          entity User in [UserGroup] = {
            name: String,
            age?: Long,
            address: Address,
            friends: Set<User>,
            ip: ipaddr,
          } tags String;
          entity UserGroup;
          entity Photo in Album { owner: User, "private": Bool };
          entity Album;
          entity Color enum ["red", "green"];
          action view appliesTo { principal: [User], resource: Photo, context: { ip: ipaddr, when?: datetime } };
          action "edit", delete in [view] appliesTo { principal: User, resource: [Photo, Album] };
          action admin;
        }
        entity Global;
        action "global" appliesTo { principal: Global, resource: Global };
        """;

    private const string PhotoAppJson = """
        {
          "PhotoApp": {
            "commonTypes": {
              "Address": { "type": "Record", "attributes": {
                "street": { "type": "String" },
                "city": { "type": "String", "required": false } } }
            },
            "entityTypes": {
              "User": {
                "memberOfTypes": ["UserGroup"],
                "annotations": { "doc": "a person" },
                "shape": { "type": "Record", "attributes": {
                  "name": { "type": "String" },
                  "age": { "type": "Long", "required": false },
                  "address": { "type": "Address" },
                  "friends": { "type": "Set", "element": { "type": "Entity", "name": "User" } },
                  "ip": { "type": "Extension", "name": "ipaddr" } } },
                "tags": { "type": "String" }
              },
              "UserGroup": {},
              "Photo": { "memberOfTypes": ["Album"], "shape": { "type": "Record", "attributes": {
                "owner": { "type": "EntityOrCommon", "name": "User" },
                "private": { "type": "Boolean" } } } },
              "Album": {},
              "Color": { "enum": ["red", "green"] }
            },
            "actions": {
              "view": { "appliesTo": { "principalTypes": ["User"], "resourceTypes": ["Photo"], "context": {
                "type": "Record", "attributes": {
                  "ip": { "type": "Extension", "name": "ipaddr" },
                  "when": { "type": "Extension", "name": "datetime", "required": false } } } } },
              "edit": { "memberOf": [{ "id": "view" }], "appliesTo": { "principalTypes": ["User"], "resourceTypes": ["Photo", "Album"] } },
              "delete": { "memberOf": [{ "id": "view", "type": "PhotoApp::Action" }], "appliesTo": { "principalTypes": ["User"], "resourceTypes": ["Photo", "Album"] } },
              "admin": {}
            }
          },
          "": {
            "entityTypes": { "Global": {} },
            "actions": { "global": { "appliesTo": { "principalTypes": ["Global"], "resourceTypes": ["Global"] } } }
          }
        }
        """;

    [Fact]
    public void Parse_ShouldBuildTheResolvedModel()
    {
        var model = Schema.Parse(PhotoApp).Model;

        var user = model.EntityTypes["PhotoApp::User"];
        Assert.Equal(["PhotoApp::UserGroup"], user.MemberOfTypes);
        Assert.True(user.Attributes.Attributes["name"].Required);
        Assert.False(user.Attributes.Attributes["age"].Required);
        var address = Assert.IsType<RecordSchemaType>(user.Attributes.Attributes["address"].Type);
        Assert.False(address.Attributes["city"].Required);
        var friends = Assert.IsType<SetSchemaType>(user.Attributes.Attributes["friends"].Type);
        Assert.Equal("PhotoApp::User", Assert.IsType<EntitySchemaType>(friends.Element).Name);
        Assert.Equal("ipaddr", Assert.IsType<ExtensionSchemaType>(user.Attributes.Attributes["ip"].Type).Name);
        Assert.Equal(SchemaTypeKind.String, user.Tags!.Kind);
        Assert.Equal("a person", user.Annotations["doc"]);
        Assert.Equal(["red", "green"], model.EntityTypes["PhotoApp::Color"].EnumValues!);
        Assert.Contains("PhotoApp::Photo", model.EntityTypes["PhotoApp::Album"].DescendantTypes);

        var view = model.Actions[new EntityUid("PhotoApp::Action", "view")];
        Assert.Equal(["PhotoApp::User"], view.PrincipalTypes);
        Assert.Equal("datetime", Assert.IsType<ExtensionSchemaType>(view.Context.Attributes["when"].Type).Name);
        var delete = model.Actions[new EntityUid("PhotoApp::Action", "delete")];
        Assert.Contains(new EntityUid("PhotoApp::Action", "view"), delete.Ancestors);
        Assert.False(model.Actions[new EntityUid("PhotoApp::Action", "admin")].HasAppliesTo);
        Assert.True(model.Actions.ContainsKey(new EntityUid("Action", "global")));
        Assert.True(model.EntityTypes.ContainsKey("Global"));
    }

    [Fact]
    public void ParseJson_ShouldMatchTheCedarSyntax()
    {
        var text = Schema.Parse(PhotoApp).Model;
        var json = Schema.ParseJson(PhotoAppJson).Model;
        Assert.Null(SchemaEquivalence.Difference(text, json));
    }

    [Fact]
    public void TypeNames_ShouldResolveInTheCurrentNamespace_ThenTheEmptyNamespace_ThenBuiltins()
    {
        var model = Schema.Parse("""
            entity String;
            type Num = Long;
            namespace N {
              type Flag = Bool;
              entity E { a: Flag, b: String, c: __cedar::String, d: ipaddr, e: N::Flag, f: Num };
            }
            """).Model;
        var attributes = model.EntityTypes["N::E"].Attributes.Attributes;
        Assert.Equal(SchemaTypeKind.Bool, attributes["a"].Type.Kind);
        Assert.Equal("String", Assert.IsType<EntitySchemaType>(attributes["b"].Type).Name);
        Assert.Equal(SchemaTypeKind.String, attributes["c"].Type.Kind);
        Assert.Equal(SchemaTypeKind.Extension, attributes["d"].Type.Kind);
        Assert.Equal(SchemaTypeKind.Bool, attributes["e"].Type.Kind);
        Assert.Equal(SchemaTypeKind.Long, attributes["f"].Type.Kind);
    }

    [Fact]
    public void RepeatedRecordAttributes_ShouldKeepTheLastDeclaration()
    {
        var model = Schema.Parse("entity E { a: Long, a: String };").Model;
        Assert.Equal(SchemaTypeKind.String, model.EntityTypes["E"].Attributes.Attributes["a"].Type.Kind);
    }

    [Fact]
    public void CommonTypes_MayReferToEachOther()
    {
        var model = Schema.Parse("type A = Set<B>; type B = { x: Long }; entity E { a: A };").Model;
        var set = Assert.IsType<SetSchemaType>(model.EntityTypes["E"].Attributes.Attributes["a"].Type);
        Assert.IsType<RecordSchemaType>(set.Element);
    }

    [Theory]
    [InlineData("entity A { x: Missing };", 1, 15, "Missing")]
    [InlineData("entity A;\nentity A;", 2, 8, "declared twice")]
    [InlineData("type A = B;\ntype B = A;", 1, 1, "itself")]
    [InlineData("entity A;\naction a in b appliesTo { principal: A, resource: A };\naction b in a;", 2, 8, "cycle")]
    [InlineData("entity A in [B];", 1, 14, "B")]
    [InlineData("entity A", 1, 9, "expected")]
    [InlineData("entity A { \"x: Long };", 1, 12, "unterminated")]
    [InlineData("entity A $", 1, 10, "unexpected character")]
    [InlineData("entity if;", 1, 8, "reserved")]
    [InlineData("type Long = String;", 1, 1, "reserved")]
    [InlineData("action a appliesTo { principal: [A] };\nentity A;", 1, 10, "resource")]
    [InlineData("action a appliesTo { principal: A, resource: A, context: Long };\nentity A;", 1, 58, "record")]
    [InlineData("entity A { \"\\q\": Long };", 1, 12, "escape")]
    [InlineData("@a @a entity A;", 1, 4, "duplicate annotation")]
    [InlineData("entity A;\nnamespace N { entity A; }", 2, 22, "shadows")]
    [InlineData("entity Action;", 1, 8, "Action")]
    [InlineData("entity A;\naction a appliesTo { principal: [], resource: A };", 2, 22, "[]")]
    [InlineData("entity A in [Action];\naction a;", 1, 14, "Action")]
    public void Parse_ShouldReportLineAndColumn(string text, int line, int column, string fragment)
    {
        var ex = Assert.Throws<CedarParseException>(() => Schema.Parse(text, "s.cedarschema"));
        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal((line, column), (diagnostic.Line, diagnostic.Column));
        Assert.Contains(fragment, diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal("s.cedarschema", diagnostic.Source);
    }

    [Theory]
    [InlineData("""{"": {"entityTypes": {}, "actions": {}, "extra": 1}}""", "unknown key")]
    [InlineData("""{"": {"entityTypes": {"A": {"shape": {"type": "Record", "attributes": {"x": {"type": "Nope"}}}}}, "actions": {}}}""", "Nope")]
    [InlineData("""{"": {"actions": {}}}""", "entityTypes")]
    [InlineData("""{"": {"entityTypes": {"A": {"enum": []}}, "actions": {}}}""", "at least one")]
    [InlineData("""{"": {"entityTypes": {}, "actions": {"a": {"memberOf": [{"id": "b"}]}}}}""", "undeclared action")]
    [InlineData("""{"": {"entityTypes": {"A": {"shape": {"type": "Long"}}}, "actions": {}}}""", "record")]
    public void ParseJson_ShouldNameThePathOfTheProblem(string json, string fragment)
    {
        var ex = Assert.Throws<CedarParseException>(() => Schema.ParseJson(json));
        Assert.Contains(fragment, ex.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Contains("$", ex.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseJson_ShouldReportThePositionOfMalformedJson()
    {
        var ex = Assert.Throws<CedarParseException>(() => Schema.ParseJson("{\n  \"\": {\n    \"entityTypes\": [,\n}"));
        Assert.Equal(3, ex.Diagnostics[0].Line);
    }

    [Fact]
    public void Schema_ShouldListEntityTypesAndActions()
    {
        var schema = Schema.Parse(PhotoApp);
        Assert.Contains("PhotoApp::Photo", schema.EntityTypes);
        Assert.Contains(new EntityUid("PhotoApp::Action", "edit"), schema.Actions);
    }
}
