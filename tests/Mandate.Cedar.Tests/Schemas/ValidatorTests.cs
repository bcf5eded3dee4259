namespace Mandate.Cedar.Tests.Schemas;

public sealed class ValidatorTests
{
    private const string SchemaText = """
        namespace App {
          type Ctx = { ip: ipaddr, mfa?: Bool, level: Long };
          entity Group;
          entity User in [Group] { name: String, age?: Long, manager?: User, tags: Set<String>, start: datetime } tags Long;
          entity Doc in [Folder] { owner: User, classification: String, meta?: { reviewed?: Bool } };
          entity Folder;
          entity Status enum ["open", "closed"];
          action read appliesTo { principal: [User], resource: [Doc, Folder], context: Ctx };
          action write in [read] appliesTo { principal: User, resource: Doc, context: Ctx };
          action audit appliesTo { principal: Group, resource: Folder };
          action orphan;
        }
        """;

    private static readonly Schema AppSchema = Schema.Parse(SchemaText);

    private static ValidationResult Validate(string policy, ValidationMode mode = ValidationMode.Strict) =>
        Validator.Validate(PolicySet.Parse(policy, "test.cedar"), AppSchema, mode);

    [Theory]
    [InlineData("permit(principal, action, resource);")]
    [InlineData("permit(principal == App::User::\"a\", action == App::Action::\"read\", resource in App::Folder::\"f\");")]
    [InlineData("permit(principal is App::User in App::Group::\"g\", action in [App::Action::\"read\"], resource is App::Doc);")]
    [InlineData("permit(principal, action, resource) when { principal has age && principal.age > 18 };")]
    [InlineData("permit(principal, action, resource) when { principal has manager && principal.manager has age && principal.manager.age < 3 };")]
    [InlineData("permit(principal, action, resource) when { principal has manager.age && principal.manager.age < 3 };")]
    [InlineData("permit(principal, action, resource) when { if principal has age then principal.age > 1 else false };")]
    [InlineData("permit(principal, action in [App::Action::\"read\"], resource) when { context has mfa && context.mfa };")]
    [InlineData("permit(principal, action == App::Action::\"read\", resource is App::Doc) when { resource has meta && resource.meta has reviewed && resource.meta.reviewed };")]
    [InlineData("permit(principal, action in [App::Action::\"read\"], resource) when { context.ip.isInRange(ip(\"10.0.0.0/8\")) && context.level >= 3 };")]
    [InlineData("permit(principal is App::User, action, resource) when { principal.hasTag(\"k\") && principal.getTag(\"k\") > 1 };")]
    [InlineData("permit(principal is App::User, action, resource) when { principal.start < datetime(\"2024-01-01\").offset(duration(\"1h\")) };")]
    [InlineData("permit(principal is App::User, action, resource) when { principal.tags.contains(\"x\") && [1, 2].containsAll([1]) };")]
    [InlineData("permit(principal, action, resource) when { 1 == \"a\" };")]
    [InlineData("permit(principal, action, resource is App::Doc) when { resource.hasTag(\"k\") && resource.getTag(\"k\") == 1 };")]
    [InlineData("permit(principal, action, resource) when { App::Status::\"open\" == App::Status::\"open\" };")]
    [InlineData("permit(principal, action, resource) when { principal in App::Group::\"admins\" };")]
    [InlineData("permit(principal, action, resource) when { false && 1 + \"a\" };")]
    [InlineData("permit(principal, action, resource) when { true || principal.nope };")]
    [InlineData("permit(principal, action, resource) when { if true then 1 > 0 else 1 + \"a\" };")]
    public void ValidPolicies_ShouldHaveNoErrors(string policy)
    {
        var result = Validate(policy);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("permit(principal == App::Usr::\"a\", action, resource);", "unrecognized-entity-type")]
    [InlineData("permit(principal, action == App::Action::\"nope\", resource);", "unrecognized-action")]
    [InlineData("permit(principal, action, resource) when { App::Status::\"pending\" == App::Status::\"open\" };", "invalid-enum-entity")]
    [InlineData("permit(principal is App::Group, action == App::Action::\"read\", resource);", "invalid-action-application")]
    [InlineData("permit(principal, action == App::Action::\"orphan\", resource);", "invalid-action-application")]
    [InlineData("permit(principal, action, resource) when { principal.age > 18 };", "unsafe-optional-attribute-access")]
    [InlineData("permit(principal, action, resource) when { principal has age || principal.age > 18 };", "unsafe-optional-attribute-access")]
    [InlineData("permit(principal, action, resource) when { (if principal has age then true else true) && principal.age > 1 };", "unsafe-optional-attribute-access")]
    [InlineData("permit(principal is App::User, action, resource) when { principal.nickname == \"x\" };", "unknown-attribute")]
    [InlineData("permit(principal is App::User, action, resource) when { principal.name > 1 };", "unexpected-type")]
    [InlineData("permit(principal, action, resource) when { 1 + \"a\" == 2 };", "unexpected-type")]
    [InlineData("permit(principal, action == App::Action::\"read\", resource) when { context.level == \"a\" };", "incompatible-types")]
    [InlineData("permit(principal, action, resource) unless { !(principal has age) || principal.age > 18 };", "unsafe-optional-attribute-access")]
    [InlineData("permit(principal, action, resource) when { [1, \"a\"].contains(1) };", "incompatible-types")]
    [InlineData("permit(principal, action, resource) when { [].isEmpty() };", "empty-set-literal")]
    [InlineData("permit(principal, action, resource) when { principal in [App::User::\"a\", App::Group::\"g\"] };", "incompatible-types")]
    [InlineData("permit(principal is App::User, action, resource) when { principal.getTag(\"k\") > 1 };", "unsafe-tag-access")]
    [InlineData("permit(principal, action, resource) when { ip(\"not an ip\").isIpv4() };", "invalid-extension-argument")]
    [InlineData("permit(principal is App::User, action, resource) when { ip(principal.name).isIpv4() };", "non-literal-extension-constructor")]
    [InlineData("permit(principal, action, resource) when { context.ip.isInRange() };", "wrong-argument-count")]
    [InlineData("permit(principal, action, resource) when { if context.level > 1 then 1 else \"a\" };", "incompatible-types")]
    [InlineData("permit(principal, action, resource) when { context.ip < context.ip };", "unexpected-type")]
    public void InvalidPolicies_ShouldReportTheErrorKind(string policy, string code)
    {
        var result = Validate(policy);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Code == code);
        Assert.All(result.Errors, e => Assert.Equal("policy0", e.PolicyId));
        Assert.All(result.Errors, e => Assert.Equal("test.cedar", e.Source));
    }

    [Fact]
    public void ImpossiblePolicy_ShouldBeAWarningNotAnError()
    {
        var result = Validate("permit(principal, action, resource) when { principal is App::User && principal is App::Group };");
        Assert.True(result.IsValid);
        Assert.Contains(result.Warnings, w => w.Code == "impossible-policy");
    }

    [Fact]
    public void MixedEntityTypes_ShouldBeAllowedInPermissiveModeOnly()
    {
        const string policy = "permit(principal, action, resource) when { principal in [App::User::\"a\", App::Group::\"g\"] };";
        Assert.False(Validate(policy).IsValid);
        Assert.True(Validate(policy, ValidationMode.Permissive).IsValid);
    }

    [Fact]
    public void Templates_ShouldBeCheckedForEveryPossibleSlotType()
    {
        Assert.True(Validate("permit(principal in ?principal, action == App::Action::\"read\", resource) when { principal.name == \"x\" };").IsValid);
        Assert.False(Validate("permit(principal == ?principal, action, resource == ?resource) when { resource.owner.age > 1 };").IsValid);
    }

    [Fact]
    public void LinkedPolicies_ShouldBeValidatedWithTheirSlotValues()
    {
        var set = PolicySet.Parse("permit(principal == ?principal, action == App::Action::\"read\", resource is App::Doc);", "t.cedar")
            .Link("policy0", "good", new Dictionary<string, EntityUid> { ["?principal"] = new("App::User", "u") })
            .Link("policy0", "bad", new Dictionary<string, EntityUid> { ["?principal"] = new("App::Robot", "r") });
        var result = Validator.Validate(set, AppSchema);
        Assert.Equal(["bad"], result.Errors.Select(e => e.PolicyId).Distinct());
        Assert.Contains(result.Errors, e => e.Code == "unrecognized-entity-type");
    }

    [Fact]
    public void ErrorsOfSeveralPolicies_ShouldNameEachPolicy()
    {
        var result = Validator.Validate(PolicySet.Parse("""
            permit(principal, action, resource);
            forbid(principal, action, resource) when { principal.age > 1 };
            permit(principal, action, resource) when { resource.nope };
            """), AppSchema);
        Assert.Equal(["policy1", "policy2"], result.Errors.Select(e => e.PolicyId).Distinct().Order());
    }

    [Theory]
    [InlineData(150, 1)]
    [InlineData(1, 900)]
    public void DeeplyNestedPolicies_ShouldValidateWithoutSpuriousErrors(int parentheses, int chain)
    {
        // Parenthesized nesting and long left-associative chains both make deep trees.
        string sum = string.Join(" + ", Enumerable.Repeat("1", chain));
        string condition = string.Concat(Enumerable.Repeat("(1 + ", parentheses)) + sum + new string(')', parentheses) + " > 0";
        var result = Validate($"permit(principal, action, resource) when {{ {condition} }};");
        Assert.True(result.IsValid, string.Join("\n", result.Errors.Take(3)));
    }
}
