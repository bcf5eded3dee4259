using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Identity.Keys;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

public sealed class IdentityPostgresTests
{
    [Fact]
    public async Task Identity_ShouldWorkEndToEnd_OnPostgres_AndKeepItsKeysAcrossNodes()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        await using var first = await MandateTestServer.StartAsync(o => o.Store = MandateTestServer.PostgresLocation(connection));
        const string id = "spiffe://demo.mandate.local/pg/workload";
        await IdentityTestData.RegisterAsync(first, id);
        using var client = IdentityTestData.WorkloadClient(first, IdentityTestData.MandateSvid(first, id));
        var svid = await client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "rp" }, ct);
        Assert.Equal(HttpStatusCode.OK, svid.StatusCode);

        // A second node on the same store and the same key-encryption key uses the same signing key.
        var secondState = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(secondState);
        File.Copy(Path.Combine(first.Options.StateDirectory, "identity.kek"), Path.Combine(secondState, "identity.kek"));
        File.Copy(Path.Combine(first.Options.StateDirectory, "audit-signing.kek"), Path.Combine(secondState, "audit-signing.kek"));
        await using var second = await MandateTestServer.StartAsync(o =>
        {
            o.Store = MandateTestServer.PostgresLocation(connection);
            o.StateDirectory = secondState;
        });
        Assert.Equal(
            first.Services.GetRequiredService<IKeyRing>().CurrentSigningCredentials().Key.KeyId,
            second.Services.GetRequiredService<IKeyRing>().CurrentSigningCredentials().Key.KeyId);
        var token = (await svid.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString();
        using var secondClient = IdentityTestData.WorkloadClient(second, IdentityTestData.MandateSvid(first, id));
        var validated = await secondClient.PostAsJsonAsync("/v1/svid/validate", new { token, audience = "rp" }, ct);
        Assert.Equal(HttpStatusCode.OK, validated.StatusCode);
    }
}
