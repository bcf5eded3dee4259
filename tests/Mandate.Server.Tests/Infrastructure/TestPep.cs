using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;

namespace Mandate.Server.Tests.Infrastructure;

/// <summary>
/// An operator-issued PEP credential for tests that call the decision point as an enforcement point would
/// (<c>Mandate:Decisions:PepCredentials</c>; only the token's SHA-256 is configured).
/// </summary>
internal static class TestPep
{
    public const string Name = "test-pep";
    public const string Token = "mpt_test-pep-credential-0123456789abcdef0123456789";

    /// <summary>Registers the credential with the server being built.</summary>
    public static void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration["Mandate:Decisions:PepCredentials:0:Name"] = Name;
        builder.Configuration["Mandate:Decisions:PepCredentials:0:TokenSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token)));
    }

    /// <summary>A client of <paramref name="server"/> that presents the PEP credential.</summary>
    public static HttpClient CreateClient(MandateTestServer server)
    {
        var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        return client;
    }
}
