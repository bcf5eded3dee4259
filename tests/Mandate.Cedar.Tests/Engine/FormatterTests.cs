namespace Mandate.Cedar.Tests.Engine;

public sealed class FormatterTests
{
    [Fact]
    public void Format_ShouldLayOutPoliciesIdiomatically()
    {
        var text = "@id(\"a\")@oi permit(principal==User::\"alice\",action in[Action::\"a\",Action::\"b\"],resource is Doc in Folder::\"f\")when{context.n>1&&!(context.s like \"a*\\*\")}unless{ principal has \"x y\" };forbid(principal,action,resource);";
        Assert.Equal("""
            @id("a")
            @oi
            permit (
              principal == User::"alice",
              action in [Action::"a", Action::"b"],
              resource is Doc in Folder::"f"
            )
            when { context.n > 1 && !(context.s like "a*\*") }
            unless { principal has "x y" };

            forbid (principal, action, resource);

            """.Replace("\r\n", "\n", StringComparison.Ordinal), Formatter.Format(text));
    }

    [Fact]
    public void Format_ShouldBreakLongConditionsAtTopLevelOperators()
    {
        var text = "permit(principal, action, resource) when { principal.department == \"HardwareEngineering\" && principal.jobLevel >= 5 && resource.owner != principal };";
        Assert.Equal("""
            permit (principal, action, resource)
            when
            {
              principal.department == "HardwareEngineering" &&
              principal.jobLevel >= 5 &&
              resource.owner != principal
            };

            """.Replace("\r\n", "\n", StringComparison.Ordinal), Formatter.Format(text));
    }

    [Fact]
    public void Format_ShouldKeepEveryComment()
    {
        var text = "// header\npermit(principal, action, resource) // same line as scope\nwhen { true }; // trailing\n\n// footer\n";
        var formatted = Formatter.Format(text);
        foreach (var comment in new[] { "// header", "// same line as scope", "// trailing", "// footer" })
        {
            Assert.Contains(comment, formatted, StringComparison.Ordinal);
        }

        Assert.Equal(formatted, Formatter.Format(formatted));
    }

    [Fact]
    public void Format_ShouldKeepOneBlankLineBetweenCommentBlocks()
    {
        var text = "// file header\n// second header line\n\n\n// the policy's own comment\n@id(\"p\")\npermit(principal, action, resource);\n";
        var formatted = Formatter.Format(text);
        Assert.Equal(
            "// file header\n// second header line\n\n// the policy's own comment\n@id(\"p\")\npermit (principal, action, resource);\n",
            formatted);
        Assert.Equal(formatted, Formatter.Format(formatted));
    }

    [Theory]
    [InlineData("permit(principal, action, resource) when { (1 + 2) * 3 == 9 && -(5) == -5 && 1 - (2 - 3) == 2 };")]
    [InlineData("permit(principal, action, resource) when { (if true then 1 else 2) + 1 == 2 || !(!true) };")]
    [InlineData("permit(principal, action, resource) when { (context has a) == true && (principal in Group::\"g\") == false };")]
    [InlineData("permit(principal, action, resource) when { (-1).contains(1) || (true || false) || (true && (false || true)) };")]
    [InlineData("permit(principal, action, resource) when { {\"a b\": 1, principal: 2, if_: 3}[\"a b\"] == 1 && context[\"x-y\"].z == 2 };")]
    public void Format_ShouldKeepMeaningExactly(string text)
    {
        var set = PolicySet.Parse(text);
        var reparsed = PolicySet.Parse(Formatter.Format(text));
        Assert.Equal(set.Policies[0].Ast.Dump(), reparsed.Policies[0].Ast.Dump());
    }

    [Fact]
    public void Format_ShouldThrowWithPositions_OnInvalidText()
    {
        var ex = Assert.Throws<CedarParseException>(() => Formatter.Format("permit(principal, action, resource) when { 1 + };", "x.cedar"));
        Assert.Equal("x.cedar:1:48: expected an expression, found `}`", ex.Diagnostics[0].ToString());
    }
}
