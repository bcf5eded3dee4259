namespace Mandate.Cedar.Tests;

public sealed class AuthorizerTests
{
    private static readonly EntityUid Alice = new("User", "alice");
    private static readonly EntityUid View = new("Action", "view");
    private static readonly EntityUid Photo = new("Photo", "a.jpg");

    private static Entities Store() => Entities.ParseJson("""
        [
          {"uid": {"type": "User", "id": "alice"}, "attrs": {"age": 30, "tags": ["a", "b"]}, "parents": [{"type": "Group", "id": "admins"}]},
          {"uid": {"type": "Group", "id": "admins"}, "attrs": {}, "parents": [{"type": "Group", "id": "staff"}]},
          {"uid": {"type": "Photo", "id": "a.jpg"}, "attrs": {"owner": {"__entity": {"type": "User", "id": "alice"}}}, "parents": [], "tags": {"secret": true}}
        ]
        """);

    [Theory]
    [InlineData("permit(principal, action, resource);", Decision.Allow)]
    [InlineData("permit(principal == User::\"alice\", action == Action::\"view\", resource);", Decision.Allow)]
    [InlineData("permit(principal in Group::\"staff\", action, resource is Photo);", Decision.Allow)]
    [InlineData("permit(principal, action, resource) when { resource.owner == principal && principal.age >= 18 };", Decision.Allow)]
    [InlineData("permit(principal, action, resource) when { resource.getTag(\"secret\") && resource.hasTag(\"secret\") };", Decision.Allow)]
    [InlineData("permit(principal, action, resource) when { principal.tags.containsAll([\"a\"]) && !principal.tags.isEmpty() };", Decision.Allow)]
    [InlineData("permit(principal, action, resource);\nforbid(principal, action, resource) unless { false };", Decision.Deny)]
    [InlineData("permit(principal is Group, action, resource);", Decision.Deny)]
    [InlineData("", Decision.Deny)]
    public void IsAuthorized_ShouldDecideAsCedarDoes(string policies, Decision expected)
    {
        var response = Authorizer.IsAuthorized(new Request(Alice, View, Photo), PolicySet.Parse(policies), Store());
        Assert.Equal(expected, response.Decision);
        Assert.Empty(response.Errors);
    }

    [Fact]
    public void IsAuthorized_ShouldSkipAndReportAnErroringPolicy()
    {
        var set = PolicySet.Parse("""
            permit(principal, action, resource) when { principal.missing == 1 };
            permit(principal, action, resource) when { 9223372036854775807 + 1 > 0 };
            permit(principal, action, resource) when { true };
            """);
        var response = Authorizer.IsAuthorized(new Request(Alice, View, Photo), set, Store());
        Assert.Equal(Decision.Allow, response.Decision);
        Assert.Equal(["policy2"], response.Reasons);
        Assert.Equal(["policy0", "policy1"], response.Errors.Select(e => e.PolicyId).Order());
    }
}
