using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// M4: caller-supplied <c>properties</c> must not override stored attributes. The demo pipeline may deploy to staging
/// only; claiming <c>"stage": "staging"</c> for the production environment must still be a deny, recorded as such, and
/// the answer says which properties were ignored.
/// </summary>
public sealed class PropertyOverrideTests
{
    private const string Pipeline = "spiffe://demo.mandate.local/ci/github/deploy-pipeline";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Deploy(string environment, string properties) =>
        "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + Pipeline + "\"},\"action\":{\"name\":\"deploy\"},\"resource\":{\"type\":\"Environment\",\"id\":\""
        + environment + "\",\"properties\":" + properties + "}}";

    [Fact]
    public async Task StageProperty_ShouldNotTurnDeployToProductionIntoAnAllow()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        using var response = await admin.PostAsync("/access/v1/evaluation", new StringContent(Deploy("production", "{\"stage\":\"staging\"}"), Encoding.UTF8, "application/json"), Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(body.GetProperty("decision").GetBoolean());
        Assert.Equal("resource.properties.stage", body.GetProperty("context").GetProperty("ignored_properties")[0].GetString());

        // The honest staging deploy is still allowed.
        using var staging = await admin.PostAsync("/access/v1/evaluation", new StringContent(Deploy("staging", "{}"), Encoding.UTF8, "application/json"), Ct);
        Assert.True(JsonDocument.Parse(await staging.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("decision").GetBoolean());
    }

    [Fact]
    public async Task UndeclaredProperty_ShouldNotReachPolicies_WhenASchemaIsActive()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        using var response = await admin.PostAsync("/access/v1/evaluation", new StringContent(Deploy("unknown-env", "{\"stage\":\"staging\",\"owner\":\"me\"}"), Encoding.UTF8, "application/json"), Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // A new entity may be described by the attributes its type declares (stage), not by undeclared ones (owner).
        var ignored = body.GetProperty("context").GetProperty("ignored_properties").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["resource.properties.owner"], ignored);
    }
}
