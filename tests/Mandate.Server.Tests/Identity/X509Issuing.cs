using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mandate.Core.Identity.Inventory;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>Getting X.509-SVIDs over HTTP and checking them the way a relying party with only the SPIFFE bundle would.</summary>
internal static class X509Issuing
{
    /// <summary>Registers a workload that outlives the test's moved clock (the default test registration lasts a day).</summary>
    public static async Task RegisterAsync(MandateTestServer server, string spiffeId, TimeSpan lifetime)
    {
        var result = await server.Services.GetRequiredService<IdentityInventory>().RegisterAsync(
            new IdentityRegistration { SpiffeId = spiffeId, Kind = "workload", Owner = "team:test", Purpose = "tests", Ttl = lifetime },
            "test",
            null,
            TestContext.Current.CancellationToken);
        Assert.Null(result.Error);
    }

    /// <summary>Asks for an X.509-SVID with a fresh CSR, authenticated by a JWT-SVID minted at the server's current time.</summary>
    public static async Task<X509Certificate2> IssueAsync(MandateTestServer server, string spiffeId, long? ttlSeconds = null)
    {
        using var client = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, spiffeId));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=w", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var response = await client.PostAsJsonAsync("/v1/svid/x509", new { csr, ttl_seconds = ttlSeconds }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"X.509-SVID request answered {(int)response.StatusCode}: {body}");
        return X509Certificate2.CreateFromPem(JsonDocument.Parse(body).RootElement.GetProperty("certificate").GetString()!);
    }

    /// <summary>The x509-svid authorities of the published SPIFFE bundle.</summary>
    public static async Task<List<X509Certificate2>> PublishedAuthoritiesAsync(MandateTestServer server)
    {
        var bundle = await server.Client.GetFromJsonAsync<JsonElement>("/.well-known/spiffe-bundle", TestContext.Current.CancellationToken);
        return bundle.GetProperty("keys").EnumerateArray()
            .Where(k => k.GetProperty("use").GetString() == "x509-svid")
            .Select(k => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(k.GetProperty("x5c")[0].GetString()!)))
            .ToList();
    }

    /// <summary>Builds the leaf's chain with exactly the given roots trusted, at the given time; null when it chains, else why not.</summary>
    public static string? ChainProblem(X509Certificate2 leaf, IEnumerable<X509Certificate2> roots, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(leaf) ? null : string.Join("; ", chain.ChainStatus.Select(s => s.Status + ": " + s.StatusInformation.Trim()));
    }

    /// <summary>The authority that signed a leaf, among candidates (matched by key identifier and signature).</summary>
    public static X509Certificate2 IssuerOf(X509Certificate2 leaf, IEnumerable<X509Certificate2> candidates)
    {
        var aki = leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray();
        return candidates.Single(ca => ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.Span.SequenceEqual(aki));
    }

    public static DateTimeOffset NotBefore(X509Certificate2 certificate) => new(certificate.NotBefore.ToUniversalTime());

    public static DateTimeOffset NotAfter(X509Certificate2 certificate) => new(certificate.NotAfter.ToUniversalTime());
}
