using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// Informational findings: what anonymous callers can learn. <c>/readyz</c> says ready or not, the details (policy files
/// and errors, store versions) only to the admin; <c>/metrics</c> is restricted by a setting; decision ids are random,
/// not a counter; the CA may sign only leaves (pathLenConstraint=0).
/// </summary>
public sealed class InformationDisclosureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readyz_ShouldNotShowDetailsToAnonymousCallers_OnlyToTheAdmin()
    {
        await using var server = await MandateTestServer.StartAsync();
        var anonymous = await server.Client.GetFromJsonAsync<JsonElement>("/readyz", Ct);
        Assert.Equal("ready", anonymous.GetProperty("status").GetString());
        Assert.False(anonymous.TryGetProperty("store", out _));
        Assert.False(anonymous.TryGetProperty("problems", out _));

        using var admin = server.CreateAdminClient();
        var detailed = await admin.GetFromJsonAsync<JsonElement>("/readyz", Ct);
        Assert.True(detailed.TryGetProperty("store", out _));
    }

    [Fact]
    public async Task Metrics_ShouldNeedTheAdminToken_WhenTheSettingSaysAdmin()
    {
        await using var server = await MandateTestServer.StartAsync(configureBuilder: b => b.Configuration["Mandate:Metrics:Access"] = "Admin");
        using var anonymous = await server.Client.GetAsync(new Uri("/metrics", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var admin = server.CreateAdminClient();
        using var scraped = await admin.GetAsync(new Uri("/metrics", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
    }

    [Fact]
    public async Task DecisionIds_ShouldBeRandom_NotACounterThatCountsTheServersDecisions()
    {
        await using var server = await MandateTestServer.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await server.Client.PostAsync(
                "/access/v1/evaluation",
                new StringContent("{\"subject\":{\"type\":\"Workload\",\"id\":\"a\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Dataset\",\"id\":\"x\"}}", Encoding.UTF8, "application/json"),
                Ct);
            ids.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("context").GetProperty("decision_id").GetString()!);
        }

        static int CommonPrefix(string a, string b)
        {
            var n = 0;
            while (n < a.Length && n < b.Length && a[n] == b[n])
            {
                n++;
            }

            return n;
        }

        // A per-process prefix plus a counter shares everything but the last digits; random ids share only "d_".
        Assert.True(CommonPrefix(ids[0], ids[1]) < 8 && CommonPrefix(ids[1], ids[2]) < 8, string.Join(", ", ids));
        Assert.All(ids, id => Assert.True(id.Length >= 34, id));
    }

    [Fact]
    public async Task Ca_ShouldCarryPathLenConstraintZero()
    {
        await using var server = await MandateTestServer.StartAsync();
        var bundle = await server.Client.GetFromJsonAsync<JsonElement>("/.well-known/spiffe-bundle", Ct);
        var x509 = bundle.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("use").GetString() == "x509-svid");
        using var ca = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(x509.GetProperty("x5c")[0].GetString()!));
        var constraints = Assert.IsType<X509BasicConstraintsExtension>(ca.Extensions["2.5.29.19"]);
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.HasPathLengthConstraint);
        Assert.Equal(0, constraints.PathLengthConstraint);
    }
}
