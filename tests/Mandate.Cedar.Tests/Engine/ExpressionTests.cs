using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Syntax;

namespace Mandate.Cedar.Tests.Engine;

/// <summary>Evaluation semantics of Cedar expressions, compared with the value of another expression or an error.</summary>
public sealed class ExpressionTests
{
    private static readonly Entities Store = Entities.Create(
    [
        new Entity(new EntityUid("User", "alice"), new Dictionary<string, CedarValue> { ["age"] = CedarValue.Long(30) }, [new EntityUid("Group", "admins")],
            new Dictionary<string, CedarValue> { ["team"] = CedarValue.String("blue") }),
        new Entity(new EntityUid("Group", "admins"), null, [new EntityUid("Group", "staff")]),
        new Entity(new EntityUid("Group", "staff")),
    ]);

    private static CedarValue? Evaluate(string expression, out string? error)
    {
        var context = new EvaluationContext(new Request(new EntityUid("User", "alice"), new EntityUid("Action", "view"), new EntityUid("Doc", "d"),
            new Dictionary<string, CedarValue> { ["n"] = CedarValue.Long(5), ["s"] = CedarValue.String("text") }), Store);
        var value = Parser.ParseExpression(expression).Evaluate(context);
        error = context.Error;
        return value;
    }

    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("-9223372036854775808", "-9223372036854775807 - 1")]
    [InlineData("--5", "5")]
    [InlineData("\"a\\u{1F600}b\\0\"", "\"a😀b\\u{0}\"")]
    [InlineData("\"abc\" like \"a*c\"", "true")]
    [InlineData("\"a*c\" like \"a\\*c\"", "true")]
    [InlineData("\"abc\" like \"a\\*c\"", "false")]
    [InlineData("\"\" like \"*\"", "true")]
    [InlineData("\"abc\" like \"a\\u{2a}\"", "true")]
    [InlineData("\"aXbXc\" like \"*b*c\"", "true")]
    [InlineData("[1, 2] == [2, 1, 1]", "true")]
    [InlineData("[1, [2]].contains([2])", "true")]
    [InlineData("{a: 1, b: 2} == {b: 2, a: 1}", "true")]
    [InlineData("{a: {b: 1}} has a.b", "true")]
    [InlineData("{a: 1} has b", "false")]
    [InlineData("{\"x y\": 1}[\"x y\"]", "1")]
    [InlineData("true || 1", "true")]
    [InlineData("false && 1", "false")]
    [InlineData("1 == \"1\"", "false")]
    [InlineData("if context.n > 3 then \"big\" else \"small\"", "\"big\"")]
    [InlineData("principal in Group::\"staff\"", "true")]
    [InlineData("principal in [Group::\"other\", Group::\"admins\"]", "true")]
    [InlineData("Group::\"staff\" in principal", "false")]
    [InlineData("principal in [G::\"1\", G::\"2\", G::\"3\", G::\"4\", G::\"5\", Group::\"staff\"]", "true")]
    [InlineData("principal in [G::\"1\", G::\"2\", G::\"3\", G::\"4\", G::\"5\", User::\"alice\"]", "true")]
    [InlineData("principal in [G::\"1\", G::\"2\", G::\"3\", G::\"4\", G::\"5\", G::\"6\"]", "false")]
    [InlineData("principal is User in [G::\"1\", G::\"2\", G::\"3\", G::\"4\", G::\"5\", Group::\"admins\"]", "true")]
    [InlineData("User::\"nobody\" in User::\"nobody\"", "true")]
    [InlineData("principal is User in Group::\"admins\"", "true")]
    [InlineData("principal has age && principal.age >= 18", "true")]
    [InlineData("User::\"nobody\" has age", "false")]
    [InlineData("principal.getTag(\"team\")", "\"blue\"")]
    [InlineData("principal.hasTag(\"age\")", "false")]
    [InlineData("User::\"nobody\".hasTag(\"x\")", "false")]
    [InlineData("[1, 2].containsAll([1])", "true")]
    [InlineData("[1].containsAny([])", "false")]
    [InlineData("[].isEmpty()", "true")]
    [InlineData("ip(\"192.168.0.1\").isInRange(ip(\"192.168.0.0/24\"))", "true")]
    [InlineData("ip(\"192.168.1.1\").isInRange(ip(\"192.168.0.0/24\"))", "false")]
    [InlineData("ip(\"10.0.0.0/8\").isInRange(ip(\"10.0.0.0/16\"))", "false")]
    [InlineData("ip(\"::1\").isInRange(ip(\"127.0.0.1/8\"))", "false")]
    [InlineData("ip(\"127.0.0.1\").isLoopback() && ip(\"::1\").isLoopback()", "true")]
    [InlineData("ip(\"127.0.0.0/7\").isLoopback()", "false")]
    [InlineData("ip(\"224.0.0.1\").isMulticast() && ip(\"ff02::1\").isMulticast()", "true")]
    [InlineData("ip(\"1.2.3.4\") == ip(\"1.2.3.4/32\")", "true")]
    [InlineData("ip(\"10.0.0.1/24\") == ip(\"10.0.0.0/24\")", "false")]
    [InlineData("ip(\"1:2:3:4:5:6:7::\").isIpv6()", "true")]
    [InlineData("ip(\"::\") == ip(\"0:0:0:0:0:0:0:0\")", "true")]
    [InlineData("decimal(\"1.23\").lessThan(decimal(\"1.230\"))", "false")]
    [InlineData("decimal(\"-0.0001\").lessThan(decimal(\"0.0\"))", "true")]
    [InlineData("decimal(\"922337203685477.5807\").greaterThanOrEqual(decimal(\"-922337203685477.5808\"))", "true")]
    [InlineData("datetime(\"2024-01-01T00:00:00+0100\") == datetime(\"2023-12-31T23:00:00Z\")", "true")]
    [InlineData("datetime(\"2024-01-01T00:00:00.123Z\").toTime() == duration(\"123ms\")", "true")]
    [InlineData("datetime(\"1969-12-31T23:00:00Z\").toDate() == datetime(\"1969-12-31\")", "true")]
    [InlineData("datetime(\"1969-12-31T23:00:00Z\").toTime() == duration(\"23h\")", "true")]
    [InlineData("datetime(\"2024-01-01\").offset(duration(\"1d\")) == datetime(\"2024-01-02\")", "true")]
    [InlineData("datetime(\"2024-01-02\").durationSince(datetime(\"2024-01-01\")) == duration(\"24h\")", "true")]
    [InlineData("datetime(\"2024-01-01\") < datetime(\"2024-01-02\") && duration(\"1h\") > duration(\"59m\")", "true")]
    [InlineData("duration(\"1d2h3m4s5ms\").toMilliseconds()", "93784005")]
    [InlineData("duration(\"-1h\").toMinutes()", "-60")]
    [InlineData("duration(\"-90s\").toMinutes()", "-1")]
    [InlineData("duration(\"-9223372036854775808ms\").toMilliseconds()", "-9223372036854775808")]
    [InlineData("datetime(\"0000-01-01\") < datetime(\"9999-12-31T23:59:59.999-2359\")", "true")]
    public void Evaluate_ShouldEqual(string expression, string expected)
    {
        var actual = Evaluate(expression, out var error);
        Assert.True(actual is not null, $"{expression} failed: {error}");
        var wanted = Evaluate(expected, out _);
        Assert.Equal(wanted, actual);
    }

    [Theory]
    [InlineData("9223372036854775807 + 1", "overflow")]
    [InlineData("-9223372036854775807 - 2", "overflow")]
    [InlineData("4611686018427387904 * 2", "overflow")]
    [InlineData("-(-9223372036854775808)", "overflow")]
    [InlineData("- -9223372036854775808", "overflow")]
    [InlineData("{a: 1}.b", "attribute `b`")]
    [InlineData("{a: 1} has a.b", "type error")]
    [InlineData("principal.missing", "attribute `missing`")]
    [InlineData("User::\"nobody\".age", "does not exist")]
    [InlineData("principal.getTag(\"nope\")", "tag")]
    [InlineData("User::\"nobody\".getTag(\"x\")", "does not exist")]
    [InlineData("if 1 then 2 else 3", "type error")]
    [InlineData("false || 1", "type error")]
    [InlineData("!1", "type error")]
    [InlineData("1 < \"2\"", "type error")]
    [InlineData("decimal(\"1.0\") < decimal(\"2.0\")", "type error")]
    [InlineData("datetime(\"2024-01-01\") < duration(\"1h\")", "type error")]
    [InlineData("1 in [User::\"a\"]", "type error")]
    [InlineData("principal in [1]", "type error")]
    [InlineData("principal in [Group::\"staff\", G::\"2\", G::\"3\", G::\"4\", G::\"5\", 1]", "type error")]
    [InlineData("principal in 1", "type error")]
    [InlineData("\"a\".contains(1)", "type error")]
    [InlineData("1 like \"*\"", "type error")]
    [InlineData("ip(\"01.2.3.4\")", "ip")]
    [InlineData("ip(\"::ffff:1.2.3.4\")", "embedded")]
    [InlineData("ip(\"1.2.3.4/33\")", "prefix")]
    [InlineData("ip(\"1.2.3.4/08\")", "prefix")]
    [InlineData("ip(\"1::2::3\")", "ip")]
    [InlineData("ip(\"fe80::1%eth0\")", "ip")]
    [InlineData("ip(\"1.2.3.4\").isInRange(ip(\"1.2.3.4\"), ip(\"1.2.3.4\"))", "wrong number of arguments")]
    [InlineData("ip(1)", "type error")]
    [InlineData("ip(\"1.2.3.4\").isInRange(\"1.2.3.4\")", "forgot")]
    [InlineData("decimal(\"1.23456\")", "digits")]
    [InlineData("decimal(\"922337203685477.5808\")", "overflow")]
    [InlineData("decimal(\"1.\")", "well-formed")]
    [InlineData("decimal(\".5\")", "well-formed")]
    [InlineData("datetime(\"2023-02-29\")", "invalid date")]
    [InlineData("datetime(\"2024-01-01T24:00:00Z\")", "hour")]
    [InlineData("datetime(\"2024-01-01T00:00:00+2400\")", "offset")]
    [InlineData("datetime(\"2024-01-01T00:00:00\")", "offset")]
    [InlineData("datetime(\"2024-1-01\")", "date")]
    [InlineData("duration(\"1h1d\")", "duration")]
    [InlineData("duration(\"\")", "duration")]
    [InlineData("duration(\"1\")", "duration")]
    [InlineData("duration(\"9223372036854775807d\")", "overflow")]
    [InlineData("datetime(\"9999-12-31\").offset(duration(\"9223372036854775807ms\"))", "overflow")]
    public void Evaluate_ShouldFail(string expression, string messageFragment)
    {
        var actual = Evaluate(expression, out var error);
        Assert.Null(actual);
        Assert.NotNull(error);
        Assert.Contains(messageFragment, error, StringComparison.OrdinalIgnoreCase);
    }
}
