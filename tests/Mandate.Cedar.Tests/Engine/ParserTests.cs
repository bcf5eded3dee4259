namespace Mandate.Cedar.Tests.Engine;

public sealed class ParserTests
{
    [Theory]
    [InlineData("permit(principal, action, resource) when { 1 < 2 < 3 };", "chained")]
    [InlineData("permit(principal, action, resource) when { a };", "unknown name `a`")]
    [InlineData("permit(principal, action, resource) when { principal.if };", "reserved")]
    [InlineData("permit(principal, action, resource) when { ?principal };", "slot")]
    [InlineData("permit(principal, action, resource) when { ?other };", "not a valid slot")]
    [InlineData("permit(principal, action == User::\"x\", resource);", "action entity")]
    [InlineData("permit(principal is User == User::\"a\", action, resource);", "not allowed")]
    [InlineData("permit(principal in User::\"a\" is User, action, resource);", "principal is Type in")]
    [InlineData("permit(principal, action is Action, resource);", "`is` cannot be used in the action scope")]
    [InlineData("permit(principal == ?resource, action, resource);", "use `?principal`")]
    [InlineData("permit(principal, action in [?principal], resource);", "slots cannot be used")]
    [InlineData("permit(principal, action, resource) when { 1 / 2 };", "division")]
    [InlineData("permit(principal, action, resource) when { 1 % 2 };", "remainder")]
    [InlineData("permit(principal, action, resource) when { !!!!!true };", "at most four")]
    [InlineData("permit(principal, action, resource) when { !-1 };", "parentheses")]
    [InlineData("permit(principal, action, resource) when { foo(1) };", "not a known function")]
    [InlineData("permit(principal, action, resource) when { a::b(1) };", "not a known function")]
    [InlineData("permit(principal, action, resource) when { [].foo() };", "not a known method")]
    [InlineData("permit(principal, action, resource) when { ip(\"1.1.1.1\").ip() };", "is a function, not a method")]
    [InlineData("permit(principal, action, resource) when { isIpv4(ip(\"1.1.1.1\")) };", "is a method, not a function")]
    [InlineData("permit(principal, action, resource) when { contains([], 1) };", "is a method, not a function")]
    [InlineData("permit(principal, action, resource) when { [].contains(1, 2) };", "takes 1 argument")]
    [InlineData("permit(principal, action, resource) when { principal(1) };", "cannot be called")]
    [InlineData("permit(principal, action, resource) when { (1)(2) };", "cannot be called")]
    [InlineData("permit(principal, action, resource) when { User.name };", "not a variable")]
    [InlineData("@a(\"1\") @a(\"2\") permit(principal, action, resource);", "duplicate annotation")]
    [InlineData("permit(principal, action, resource) when { \"\\q\" };", "not a valid escape")]
    [InlineData("permit(principal, action, resource) when { \"\\u{D800}\" };", "not a Unicode scalar value")]
    [InlineData("permit(principal, action, resource) when { \"unterminated };", "unterminated string")]
    [InlineData("permit(principal, action, resource)", "`;`")]
    [InlineData("permit(principal, action);", "missing `resource`")]
    [InlineData("permit(principal, action, resource, context);", "exactly principal, action and resource")]
    [InlineData("allow(principal, action, resource);", "`permit` or `forbid`")]
    [InlineData("permit(principal, action, resource) if { true };", "`when`, `unless`")]
    [InlineData("permit(principal, action, resource) when { {a: 1, a: 2} };", "duplicate key")]
    [InlineData("permit(principal, action, resource) when {};", "empty")]
    [InlineData("permit(principal, action, resource) when { 9223372036854775808 };", "out of range")]
    [InlineData("permit(principal, action, resource) when { 99999999999999999999 };", "64 bits")]
    [InlineData("permit(principal, action, resource) when { context has 1 };", "attribute name")]
    [InlineData("permit(principal, action, resource) when { context like 1 };", "string literal pattern")]
    [InlineData("permit(principal, action, resource) when { context[1] };", "string literal")]
    [InlineData("permit(principal, action, resource) when { principal is __cedar::X };", "reserved")]
    [InlineData("permit(principal, action, resource) when { if::\"x\" };", "expected an expression")]
    [InlineData("permit(principal, action, resource) when { {if: 1} };", "reserved")]
    [InlineData("permit(principal, action, resource) when { {true: 1} };", "reserved")]
    [InlineData("permit(principal, action, resource) when { context.x = 1 };", "use `==`")]
    [InlineData("permit(principal: User, action, resource);", "not supported")]
    [InlineData("permit(principal, action, resource) when { User::{id: \"x\"} };", "not supported")]
    [InlineData("permit(principal, action, resource) when { 1 } # ;", "unexpected character")]
    public void Parse_ShouldFail_WithAnActionableMessage(string text, string fragment)
    {
        Assert.False(PolicySet.TryParse(text, "test.cedar", out _, out var diagnostics));
        Assert.Contains(fragment, diagnostics[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("test.cedar:", diagnostics[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ShouldReportOnlyTheLexicalError_WhenItComesAfterSyntaxErrors()
    {
        // Tokens are read as the parser goes; a bad character late in the file still rejects the whole text with that
        // one error, as when the file was lexed up front, and the syntax errors before it are not reported.
        var text = "permit(principal action, resource);\nforbid(principal, action, resource);\n"
            + string.Concat(Enumerable.Repeat("permit(principal, action, resource) when { 1 +  };\n", 30))
            + "permit(principal, action, resource) when { context.a == \"x\" } # ;\n";

        Assert.False(PolicySet.TryParse(text, "test.cedar", out var set, out var diagnostics));

        var only = Assert.Single(diagnostics);
        Assert.Contains("unexpected character", only.Message, StringComparison.Ordinal);
        Assert.Equal(33, only.Line);
        Assert.Equal(0, set.Count);
    }

    [Fact]
    public void Parse_ShouldKeepEveryPolicyAndComment_OfALongFile()
    {
        var text = string.Concat(Enumerable.Range(0, 500).Select(i =>
            $"// rule {i}\n@id(\"r{i}\")\npermit(principal == User::\"u{i}\", action, resource) when {{ context.tag == \"t\\\"{i}\" || context.n == {i} }};\n"));

        var set = PolicySet.Parse(text, "long.cedar");

        Assert.Equal(500, set.Count);
        Assert.Equal("r499", set.Policies[499].Annotations["id"]);
        Assert.Contains("\"t\\\"499\"", set.Policies[499].ToString(), StringComparison.Ordinal);
        Assert.Equal(500, Formatter.Format(text).Split("// rule ").Length - 1);
    }

    [Fact]
    public void Parse_ShouldReportLineAndColumn_AndKeepCheckingLaterPolicies()
    {
        var text = "permit(principal, action, resource);\npermit(principal, action, resource)\nwhen { 1 + };\nforbid(principal, action, resource) when { ) };";
        Assert.False(PolicySet.TryParse(text, "p.cedar", out _, out var diagnostics));
        Assert.Equal(2, diagnostics.Count);
        Assert.Equal((3, 12), (diagnostics[0].Line, diagnostics[0].Column));
        Assert.Equal((4, 44), (diagnostics[1].Line, diagnostics[1].Column));
        Assert.Equal("p.cedar:3:12: expected an expression, found `}`", diagnostics[0].ToString());
    }

    [Fact]
    public void Parse_ShouldThrowCedarParseException_WithDiagnostics()
    {
        var ex = Assert.Throws<CedarParseException>(() => PolicySet.Parse("permit(", "x.cedar"));
        Assert.Single(ex.Diagnostics);
        Assert.Equal("x.cedar", ex.Diagnostics[0].Source);
    }

    [Theory]
    [InlineData("permit(principal, action in [], resource);")]
    [InlineData("permit(principal in (User::\"a\"), action in ([(Action::\"a\")]), resource == ((?resource)));")]
    [InlineData("permit(principal, action in [Action::\"a\", NS::Action::\"b\",], resource,);")]
    [InlineData("@id(\"x\") @oi @if(\"reserved words are fine as keys\") forbid(principal in G::\"\", action, resource is a::b::C in R::\"r\");")]
    [InlineData("permit(principal == ?principal, action, resource in ?resource);")]
    [InlineData("permit(principal is User in ?principal, action, resource) unless { context has \"a b\" } when { context[\"a b\"] };")]
    [InlineData("permit(principal, action, resource) when { principal has principal && {when: 1}.permit == 1 };")]
    [InlineData("permit(principal is principal, action, resource) when { context is action && resource is context::X };")]
    [InlineData("permit(principal, action, resource) when { -1.contains(1) || [1,].contains(1) && {a: 1,}.a == 1 };")]
    [InlineData("// leading\npermit(principal, action, resource) // trailing\n; // after")]
    [InlineData("permit(principal, action, resource) when { context.x like \"\\u{0}*\\*\" && ip(\"1.2.3.4\").isIpv4() };")]
    public void Parse_ShouldAccept(string text)
    {
        Assert.True(PolicySet.TryParse(text, "ok.cedar", out _, out var diagnostics), string.Join("\n", diagnostics));
    }

    [Fact]
    public void Policies_ShouldBeNumberedInSourceOrder_RegardlessOfAnnotations()
    {
        var set = PolicySet.Parse("@id(\"first\") permit(principal, action, resource);\n@oi forbid(principal == ?principal, action, resource);\npermit(principal, action, resource);");
        Assert.Equal(["policy0", "policy1", "policy2"], set.Policies.Select(p => p.Id));
        Assert.Equal("first", set.Policies[0].Annotations["id"]);
        Assert.Equal("", set.Policies[1].Annotations["oi"]);
        Assert.True(set.Policies[1].IsTemplate);
        Assert.Equal((2, 1), (set.Policies[1].Line, set.Policies[1].Column));
    }
}
