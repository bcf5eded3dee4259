using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Net.Http.Json;
using System.Text.Json;

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

    // One bad value per options class (and per nested options list): the start stops, naming the key.
    [Theory]
    [InlineData("Mandate:Tasks:SweepInterval", "00:00:00", null)]
    [InlineData("Mandate:Tasks:DefaultTtl", "-00:01:00", null)]
    [InlineData("Mandate:Revocation:ReconcileInterval", "00:00:00", null)]
    [InlineData("Mandate:Revocation:UseFlushInterval", "00:00:00", null)]
    [InlineData("Mandate:TokenExchange:MaxChainDepth", "-1", null)]
    [InlineData("Mandate:TokenExchange:Clients:0:ClientId", "gateway", "Mandate:TokenExchange:Clients:0:SecretSha256")]
    [InlineData("Mandate:TokenExchange:TrustedIssuers:0:Issuer", "https://idp.example", "Mandate:TokenExchange:TrustedIssuers:0:Jwks")]
    [InlineData("Mandate:Audit:CheckpointInterval", "00:00:00", null)]
    [InlineData("Mandate:Audit:MaxBatchSize", "0", null)]
    [InlineData("Mandate:Audit:CheckpointEvery", "0", null)]
    [InlineData("Mandate:Decisions:AuditAllowSampleRate", "2", null)]
    [InlineData("Mandate:Decisions:MaxBatchItems", "0", null)]
    [InlineData("Mandate:Decisions:AuditRepeatFlushAfter", "-00:00:01", null)]
    [InlineData("Mandate:Decisions:AuditQueueWaitTimeout", "00:00:00", null)]
    [InlineData("Mandate:Decisions:AuditLossReportInterval", "00:00:00.01", null)]
    [InlineData("Mandate:Decisions:AuditFlushInterval", "00:00:11", null)]
    [InlineData("Mandate:Decisions:PepCredentials:0:Name", "edge", "Mandate:Decisions:PepCredentials:0:TokenSha256")]
    [InlineData("Mandate:Identity:KeyCheckInterval", "00:00:00", null)]
    [InlineData("Mandate:Identity:OidcIssuers:0:Issuer", "https://idp.example", "Mandate:Identity:OidcIssuers:0:Audience")]
    [InlineData("Mandate:Identity:AttestationRateLimit:PermitLimit", "0", null)]
    [InlineData("Mandate:RateLimits:Decisions:PermitLimit", "0", null)]
    [InlineData("Mandate:RateLimits:AuthenticatedDecisions:PermitLimit", "0", null)]
    [InlineData("Mandate:RateLimits:Credentials:Window", "00:00:00", null)]
    [InlineData("Mandate:RateLimits:AuthenticationFailures:PermitLimit", "0", null)]
    [InlineData("Mandate:Store:BusyTimeout", "00:00:00", null)]
    [InlineData("Mandate:Health:BackgroundUnhealthyAfter", "-00:00:01", null)]
    [InlineData("Mandate:Detection:RiskHalfLife", "00:00:00", null)]
    [InlineData("Mandate:Detection:BatchSize", "0", null)]
    [InlineData("Mandate:Detection:Rules:beyond_task_scope:Threshold", "0", null)]
    [InlineData("Mandate:Detection:Rules:credential_reuse:Responses", "alert,explode", null)]
    [InlineData("Mandate:Detection:Rules:rate_anomaly:Smoothing", "1.5", null)]
    [InlineData("Mandate:Detection:Rules:rate_anomaly:Ratio", "0.5", null)]
    [InlineData("Mandate:Detection:Rules:no_such_rule:Threshold", "3", "Mandate:Detection:Rules:no_such_rule")]
    [InlineData("Mandate:Signals:MaxAttempts", "0", null)]
    [InlineData("Mandate:Signals:InitialBackoff", "00:00:00", null)]
    [InlineData("Mandate:Signals:Timeout", "00:10:00", null)]
    [InlineData("Mandate:SharedSignals:LongPollTimeout", "00:00:00", null)]
    [InlineData("Mandate:SharedSignals:Issuer", "not a uri", null)]
    [InlineData("Mandate:SharedSignals:Transmitters:0:Issuer", "https://idp.example", "Mandate:SharedSignals:Transmitters:0:JwksUri")]
    public async Task Start_ShouldRefuse_AnInvalidSetting_NamingIt(string setting, string value, string? named)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MandateTestServer.StartAsync(
            configureBuilder: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [setting] = value })));

        Assert.Contains(named ?? setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ShouldValidateSettings_BeforeTouchingTheStore()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        await Assert.ThrowsAsync<OptionsValidationException>(() => MandateTestServer.StartAsync(
            o => o.StateDirectory = directory,
            b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mandate:Tasks:SweepInterval"] = "00:00:00" })));

        Assert.False(File.Exists(Path.Combine(directory, "mandate.db")));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Restart_ShouldRefuse_AnotherTrustDomain_NamingBoth(string kind)
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        StoreLocation? store = kind == "postgres" ? MandateTestServer.PostgresLocation(await PostgresTestDatabase.CreateSchemaAsync()) : null;
        await using (await MandateTestServer.StartAsync(o => { o.StateDirectory = directory; o.Store = store; o.Demo = true; }))
        {
        }

        // The demo store restarted without --demo: the default trust domain would refuse every SVID the store issued.
        var error = await Assert.ThrowsAsync<Hosting.StartupException>(() => MandateTestServer.StartAsync(o => { o.StateDirectory = directory; o.Store = store; o.Demo = false; }));
        Assert.Contains("'demo.mandate.local'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'mandate.local'", error.Message, StringComparison.Ordinal);
        Assert.Contains("--demo", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mandate:Identity:TrustDomain=demo.mandate.local", error.Message, StringComparison.Ordinal);

        // The same trust domain configured explicitly is accepted.
        await using var again = await MandateTestServer.StartAsync(
            o => { o.StateDirectory = directory; o.Store = store; o.Demo = false; },
            b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mandate:Identity:TrustDomain"] = "demo.mandate.local" }));
        using var admin = again.CreateAdminClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await admin.GetAsync(new Uri("/v1/status", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task StartWithoutPolicies_ShouldWarn_AndReportDegradedUntilPoliciesLoad()
    {
        var logs = new Infrastructure.CapturedLogs();
        await using var server = await MandateTestServer.StartAsync(o => o.Demo = false, b => b.Logging.AddProvider(logs));
        using var admin = server.CreateAdminClient();

        using var response = await admin.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Contains(body.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("no policies loaded", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("No policies loaded", StringComparison.Ordinal));

        using var content = new StringContent("""{"policies":{"p.cedar":"permit(principal, action, resource);"}}""", System.Text.Encoding.UTF8, "application/json");
        using var put = await admin.PutAsync(new Uri("/v1/policies", UriKind.Relative), content, TestContext.Current.CancellationToken);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var after = await admin.GetFromJsonAsync<JsonElement>("/readyz", TestContext.Current.CancellationToken);
        Assert.DoesNotContain(after.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("no policies loaded", StringComparison.Ordinal));
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
