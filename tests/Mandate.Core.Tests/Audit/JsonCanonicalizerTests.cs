using System.Buffers.Binary;
using System.Text;
using Mandate.Core.Audit.Canonical;

namespace Mandate.Core.Tests.Audit;

public sealed class JsonCanonicalizerTests
{
    [Fact]
    public void Rfc8785_Section3_2_2_Example_ShouldCanonicalizeExactly()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

        Assert.Equal(expected, Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(input)));
    }

    [Fact]
    public void Rfc8785_Section3_2_4_Output_ShouldBeUtf8WithoutBom()
    {
        var bytes = JsonCanonicalizer.Canonicalize("{\"string\":\"\\u20ac$\"}");

        Assert.Equal("7b22737472696e67223a22e282ac24227d", Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Rfc8785_Section3_2_3_SortingExample_ShouldOrderByUtf16CodeUnits()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;
        var expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";

        Assert.Equal(expected, Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(input)));
    }

    // RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialization.
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Rfc8785_AppendixB_Numbers_ShouldSerializeLikeEcmaScript(string bits, string expected)
    {
        Assert.Equal(expected, JsonCanonicalizer.FormatNumber(FromBits(bits)));
    }

    [Theory]
    [InlineData("7fffffffffffffff")]
    [InlineData("7ff0000000000000")]
    [InlineData("fff0000000000000")]
    public void Rfc8785_AppendixB_NaNAndInfinity_ShouldBeRejected(string bits)
    {
        Assert.Throws<JsonCanonicalizationException>(() => JsonCanonicalizer.FormatNumber(FromBits(bits)));
    }

    [Fact]
    public void Numbers_ShouldMatchEcmaScript_OnTwoThousandGeneratedValues()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "conformance", "jcs-numbers", "numbers.txt");
        var lines = File.ReadAllLines(path);
        Assert.True(lines.Length >= 2000, $"the corpus at {path} is incomplete");
        var mismatches = new List<string>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            var actual = JsonCanonicalizer.FormatNumber(FromBits(parts[0]));
            if (actual != parts[1])
            {
                mismatches.Add($"{parts[0]}: expected {parts[1]}, got {actual}");
            }
        }

        Assert.Empty(mismatches);
    }

    [Theory]
    [InlineData("{\"b\":1,\"a\":{\"d\":[1,2,{\"z\":true,\"y\":null}],\"c\":\"x\"}}", "{\"a\":{\"c\":\"x\",\"d\":[1,2,{\"y\":null,\"z\":true}]},\"b\":1}")]
    [InlineData("[ 1.0 , -0 , 1e2, 0.1e1 ]", "[1,0,100,1]")]
    [InlineData("\"\\u0000\\u001f\\u007f\\t\\b\\f\"", "\"\\u0000\\u001f\u007f\\t\\b\\f\"")]
    [InlineData("\"<>&'\\u2028\"", "\"<>&'\u2028\"")]
    public void Canonicalize_ShouldSortRecursively_AndEscapeMinimally(string input, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(input)));
    }

    [Theory]
    [InlineData("{\"a\":1,\"a\":2}", "twice")]
    [InlineData("\"\\ud800\"", "surrogate")]
    [InlineData("1e400", "range")]
    [InlineData("{\"a\":", "Not valid JSON")]
    public void Canonicalize_ShouldRejectWhatIJsonForbids(string input, string reason)
    {
        var error = Assert.Throws<JsonCanonicalizationException>(() => JsonCanonicalizer.Canonicalize(input));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private static double FromBits(string hex) =>
        BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(hex)));
}
