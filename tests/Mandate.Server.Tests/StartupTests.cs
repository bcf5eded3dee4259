using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Tests;

public sealed class StartupTests
{
    [Fact]
    public async Task Start_ShouldRefuse_ACorruptDatabase_AndLeaveItUntouched()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "mandate.db");
        var bytes = new byte[8192];
        Random.Shared.NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<StoreException>(() => MandateTestServer.StartAsync(o => o.StateDirectory = directory));

        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task NonDemoStart_ShouldMintTheAdminTokenOnce()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        string first;
        await using (var server = await MandateTestServer.StartAsync(o => { o.StateDirectory = directory; o.Demo = false; }))
        {
            first = server.AdminToken;
        }

        File.Delete(Path.Combine(directory, "admin.token"));
        await using (var again = await MandateTestServer.StartAsync(o => { o.StateDirectory = directory; o.Demo = false; }))
        {
            Assert.False(File.Exists(again.Options.AdminTokenPath));
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/status");
            request.Headers.Authorization = new("Bearer", first);
            var response = await again.Client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Theory]
    [InlineData("Mandate:Tasks:SweepInterval", "00:00:00")]
    [InlineData("Mandate:Tasks:DefaultTtl", "-00:01:00")]
    [InlineData("Mandate:Revocation:ReconcileInterval", "00:00:00")]
    [InlineData("Mandate:TokenExchange:MaxChainDepth", "-1")]
    [InlineData("Mandate:Audit:CheckpointInterval", "00:00:00")]
    [InlineData("Mandate:Decisions:AuditAllowSampleRate", "2")]
    public async Task Start_ShouldRefuse_AnInvalidSetting_NamingIt(string setting, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MandateTestServer.StartAsync(
            configureBuilder: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [setting] = value })));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_ShouldRunOnPostgres()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        await using var server = await MandateTestServer.StartAsync(o => o.Store = MandateTestServer.PostgresLocation(connection));
        using var admin = server.CreateAdminClient();
        var body = await admin.GetStringAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("\"kind\":\"postgres\"", body, StringComparison.Ordinal);
    }
}
