namespace Mandate.Cedar.Tests;

/// <summary>The Cedar text of an entity reference: plain ids as they are, anything else escaped as a Cedar string.</summary>
public sealed class EntityUidTests
{
    [Theory]
    [InlineData("Workload", "spiffe://demo.mandate.local/svc/billing", "Workload::\"spiffe://demo.mandate.local/svc/billing\"")]
    [InlineData("NS::Invoice", "INV-2026-001 ~*!", "NS::Invoice::\"INV-2026-001 ~*!\"")]
    [InlineData("User", "", "User::\"\"")]
    [InlineData("User", "a\"b", "User::\"a\\\"b\"")]
    [InlineData("User", "a\\b", "User::\"a\\\\b\"")]
    [InlineData("User", "line\nbreak\t", "User::\"line\\nbreak\\t\"")]
    [InlineData("User", "nul\0", "User::\"nul\\0\"")]
    [InlineData("User", "del\u007f", "User::\"del\\u{7f}\"")]
    [InlineData("User", "zoë", "User::\"zoë\"")]
    [InlineData("User", "bidi\u202e", "User::\"bidi\\u{202e}\"")]
    public void ToString_ShouldWriteCedarSyntax(string type, string id, string expected)
    {
        Assert.Equal(expected, new EntityUid(type, id).ToString());
    }
}
