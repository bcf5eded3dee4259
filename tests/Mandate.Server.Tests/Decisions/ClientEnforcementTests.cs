using System.Security.Claims;
using System.Text.Encodings.Web;
using Mandate.Client;
using Mandate.Protocol.AuthZen;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Tests.Decisions;

/// <summary>
/// A sample ASP.NET Core API protected by <c>.RequireMandate("METHOD")</c> against a real Mandate server running the
/// API-gateway scenario: editors may POST /todos, viewers may not, everyone may GET; an unreachable PDP fails closed.
/// </summary>
public sealed class ClientEnforcementTests : IAsyncLifetime
{
    private const string Morty = "CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
    private const string Beth = "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
    private MandateTestServer mandate = null!;

    public async ValueTask InitializeAsync() => mandate = await MandateTestServer.StartAsync(o =>
    {
        o.Demo = false;
        o.DataDirectory = RepositoryPaths.Samples("authzen/api-gateway");
    }, TestPep.Configure);

    public async ValueTask DisposeAsync() => await mandate.DisposeAsync();

    [Fact]
    public async Task ProtectedApi_ShouldFollowThePdp_ForEachUserAndRoute()
    {
        await using var api = await SampleApi.StartAsync(mandate.Address);

        Assert.Equal(200, await api.SendAsync(HttpMethod.Get, "/todos", Beth));
        Assert.Equal(403, await api.SendAsync(HttpMethod.Post, "/todos", Beth));
        Assert.Equal(200, await api.SendAsync(HttpMethod.Post, "/todos", Morty));
        Assert.Equal(403, await api.SendAsync(HttpMethod.Delete, "/todos/42", Beth));
        Assert.Equal(200, await api.SendAsync(HttpMethod.Delete, "/todos/42", Morty));
    }

    [Fact]
    public async Task ProtectedApi_ShouldFailClosed_WhenThePdpIsUnreachable()
    {
        await using var api = await SampleApi.StartAsync(new Uri("http://127.0.0.1:9"));
        Assert.Equal(403, await api.SendAsync(HttpMethod.Get, "/todos", Morty));
    }

    [Fact]
    public async Task Client_ShouldServeRepeatedDecisionsFromTheCache_ButNeverADeadCredentials()
    {
        await using var api = await SampleApi.StartAsync(mandate.Address);
        var client = api.Services.GetRequiredService<IAuthZenClient>();
        var cache = api.Services.GetRequiredService<DecisionCache>();
        var request = new EvaluationRequest
        {
            Subject = new AuthZenEntity("identity", Morty),
            Action = new AuthZenAction("GET"),
            Resource = new AuthZenEntity("route", "/todos"),
        };

        var first = await client.EvaluateAsync(request, TestContext.Current.CancellationToken);
        var second = await client.EvaluateAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(1, cache.Count);
        Assert.Equal(first.Decision, second.Decision);
        Assert.NotNull(client.LastPolicyVersion);

        // The credential is not verifiable by this PDP: that deny says the credential is dead, so it is not cached
        // (and would drop anything cached for that credential; the security suite covers revocations).
        var withCredential = new EvaluationRequest
        {
            Subject = request.Subject,
            Action = request.Action,
            Resource = request.Resource,
            Context = System.Text.Json.JsonDocument.Parse("""{"credential":"token-1"}""").RootElement,
        };
        Assert.False((await client.EvaluateAsync(withCredential, TestContext.Current.CancellationToken)).Decision);
        Assert.Equal(1, cache.Count);

        cache.Clear();
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Client_ShouldEvaluateBatches_AndSearch()
    {
        await using var api = await SampleApi.StartAsync(mandate.Address);
        var client = api.Services.GetRequiredService<IAuthZenClient>();
        var batch = await client.EvaluateBatchAsync(new EvaluationsRequest
        {
            Subject = new AuthZenEntity("identity", Beth),
            Resource = new AuthZenEntity("route", "/todos"),
            Evaluations = [new EvaluationRequest { Action = new AuthZenAction("GET") }, new EvaluationRequest { Action = new AuthZenAction("POST") }],
        }, TestContext.Current.CancellationToken);
        var metadata = await client.GetMetadataAsync(TestContext.Current.CancellationToken);

        Assert.Equal([true, false], batch.Evaluations.Select(e => e.Decision));
        Assert.EndsWith(AuthZenPaths.Evaluation, metadata.AccessEvaluationEndpoint, StringComparison.Ordinal);
    }

    /// <summary>The protected API: a header stands in for the app's own login.</summary>
    private sealed class SampleApi : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly HttpClient http;

        private SampleApi(WebApplication app, Uri address)
        {
            this.app = app;
            http = new HttpClient { BaseAddress = address };
        }

        public IServiceProvider Services => app.Services;

        public static async Task<SampleApi> StartAsync(Uri pdp)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddAuthentication(HeaderAuthentication.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
            builder.Services.AddMandateClient(o =>
            {
                o.BaseAddress = pdp;
                o.AccessToken = TestPep.Token;
                o.SubjectType = "identity";
                o.MaxRetries = 1;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
                o.AttemptTimeout = TimeSpan.FromSeconds(10);
            }).AddMandateEnforcement();
            var app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/todos", () => "[]").RequireMandate("GET");
            app.MapPost("/todos", () => "created").RequireMandate("POST");
            app.MapDelete("/todos/{todoId}", (string todoId) => "deleted " + todoId).RequireMandate("DELETE");
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new SampleApi(app, new Uri(address));
        }

        public async Task<int> SendAsync(HttpMethod method, string path, string user)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add(HeaderAuthentication.Header, user);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            return (int)response.StatusCode;
        }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Header";
        public const string Header = "X-Test-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var user = Request.Headers[Header].ToString();
            if (user.Length == 0)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim("sub", user)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
