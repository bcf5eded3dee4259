using Mandate.Cedar;
using Mandate.Core.Exceptions;

namespace Mandate.Core.Tests.Exceptions;

/// <summary>A grant's Cedar policy is printed from parsed values: exactly one permit for exactly the three entities.</summary>
public sealed class GrantPolicyTests
{
    private static readonly DateTimeOffset Expiry = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_123);

    [Theory]
    [InlineData("Ticket::\"T-1\"); permit (principal, action, resource")]
    [InlineData("Ticket::\"T-1\" when { true }")]
    [InlineData("Ticket")]
    [InlineData("resource")]
    [InlineData("Ticket::\"T-1\" || true")]
    [InlineData("")]
    public void ParseEntity_ShouldRefuse_AnythingButOneEntityLiteral(string text)
    {
        Assert.Null(GrantPolicy.ParseEntity(text, "resource", out var error));
        Assert.StartsWith("resource:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ShouldEscapeIds_AndMakeExactlyTheIntendedPermit()
    {
        var resource = GrantPolicy.ParseEntity("Ticket::\"T-\\\"1\\\"); permit (principal, action, resource\"", "resource", out _)!.Value;
        var action = GrantPolicy.ParseAction("read\")", name => new EntityUid("Action", name), out _)!.Value;
        var principal = new EntityUid("Workload", "spiffe://t/a\"b");
        var text = GrantPolicy.Build("exc_1", Expiry, principal, action, resource, out var error);
        Assert.Null(error);
        var set = GrantPolicy.Parse("exc_1", text!)!;
        var policy = Assert.Single(set.Policies);
        Assert.Equal(("exc_1", "2026-05-28T20:26:40.123Z"), (policy.Annotations["exception"], policy.Annotations["expires"]));
        Assert.Equal(Decision.Allow, Authorizer.IsAuthorized(new Request(principal, action, resource), set, Entities.Empty).Decision);
        Assert.Equal(Decision.Deny, Authorizer.IsAuthorized(new Request(principal, action, new EntityUid("Ticket", "T-1")), set, Entities.Empty).Decision);
        Assert.Equal(Decision.Deny, Authorizer.IsAuthorized(new Request(principal, new EntityUid("Action", "read"), resource), set, Entities.Empty).Decision);
    }

    [Fact]
    public void ParseAction_ShouldRefuse_AnEntityThatIsNotAnAction()
    {
        Assert.Null(GrantPolicy.ParseAction("Ticket::\"T-1\"", name => new EntityUid("Action", name), out var error));
        Assert.Contains("action entity", error, StringComparison.Ordinal);
    }
}
