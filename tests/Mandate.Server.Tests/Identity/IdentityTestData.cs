using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

internal static class IdentityTestData
{
    public const string TrustDomain = "demo.mandate.local";

    public static async Task<WorkloadIdentity> RegisterAsync(MandateTestServer server, string spiffeId, string kind = "workload")
    {
        var inventory = server.Services.GetRequiredService<IdentityInventory>();
        var result = await inventory.RegisterAsync(
            new IdentityRegistration { SpiffeId = spiffeId, Kind = kind, Owner = "team:test", Purpose = "tests", Ttl = TimeSpan.FromDays(1) },
            "test",
            null,
            TestContext.Current.CancellationToken);
        Assert.Null(result.Error);
        return result.Identity!;
    }

    /// <summary>A JWT-SVID for Mandate itself (audience = issuer), as attestation would hand out.</summary>
    public static string MandateSvid(MandateTestServer server, string spiffeId, TimeSpan? ttl = null)
    {
        var issuer = server.Services.GetRequiredService<JwtSvidIssuer>();
        var ring = server.Services.GetRequiredService<Mandate.Core.Identity.Keys.IKeyRing>();
        return issuer.Issue(SpiffeId.Parse(spiffeId), [ring.Issuer], ttl ?? TimeSpan.FromMinutes(5)).Token;
    }

    public static HttpClient WorkloadClient(MandateTestServer server, string token)
    {
        var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
