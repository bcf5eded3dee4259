using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;

namespace Mandate.Server.Tests.Health;

public sealed class FoundationEndpointTests : IAsyncLifetime
{
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync() => server = await MandateTestServer.StartAsync();

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Healthz_ShouldAnswer200()
    {
        var response = await server.Client.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_ShouldReportTheMigratedStore()
    {
        // The store details are for the admin (anonymous callers see only the status).
        using var admin = server.CreateAdminClient();
        var body = await admin.GetFromJsonAsync<JsonElement>("/readyz", TestContext.Current.CancellationToken);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal("sqlite", body.GetProperty("store").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task AdminEndpoint_ShouldAnswer401ProblemDetails_WithoutAToken()
    {
        var response = await server.Client.GetAsync(new Uri("/v1/status", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/unauthenticated", problem.GetProperty("type").GetString());
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task AdminEndpoint_ShouldAnswer401_WithAWrongToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/status");
        request.Headers.Authorization = new("Bearer", "mdt_wrong");
        var response = await server.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AdminEndpoint_ShouldAnswer_WithTheAdminToken()
    {
        using var admin = server.CreateAdminClient();
        var body = await admin.GetFromJsonAsync<JsonElement>("/v1/status", TestContext.Current.CancellationToken);
        Assert.Equal("sqlite", body.GetProperty("store").GetString());
    }

    [Fact]
    public async Task AdminTokenFile_ShouldBeReadableByItsOwnerOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only.");
#pragma warning disable CA1416 // Skipped on Windows just above.
        var mode = File.GetUnixFileMode(server.Options.AdminTokenPath);
#pragma warning restore CA1416
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task UnknownRoute_ShouldAnswer404ProblemDetails()
    {
        var response = await server.Client.GetAsync(new Uri("/no/such/thing", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/not-found", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Metrics_ShouldBeExposedInPrometheusFormat()
    {
        var text = await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("# TYPE", text, StringComparison.Ordinal);
    }
}
