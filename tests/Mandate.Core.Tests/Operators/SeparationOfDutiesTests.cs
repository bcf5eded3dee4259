using Mandate.Core.Audit;
using Mandate.Core.Operators;

namespace Mandate.Core.Tests.Operators;

public sealed class SeparationOfDutiesTests
{
    [Theory]
    [InlineData("operator:alice", "operator:bob", true)]
    [InlineData("operator:alice", "admin", true)]
    [InlineData("operator:alice", "operator:alice", false)]
    [InlineData("operator:alice", " Operator:Alice ", false)]
    [InlineData("admin", "admin", false)]
    [InlineData(null, "operator:bob", false)]
    [InlineData("operator:alice", "", false)]
    [InlineData("operator:alice", null, false)]
    public void Approver_ShouldBeSomeoneElseThanTheRequester(string? requester, string? approver, bool allowed)
    {
        Assert.Equal(allowed, SeparationOfDuties.IsSatisfied(requester, approver));
        var error = SeparationOfDuties.CheckApprover(requester, approver);
        if (allowed)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Equal(OperatorErrorCodes.SeparationOfDuties, error?.Code);
        }
    }
}

public sealed class OperatorRolesTests
{
    [Theory]
    [InlineData("admin", "admin", true)]
    [InlineData("admin", "security", true)]
    [InlineData("admin", "approver", true)]
    [InlineData("security", "auditor", true)]
    [InlineData("security", "admin", false)]
    [InlineData("security", "approver", false)]
    [InlineData("approver", "approver", true)]
    [InlineData("approver", "reviewer", false)]
    [InlineData("reviewer", "reviewer", true)]
    [InlineData("reviewer", "security", false)]
    [InlineData("auditor", "auditor", true)]
    [InlineData("auditor", "reviewer", false)]
    public void Satisfies_ShouldGiveAdminEverything_EveryoneReading_AndOtherwiseTheRoleItself(string held, string required, bool expected)
    {
        Assert.True(OperatorRoles.TryParse(held, out var h));
        Assert.True(OperatorRoles.TryParse(required, out var r));
        Assert.Equal(expected, OperatorRoles.Satisfies([h], r));
    }

    [Fact]
    public void StoredRoles_ShouldBeCanonical_AndIgnoreUnknownNames()
    {
        Assert.Equal("auditor,security,admin", OperatorRoles.Format([OperatorRole.Admin, OperatorRole.Security, OperatorRole.Admin, OperatorRole.Auditor]));
        Assert.Equal([OperatorRole.Security, OperatorRole.Admin], OperatorRoles.ParseStored("admin, superuser ,security"));
        Assert.False(OperatorRoles.TryParse("Admin", out _));
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("bob.smith-2_x", true)]
    [InlineData("Alice", false)]
    [InlineData("1alice", false)]
    [InlineData("alice\n", false)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    public void OperatorNames_ShouldBeLowerCaseWords(string name, bool valid) =>
        Assert.Equal(valid, OperatorDirectory.NameProblem(name) is null);

    [Fact]
    public void OperatorTokens_ShouldBeRedactedByTheAuditSecretGuard()
    {
        var token = OperatorDirectory.NewSecret(OperatorDirectory.TokenPrefix);
        var sanitized = AuditSecretGuard.Sanitize(new AuditEvent { Type = "t", Reason = "leaked " + token }, out var fields);
        Assert.DoesNotContain(token, sanitized.Reason, StringComparison.Ordinal);
        Assert.Contains("reason", fields);
    }
}
