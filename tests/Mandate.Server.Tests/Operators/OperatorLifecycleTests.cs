using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Identity;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Operators;

/// <summary>Operators and their personal tokens over real HTTP: shown once, hashed, expiring, rotatable, revocable, attributed.</summary>
public sealed class OperatorLifecycleTests(OperatorLifecycleTests.Fixture fixture) : IClassFixture<OperatorLifecycleTests.Fixture>
{
    private MandateTestServer server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Fixture : IAsyncLifetime
    {
        internal MandateTestServer Server { get; private set; } = null!;

        public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

        public async ValueTask InitializeAsync() =>
            Server = await MandateTestServer.StartAsync(configureBuilder: b => b.Services.AddSingleton<TimeProvider>(Clock));

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }

    [Fact]
    public async Task Operator_ShouldActUnderTheirOwnName_AndTheLedgerShouldNeverHoldTheirToken()
    {
        const string id = "spiffe://demo.mandate.local/ops/attributed";
        await IdentityTestData.RegisterAsync(server, id);
        var (alice, token, tokenId) = await OperatorTestData.AddWithTokenAsync(server, "alice", "security");
        using (alice)
        {
            var suspended = await alice.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = id, reason = "attribution" }, Ct);
            Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);
        }

        var added = Assert.Single(await OperatorTestData.EventsAsync(server, "operator.added"), e => e.GetProperty("subject").GetString() == "operator:alice");
        Assert.Equal("admin", added.GetProperty("actor").GetString());
        var created = (await OperatorTestData.EventsAsync(server, "operator.token_created")).Single(e => e.GetProperty("jti").GetString() == tokenId);
        Assert.Equal("admin", created.GetProperty("actor").GetString());
        Assert.StartsWith("sha256:", created.GetProperty("details").GetProperty("fingerprint").GetString(), StringComparison.Ordinal);
        var change = (await OperatorTestData.EventsAsync(server, "identity.suspended")).Single(e => e.GetProperty("subject").GetString() == id);
        Assert.Equal("operator:alice", change.GetProperty("actor").GetString());

        var ledger = string.Join('\n', await OperatorTestData.LedgerAsync(server));
        Assert.DoesNotContain(token, ledger, StringComparison.Ordinal);
        Assert.DoesNotContain(token[4..], ledger, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewToken_ShouldBeShownOnce_NotCached_AndListedWithoutItsSecret()
    {
        using var admin = server.CreateAdminClient();
        Assert.True((await admin.PostAsJsonAsync("/v1/operators", new { name = "shown-once", roles = new[] { "auditor" } }, Ct)).IsSuccessStatusCode);
        using var response = await admin.PostAsJsonAsync("/v1/operators/shown-once/tokens", new { label = "laptop", ttl_seconds = 3600 }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var issued = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var token = issued.GetProperty("token").GetString()!;
        Assert.StartsWith("mot_", token, StringComparison.Ordinal);
        Assert.Equal("laptop", issued.GetProperty("label").GetString());

        var list = await admin.GetStringAsync(new Uri("/v1/operators/shown-once/tokens", UriKind.Relative), Ct);
        Assert.DoesNotContain(token, list, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", list, StringComparison.Ordinal);
        Assert.Contains(issued.GetProperty("token_id").GetString()!, list, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"active\"", list, StringComparison.Ordinal);

        using var own = OperatorTestData.Client(server, token);
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task RevokedToken_ShouldBeRefusedAtOnce()
    {
        var (client, _, tokenId) = await OperatorTestData.AddWithTokenAsync(server, "revoked-once", "auditor");
        using (client)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct)).StatusCode);
            using var admin = server.CreateAdminClient();
            using var revoke = await admin.DeleteAsync(new Uri($"/v1/operators/revoked-once/tokens/{tokenId}", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
            await OperatorTestData.AssertProblemAsync(await client.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct), HttpStatusCode.Unauthorized, "unauthenticated");
            await OperatorTestData.AssertProblemAsync(
                await admin.PostAsJsonAsync($"/v1/operators/revoked-once/tokens/{tokenId}/revoke", new { reason = "again" }, Ct), HttpStatusCode.Conflict, "operator-token-revoked");
        }

        var revoked = (await OperatorTestData.EventsAsync(server, "operator.token_revoked")).Single(e => e.GetProperty("jti").GetString() == tokenId);
        Assert.Equal("admin", revoked.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task ExpiredToken_ShouldBeRefused()
    {
        using var admin = server.CreateAdminClient();
        Assert.True((await admin.PostAsJsonAsync("/v1/operators", new { name = "expiring", roles = new[] { "auditor" } }, Ct)).IsSuccessStatusCode);
        var (token, _) = await OperatorTestData.CreateTokenAsync(admin, "expiring", new { ttl_seconds = 60 });
        using var client = OperatorTestData.Client(server, token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct)).StatusCode);
        fixture.Clock.Advance(TimeSpan.FromSeconds(61));
        var refused = await client.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct);
        await OperatorTestData.AssertProblemAsync(refused, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task RotatedToken_ShouldReplaceTheOldOne_KeepingItsLabel()
    {
        var (old, oldToken, oldId) = await OperatorTestData.AddWithTokenAsync(server, "rotating", "auditor");
        using (old)
        {
            // An operator rotates their own token.
            using var rotated = await old.PostAsJsonAsync($"/v1/operators/rotating/tokens/{oldId}/rotate", new { ttl_seconds = 7200 }, Ct);
            Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
            Assert.Equal("no-store", rotated.Headers.CacheControl?.ToString());
            var issued = await rotated.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("tests", issued.GetProperty("label").GetString());
            Assert.NotEqual(oldToken, issued.GetProperty("token").GetString());
            await OperatorTestData.AssertProblemAsync(await old.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct), HttpStatusCode.Unauthorized, "unauthenticated");
            using var fresh = OperatorTestData.Client(server, issued.GetProperty("token").GetString()!);
            Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct)).StatusCode);
        }

        var created = (await OperatorTestData.EventsAsync(server, "operator.token_created")).Where(e => e.GetProperty("subject").GetString() == "operator:rotating").ToList();
        Assert.Contains(created, e => e.GetProperty("details").TryGetProperty("rotated_from", out var from) && from.GetString() == oldId && e.GetProperty("actor").GetString() == "operator:rotating");
    }

    [Fact]
    public async Task DisabledOperator_ShouldLoseEveryToken_UntilEnabled()
    {
        var (client, _, _) = await OperatorTestData.AddWithTokenAsync(server, "disabled-op", "security");
        using (client)
        {
            using var admin = server.CreateAdminClient();
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/v1/operators/disabled-op/disable", new { reason = "left the team" }, Ct)).StatusCode);
            await OperatorTestData.AssertProblemAsync(await client.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct), HttpStatusCode.Unauthorized, "unauthenticated");
            await OperatorTestData.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/operators/disabled-op/tokens", new { }, Ct), HttpStatusCode.Conflict, "operator-disabled");
            var shown = await admin.GetFromJsonAsync<JsonElement>("/v1/operators/disabled-op", Ct);
            Assert.False(shown.GetProperty("enabled").GetBoolean());

            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri("/v1/operators/disabled-op/enable", UriKind.Relative), null, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct)).StatusCode);
        }

        var disabled = (await OperatorTestData.EventsAsync(server, "operator.disabled")).Single(e => e.GetProperty("subject").GetString() == "operator:disabled-op");
        Assert.Equal("left the team", disabled.GetProperty("reason").GetString());
        Assert.Single(await OperatorTestData.EventsAsync(server, "operator.enabled"), e => e.GetProperty("subject").GetString() == "operator:disabled-op");
    }

    [Fact]
    public async Task ChangedRoles_ShouldTakeEffectAtOnce_OnTheOperatorsExistingToken_AndBeInTheLedger()
    {
        var (client, _, _) = await OperatorTestData.AddWithTokenAsync(server, "promoted", "auditor");
        using (client)
        {
            var revoke = new { target_kind = "credential", target = "none-such", reason = "roles test" };
            await OperatorTestData.AssertProblemAsync(await client.PostAsJsonAsync("/v1/revocations", revoke, Ct), HttpStatusCode.Forbidden, "forbidden");

            using var admin = server.CreateAdminClient();
            using (var changed = await admin.PostAsJsonAsync("/v1/operators/promoted/roles", new { roles = new[] { "security", "auditor" }, reason = "on call" }, Ct))
            {
                Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
                var roles = (await changed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ToList();
                Assert.Equal(["auditor", "security"], roles.Order(StringComparer.Ordinal).ToList());
            }

            using (var allowed = await client.PostAsJsonAsync("/v1/revocations", revoke, Ct))
            {
                Assert.True(allowed.StatusCode is not HttpStatusCode.Forbidden and not HttpStatusCode.Unauthorized, $"{(int)allowed.StatusCode}");
            }

            await OperatorTestData.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/operators/promoted/roles", new { roles = new[] { "root" } }, Ct), HttpStatusCode.BadRequest, "operator-invalid");
            await OperatorTestData.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/operators/promoted/roles", new { roles = Array.Empty<string>() }, Ct), HttpStatusCode.BadRequest, "operator-invalid");
            await OperatorTestData.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/operators/nobody-here/roles", new { roles = new[] { "auditor" } }, Ct), HttpStatusCode.NotFound, "operator-not-found");
            await OperatorTestData.AssertProblemAsync(await client.PostAsJsonAsync("/v1/operators/promoted/roles", new { roles = new[] { "admin" } }, Ct), HttpStatusCode.Forbidden, "forbidden");
        }

        var recorded = (await OperatorTestData.EventsAsync(server, "operator.roles_changed")).Single(e => e.GetProperty("subject").GetString() == "operator:promoted");
        Assert.Equal("on call", recorded.GetProperty("reason").GetString());
        Assert.Equal("auditor", recorded.GetProperty("details").GetProperty("from").GetString());
    }

    [Fact]
    public async Task AnOperator_ShouldManageTheirOwnTokens_ButNoOneElses()
    {
        var (auditor, _, _) = await OperatorTestData.AddWithTokenAsync(server, "self-service", "auditor");
        using (auditor)
        {
            Assert.Equal(HttpStatusCode.Created, (await auditor.PostAsJsonAsync("/v1/operators/self-service/tokens", new { label = "second" }, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(new Uri("/v1/operators/self-service/tokens", UriKind.Relative), Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(new Uri("/v1/operators/self-service", UriKind.Relative), Ct)).StatusCode);
            await OperatorTestData.AssertProblemAsync(await auditor.PostAsJsonAsync("/v1/operators/alice/tokens", new { }, Ct), HttpStatusCode.Forbidden, "forbidden");
            await OperatorTestData.AssertProblemAsync(await auditor.GetAsync(new Uri("/v1/operators/alice/tokens", UriKind.Relative), Ct), HttpStatusCode.Forbidden, "forbidden");
            await OperatorTestData.AssertProblemAsync(await auditor.PostAsJsonAsync("/v1/operators", new { name = "sneaky", roles = new[] { "admin" } }, Ct), HttpStatusCode.Forbidden, "forbidden");
        }
    }

    [Theory]
    [InlineData("{\"name\":\"Bad Name\",\"roles\":[\"auditor\"]}", HttpStatusCode.BadRequest, "operator-invalid")]
    [InlineData("{\"name\":\"ok-name\\n\",\"roles\":[\"auditor\"]}", HttpStatusCode.BadRequest, "operator-invalid")]
    [InlineData("{\"name\":\"no-roles\",\"roles\":[]}", HttpStatusCode.BadRequest, "operator-invalid")]
    [InlineData("{\"name\":\"bad-role\",\"roles\":[\"root\"]}", HttpStatusCode.BadRequest, "operator-invalid")]
    [InlineData("{\"name\":\"x\",\"roles\":\"admin\"}", HttpStatusCode.BadRequest, "malformed-json")]
    [InlineData("{\"name\":", HttpStatusCode.BadRequest, "malformed-json")]
    public async Task BadOperator_ShouldBeAProblem_AndAddNothing(string body, HttpStatusCode status, string code)
    {
        using var admin = server.CreateAdminClient();
        using var response = await admin.PostAsync(new Uri("/v1/operators", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        await OperatorTestData.AssertProblemAsync(response, status, code);
        var list = await admin.GetStringAsync(new Uri("/v1/operators", UriKind.Relative), Ct);
        Assert.DoesNotContain("bad-role", list, StringComparison.Ordinal);
        Assert.DoesNotContain("no-roles", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conflicts_AndUnknownTargets_ShouldBeProblems()
    {
        using var admin = server.CreateAdminClient();
        Assert.True((await admin.PostAsJsonAsync("/v1/operators", new { name = "twice", roles = new[] { "auditor" }, oidc_subject = "twice@example.org" }, Ct)).IsSuccessStatusCode);
        await OperatorTestData.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/operators", new { name = "twice", roles = new[] { "auditor" } }, Ct), HttpStatusCode.Conflict, "operator-exists");
        await OperatorTestData.AssertProblemAsync(
            await admin.PostAsJsonAsync("/v1/operators", new { name = "thrice", roles = new[] { "auditor" }, oidc_subject = "twice@example.org" }, Ct), HttpStatusCode.Conflict, "operator-exists");
        await OperatorTestData.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/operators/nobody/tokens", new { }, Ct), HttpStatusCode.NotFound, "operator-not-found");
        await OperatorTestData.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/operators/twice/tokens/otk_nope/revoke", new { }, Ct), HttpStatusCode.NotFound, "operator-token-not-found");
        await OperatorTestData.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/operators/twice/tokens", new { ttl_seconds = 3650L * 86400 }, Ct), HttpStatusCode.BadRequest, "operator-invalid");

        // Another operator's token id is no token of this one.
        var (_, otherId) = await OperatorTestData.CreateTokenAsync(admin, "twice");
        Assert.True((await admin.PostAsJsonAsync("/v1/operators", new { name = "other", roles = new[] { "auditor" } }, Ct)).IsSuccessStatusCode);
        await OperatorTestData.AssertProblemAsync(await admin.DeleteAsync(new Uri($"/v1/operators/other/tokens/{otherId}", UriKind.Relative), Ct), HttpStatusCode.NotFound, "operator-token-not-found");
    }

    [Fact]
    public async Task SignIn_ShouldBeAProblem_WhenNoOidcProviderIsConfigured()
    {
        using var response = await server.Client.PostAsJsonAsync("/v1/operators/sign-in", new { id_token = "x.y.z" }, Ct);
        await OperatorTestData.AssertProblemAsync(response, HttpStatusCode.NotFound, "operator-sign-in-not-configured");
    }

    [Fact]
    public async Task FailedOperatorAuthentication_ShouldBeAudited_AndFolded()
    {
        using var forged = OperatorTestData.Client(server, "mot_" + new string('A', 43));
        for (var i = 0; i < 3; i++)
        {
            await OperatorTestData.AssertProblemAsync(await forged.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct), HttpStatusCode.Unauthorized, "unauthenticated");
        }

        // The audit writer is batched: wait for the first record; the repeats are folded into it, not written one by one.
        List<JsonElement> failures = [];
        for (var attempt = 0; attempt < 50 && failures.Count == 0; attempt++)
        {
            await Task.Delay(100, Ct);
            failures = (await OperatorTestData.EventsAsync(server, "operator.authentication_failed")).Where(e => e.GetProperty("reason").GetString() == "the operator token is unknown").ToList();
        }

        Assert.Single(failures);
        Assert.DoesNotContain(new string('A', 43), string.Join('\n', await OperatorTestData.LedgerAsync(server)), StringComparison.Ordinal);
    }
}
