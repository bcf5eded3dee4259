using Mandate.Core.Identity;

namespace Mandate.Core.Tests.Identity;

/// <summary>Trusted-issuer settings that would misbehave at run time are refused at start, naming the setting.</summary>
public sealed class OidcIssuerSettingsTests
{
    private static OidcIssuerOptions Issuer(string issuer = "https://token.actions.githubusercontent.com")
    {
        var options = new OidcIssuerOptions { Issuer = issuer, JwksUri = issuer + "/.well-known/jwks", Audience = "mandate" };
        options.Algorithms.Add("RS256");
        options.Rules.Add(new ClaimMappingRule { SpiffeId = "spiffe://mandate.local/ci/{repository}" });
        return options;
    }

    private static IReadOnlyList<string> Failures(params OidcIssuerOptions[] issuers)
    {
        var options = new IdentityOptions();
        foreach (var issuer in issuers)
        {
            options.OidcIssuers.Add(issuer);
        }

        var result = new IdentityOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures!] : [];
    }

    [Fact]
    public void AWellFormedIssuer_ShouldPass() => Assert.Empty(Failures(Issuer()));

    [Fact]
    public void TheSameIssuerTwice_ShouldBeRefused()
    {
        // Tokens are matched to an entry by iss: two entries for one issuer cannot both apply.
        var failure = Assert.Single(Failures(Issuer(), Issuer("https://other.example"), Issuer()));
        Assert.StartsWith("Mandate:Identity:OidcIssuers:2:Issuer:", failure, StringComparison.Ordinal);
        Assert.Contains("configured twice", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonPositiveFetchTimeout_ShouldBeRefused()
    {
        var issuer = Issuer();
        issuer.JwksFetchTimeout = TimeSpan.Zero;
        Assert.Contains(Failures(issuer), f => f.Contains("JwksFetchTimeout", StringComparison.Ordinal));
    }
}
