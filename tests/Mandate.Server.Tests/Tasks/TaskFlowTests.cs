using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Credentials;
using Mandate.Core.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Tasks;

public sealed class TaskFlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenDelegateComplete_ShouldEndBothCredentials_AtOnce_OnIntrospectionAndInVerification()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, taskToken, taskJti) = await estate.OpenAsync();
        var claims = TaskEstate.Claims(taskToken);
        Assert.Equal(TaskEstate.Agent, claims.GetProperty("sub").GetString());
        Assert.Equal(taskId, claims.GetProperty("task_id").GetString());
        Assert.Equal("read write", claims.GetProperty("scope").GetString());

        using var exchange = await estate.ExchangeAsync(taskToken, TaskEstate.SubAgent, scope: "read");
        var exchangeBody = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(exchange.StatusCode == HttpStatusCode.OK, exchangeBody.ToString());
        var delegated = exchangeBody.GetProperty("access_token").GetString()!;
        var delegatedClaims = TaskEstate.Claims(delegated);
        Assert.Equal(TaskEstate.Agent, delegatedClaims.GetProperty("sub").GetString());
        Assert.Equal(TaskEstate.SubAgent, delegatedClaims.GetProperty("act").GetProperty("sub").GetString());
        Assert.Equal("read", delegatedClaims.GetProperty("scope").GetString());
        Assert.True(delegatedClaims.GetProperty("exp").GetInt64() <= claims.GetProperty("exp").GetInt64());

        var verifier = estate.Server.Services.GetRequiredService<ICredentialVerifier>();
        var taskVerified = await verifier.VerifyAsync(taskToken, Ct);
        var delegatedVerified = await verifier.VerifyAsync(delegated, Ct);
        Assert.True(taskVerified.Valid, taskVerified.Description);
        Assert.True(delegatedVerified.Valid, delegatedVerified.Description);
        Assert.Equal([TaskEstate.SubAgent], delegatedVerified.Credential!.Chain);
        Assert.Equal(TaskEstate.SubAgent, delegatedVerified.Credential.Holder);
        Assert.Equal(taskId, delegatedVerified.Credential.TaskId);
        Assert.Equal(DataSensitivity.Medium, delegatedVerified.Credential.Intent!.SensitivityCeiling);
        Assert.True((await estate.IntrospectAsync(delegated)).GetProperty("active").GetBoolean());

        using var agent = estate.As(TaskEstate.Agent);
        using var complete = await agent.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct);
        var completeBody = JsonDocument.Parse(await complete.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal(2, completeBody.GetProperty("revoked_credentials").GetInt32());
        Assert.Equal("completed", completeBody.GetProperty("task").GetProperty("status").GetString());

        Assert.False((await estate.IntrospectAsync(taskToken)).GetProperty("active").GetBoolean());
        Assert.False((await estate.IntrospectAsync(delegated)).GetProperty("active").GetBoolean());
        var again = await verifier.VerifyAsync(delegated, Ct);
        Assert.False(again.Valid);
        Assert.Contains("revoked", again.Description, StringComparison.Ordinal);

        var detections = await estate.AuditAsync(TokenReuseDetector.EventType);
        Assert.Contains(detections, d => d.GetProperty("jti").GetString() == TaskEstate.Claims(delegated).GetProperty("jti").GetString());
        Assert.Contains(await estate.AuditAsync("task.completed"), e => e.GetProperty("task_id").GetString() == taskId);
        Assert.NotEmpty(await estate.AuditAsync("credential.revoked"));
        _ = taskJti;
    }

    [Fact]
    public async Task RevokedTaskCredential_ShouldNotBeExchangeable_AndRaisesADetection()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, taskToken, jti) = await estate.OpenAsync();
        using (var revoke = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "task", target = taskId, reason = "test" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, revoke.StatusCode);
        }

        using var exchange = await estate.ExchangeAsync(taskToken, TaskEstate.SubAgent);
        var body = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, exchange.StatusCode);
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains("revoked", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Contains(await estate.AuditAsync(TokenReuseDetector.EventType), d => d.GetProperty("jti").GetString() == jti);
    }

    [Fact]
    public async Task ExpiredTaskCredential_PresentedAgain_ShouldBeDenied_AndRaiseADetection()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, taskToken, jti) = await estate.OpenAsync(ttlSeconds: 60);
        estate.Clock.Advance(TimeSpan.FromMinutes(5));

        var result = await estate.Server.Services.GetRequiredService<ICredentialVerifier>().VerifyAsync(taskToken, Ct);

        Assert.False(result.Valid);
        Assert.Contains("expired", result.Description, StringComparison.Ordinal);
        var detection = Assert.Single(await estate.AuditAsync(TokenReuseDetector.EventType));
        Assert.Equal(jti, detection.GetProperty("jti").GetString());
    }

    [Fact]
    public async Task Sweeper_ShouldExpireTasksWhoseLeaseEnded_AndRevokeTheirCredentials()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, taskToken, _) = await estate.OpenAsync(ttlSeconds: 60);
        var tasks = estate.Server.Services.GetRequiredService<TaskService>();
        Assert.Equal(0, await tasks.SweepAsync(Ct));

        estate.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await tasks.SweepAsync(Ct));

        Assert.Equal(MandateTaskStatus.Expired, (await tasks.GetAsync(taskId, Ct))!.Status);
        Assert.True(estate.Server.Services.GetRequiredService<IRevocationSet>().IsRevoked(TaskEstate.Claims(taskToken).GetProperty("jti").GetString()!));
        Assert.Single(await estate.AuditAsync("task.expired"));
    }

    [Fact]
    public async Task Open_ShouldBeDenied_WhenNoPolicyPermitsTheIntent()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var agent = estate.As(TaskEstate.Agent);
        using var response = await agent.PostAsJsonAsync("/v1/tasks", new { intent = TaskEstate.Intent(ceiling: "restricted"), ttl_seconds = 60 }, Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(TaskErrorCodes.Denied, body.GetProperty("code").GetString());
        Assert.Empty(await estate.Server.Services.GetRequiredService<TaskService>().ListAsync(null, null, 10, Ct));
    }

    [Theory]
    [InlineData(7200, "task-ttl-too-long")]
    [InlineData(0, "task-invalid-intent")]
    public async Task Open_ShouldRefuse_ABadTtl(int ttl, string code)
    {
        await using var estate = await TaskEstate.StartAsync();
        using var agent = estate.As(TaskEstate.Agent);
        using var response = await agent.PostAsJsonAsync("/v1/tasks", new { intent = TaskEstate.Intent(), ttl_seconds = ttl }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Open_ShouldRefuse_MalformedJsonAndBadIntents_WithProblemDetails()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var agent = estate.As(TaskEstate.Agent);
        using var malformed = await agent.PostAsync("/v1/tasks", new StringContent("{\"intent\": {", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("malformed-json", JsonDocument.Parse(await malformed.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetString());

        using var noActions = await agent.PostAsJsonAsync("/v1/tasks", new { intent = TaskEstate.Intent(actions: []) }, Ct);
        var body = JsonDocument.Parse(await noActions.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("task-invalid-intent", body.GetProperty("code").GetString());
        Assert.Contains("intent.actions", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var anonymous = await estate.Server.Client.PostAsJsonAsync("/v1/tasks", new { intent = TaskEstate.Intent() }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Open_ShouldAnswer413_WhenAChunkedBodyGrowsOverTheLimit()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var agent = estate.As(TaskEstate.Agent);
        using var content = new ChunkedJsonContent("{\"intent\": {\"purpose\": \"" + new string('x', 70 * 1024) + "\"}}");
        using var response = await agent.PostAsync(new Uri("/v1/tasks", UriKind.Relative), content, Ct);
        await ProblemAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task Exchange_ShouldRefuseWidening_AndAuditIt()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, taskToken, _) = await estate.OpenAsync(intent: TaskEstate.Intent(actions: ["read"]));
        using var exchange = await estate.ExchangeAsync(taskToken, TaskEstate.SubAgent, scope: "read write");
        var body = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, exchange.StatusCode);
        Assert.Equal("invalid_scope", body.GetProperty("error").GetString());
        Assert.Contains(await estate.AuditAsync("delegation.exchange_refused"), e => e.GetProperty("reason").GetString()!.Contains("write", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exchange_ShouldRefuseAnActorTheTaskDoesNotAuthorize()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, taskToken, _) = await estate.OpenAsync();
        using var exchange = await estate.ExchangeAsync(taskToken, TaskEstate.Outsider);
        var body = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains("nothing authorizes", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exchange_ShouldRefuseAChainOverTheCap_NamingItsDepth()
    {
        await using var estate = await TaskEstate.StartAsync(configureBuilder: b =>
            b.Services.PostConfigure<Mandate.Core.Delegation.TokenExchangeOptions>(o => o.MaxChainDepth = 1));
        var (_, taskToken, _) = await estate.OpenAsync(intent: TaskEstate.Intent(delegates: [TaskEstate.SubAgent, TaskEstate.Helper]));
        using var first = await estate.ExchangeAsync(taskToken, TaskEstate.SubAgent);
        var hop = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("access_token").GetString()!;

        using var second = await estate.ExchangeAsync(hop, TaskEstate.Helper);
        var body = JsonDocument.Parse(await second.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains("2 actors deep", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Contains("maximum depth of 1", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenEndpoint_ShouldAnswerInvalidClient401_WithoutClientAuthentication()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var response = await estate.Server.Client.PostAsync("/oauth2/token", new FormUrlEncodedContent([new("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")]), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error").GetString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task AdminRevocationOfAnIdentity_ShouldCascadeToTokensDerivedFromItsCredentials()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, taskToken, _) = await estate.OpenAsync();
        using var exchange = await estate.ExchangeAsync(taskToken, TaskEstate.SubAgent);
        var delegated = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("access_token").GetString()!;

        using var revoke = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "identity", target = TaskEstate.Agent }, Ct);
        var body = JsonDocument.Parse(await revoke.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.Created, revoke.StatusCode);
        Assert.Equal(2, body.GetProperty("revoked_count").GetInt32());
        Assert.False((await estate.IntrospectAsync(delegated)).GetProperty("active").GetBoolean());

        using var missing = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "task", target = "task_nope" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var badKind = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "planet", target = "x" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
    }

    [Fact]
    public async Task OAuthRevoke_ShouldLetTheHolderRevoke_AndRefuseOthers()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, taskToken, _) = await estate.OpenAsync();
        using var outsider = estate.As(TaskEstate.Outsider);
        using var refused = await outsider.PostAsync("/oauth2/revoke", new FormUrlEncodedContent([new("token", taskToken)]), Ct);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode); // RFC 7009: the same answer as for any token; nothing revoked
        Assert.True((await estate.IntrospectAsync(taskToken)).GetProperty("active").GetBoolean());

        using var agent = estate.As(TaskEstate.Agent);
        using var revoked = await agent.PostAsync("/oauth2/revoke", new FormUrlEncodedContent([new("token", taskToken)]), Ct);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.False((await estate.IntrospectAsync(taskToken)).GetProperty("active").GetBoolean());

        using var garbage = await agent.PostAsync("/oauth2/revoke", new FormUrlEncodedContent([new("token", "not-a-token")]), Ct);
        Assert.Equal(HttpStatusCode.OK, garbage.StatusCode);
    }

    [Fact]
    public async Task Uses_ShouldBeRecordedPerCredential()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, taskToken, jti) = await estate.OpenAsync();
        var verifier = estate.Server.Services.GetRequiredService<ICredentialVerifier>();
        await verifier.VerifyAsync(new CredentialPresentation(taskToken) { Source = "pep-a" }, Ct);
        await verifier.VerifyAsync(new CredentialPresentation(taskToken) { Source = "pep-b" }, Ct);
        await estate.Server.Services.GetRequiredService<CredentialUseRecorder>().FlushAsync(Ct);

        var credential = JsonDocument.Parse(await estate.Admin.GetStringAsync($"/v1/credentials/{jti}", Ct)).RootElement;
        Assert.Equal(2, credential.GetProperty("usage").GetProperty("count").GetInt64());
        Assert.Equal("pep-b", credential.GetProperty("usage").GetProperty("last_source").GetString());
    }

    [Fact]
    public async Task ListAndShow_ShouldScopeAWorkloadToItsOwnTasks()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, _, _) = await estate.OpenAsync();
        using var outsider = estate.As(TaskEstate.Outsider);
        using var hidden = await outsider.GetAsync($"/v1/tasks/{taskId}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        var mine = JsonDocument.Parse(await outsider.GetStringAsync("/v1/tasks", Ct)).RootElement;
        Assert.Equal(0, mine.GetProperty("tasks").GetArrayLength());

        var all = JsonDocument.Parse(await estate.Admin.GetStringAsync("/v1/tasks", Ct)).RootElement;
        Assert.Equal(1, all.GetProperty("tasks").GetArrayLength());
        var shown = JsonDocument.Parse(await estate.Admin.GetStringAsync($"/v1/tasks/{taskId}", Ct)).RootElement;
        Assert.Equal("medium", shown.GetProperty("intent").GetProperty("sensitivity_ceiling").GetString());
        Assert.Single(shown.GetProperty("credentials").EnumerateArray());

        using var notOwner = await outsider.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, notOwner.StatusCode); // like GET: another's task is not revealed
    }

    [Fact]
    public async Task Renew_ShouldExtendTheLease_UpToItsLimit()
    {
        await using var estate = await TaskEstate.StartAsync(configureBuilder: b =>
            b.Services.PostConfigure<TaskOptions>(o => o.MaxLeaseTotal = TimeSpan.FromMinutes(15)));
        var (taskId, _, _) = await estate.OpenAsync(ttlSeconds: 600);
        using var agent = estate.As(TaskEstate.Agent);
        estate.Clock.Advance(TimeSpan.FromMinutes(5));
        using var renewed = await agent.PostAsJsonAsync($"/v1/tasks/{taskId}/renew", new { ttl_seconds = 3600 }, Ct);
        var body = JsonDocument.Parse(await renewed.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(renewed.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(1, body.GetProperty("task").GetProperty("renewals").GetInt32());
        var exp = TaskEstate.Claims(body.GetProperty("credential").GetProperty("access_token").GetString()!).GetProperty("exp").GetInt64();
        Assert.Equal(body.GetProperty("task").GetProperty("lease_limit").GetDateTimeOffset().ToUnixTimeSeconds(), exp);

        using var again = await agent.PostAsJsonAsync($"/v1/tasks/{taskId}/renew", new { ttl_seconds = 600 }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }
}
