using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Policies;

namespace Mandate.Core.Tests.Policies;

/// <summary>
/// A bundle's version is hashed a slice at a time; it must stay the hash of the whole texts in UTF-8 (versions already
/// stored and compared across nodes depend on it), also where a character outside the BMP straddles a slice.
/// </summary>
public sealed class PolicyVersionHashTests
{
    [Fact]
    public void VersionOf_ShouldBeTheHashOfTheWholeTexts_AcrossSliceBoundaries()
    {
        var text = new string('a', (16 * 1024) - 1) + "\U0001F600" + new string('é', 40_000) + "permit (principal, action, resource);";
        var bundle = new PolicyBundle(
            [new PolicyFile("z.cedar", text), new PolicyFile("a.cedar", "forbid (principal, action, resource);")],
            "[]",
            null);

        Assert.Equal(WholeTextVersion(bundle), PolicyCompiler.VersionOf(bundle));
        Assert.NotEqual(
            PolicyCompiler.VersionOf(bundle),
            PolicyCompiler.VersionOf(bundle with { Policies = [new PolicyFile("z.cedar", text + " "), bundle.Policies[1]] }));
    }

    private static string WholeTextVersion(PolicyBundle bundle)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string label, string? value)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(label));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(value ?? string.Empty));
            hash.AppendData([0]);
        }

        foreach (var file in bundle.Policies.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            Add("policy:" + file.Name, file.Text);
        }

        Add("entities", bundle.EntitiesJson);
        Add("schema", bundle.Schema);
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
