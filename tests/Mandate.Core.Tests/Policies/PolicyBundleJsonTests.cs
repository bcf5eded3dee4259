using System.Text;
using System.Text.Json;
using Mandate.Core.Policies;

namespace Mandate.Core.Tests.Policies;

/// <summary>
/// The stored form of a bundle reads back exactly: quotes, backslashes, control characters, characters outside the BMP
/// (also where a long value is written in slices), and a large entities file; and it escapes only what JSON needs.
/// </summary>
public sealed class PolicyBundleJsonTests
{
    [Fact]
    public void Serialize_ShouldRoundTripEveryCharacter_AcrossSliceBoundaries()
    {
        // 16 Ki characters is the slice: put a surrogate pair right across its end, and quotes everywhere.
        var text = new StringBuilder();
        text.Append('a', (16 * 1024) - 1).Append("\U0001F600").Append("permit (principal == User::\"a\\\"b\", action, resource);\n\t\u0001<>&'+é");
        var entities = "[" + string.Join(',', Enumerable.Range(0, 20_000).Select(i => $"{{\"uid\":{{\"type\":\"User\",\"id\":\"u{i}\\u00e9\"}},\"attrs\":{{}},\"parents\":[]}}")) + "]";
        var bundle = new PolicyBundle(
            [new PolicyFile("a.cedar", text.ToString()), new PolicyFile("b.cedar", "permit (principal, action, resource);")],
            entities,
            "entity User;");

        var json = PolicyBundleJson.Serialize(bundle);
        var back = PolicyBundleJson.Deserialize(json);

        Assert.Equal(bundle.Policies, back.Policies);
        Assert.Equal(bundle.EntitiesJson, back.EntitiesJson);
        Assert.Equal(bundle.Schema, back.Schema);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Object, document.RootElement.GetProperty("policies").ValueKind);

        // The bytes the stores keep are that very text, and read back the same.
        var utf8 = PolicyBundleJson.SerializeToUtf8(bundle);
        Assert.Equal(Encoding.UTF8.GetBytes(json), utf8);
        Assert.Equal(bundle.Policies, PolicyBundleJson.Deserialize(utf8).Policies);

        // Only what JSON requires is escaped: a quote is \" (not \u0022), so stored text does not triple in size.
        Assert.DoesNotContain("\\u0022", json, StringComparison.Ordinal);
        Assert.True(json.Length < (bundle.EntitiesJson!.Length + text.Length) * 1.3, $"stored form is {json.Length} characters");
    }

    [Fact]
    public void Serialize_ShouldRefuseTwoFilesOfTheSameName()
    {
        var bundle = new PolicyBundle([new PolicyFile("a.cedar", "x"), new PolicyFile("a.cedar", "y")], null, null);
        Assert.Throws<ArgumentException>(() => PolicyBundleJson.Serialize(bundle));
        Assert.Throws<ArgumentException>(() => PolicyBundleJson.SerializeToUtf8(bundle));
    }
}
