using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L4: a JSON body sent chunked (no <c>Content-Length</c>) must be cut at its endpoint's limit on the stream, with 413
/// <c>payload-too-large</c>, on every endpoint that reads one, and nothing it asked for may happen. The bodies are valid
/// JSON made large with whitespace, so an endpoint that reads them whole would act on them.
/// </summary>
public sealed class BodyLimitTests
{
    private const int OverSmallLimit = 1024 * 1024;
    // Just past the policy limit: the server stops reading at the limit, answers 413 and closes the connection, and a
    // client still writing a megabyte more could meet the closed socket (a broken pipe) before it read the answer. 64 KiB
    // more than the limit fits in the loopback socket buffers, so the client's write has ended by the close.
    private const int OverPolicyLimit = (int)Mandate.Server.Http.BodyLimits.PolicyBundle + 64 * 1024;
    private const string Probe = "spiffe://demo.mandate.local/svc/body-limit-probe";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The JSON object <paramref name="members"/> with <paramref name="padding"/> spaces before its closing brace.</summary>
    private static ChunkedJsonContent Padded(string members, int padding) => new("{" + members + new string(' ', padding) + "}");

    private static async Task AssertTooLargeAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{what}: {(int)response.StatusCode} {text}");
        Assert.Equal("payload-too-large", JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ChunkedOversizedIdentityRegistration_ShouldBeRefused_AndRegisterNothing()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var content = Padded("\"spiffe_id\":\"" + Probe + "\",\"kind\":\"service_account\",\"owner\":\"team:x\",\"purpose\":\"p\",\"environment\":\"test\",\"ttl_seconds\":3600", OverSmallLimit);
        using var response = await estate.Admin.PostAsync("/v1/identities", content, Ct);
        await AssertTooLargeAsync(response, "POST /v1/identities");

        using var lookup = await estate.Admin.GetAsync("/v1/identities/" + Probe["spiffe://".Length..], Ct);
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task ChunkedOversizedIdentityStatusChange_ShouldBeRefused_AndChangeNothing()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var content = Padded("\"spiffe_id\":\"" + TaskEstate.Helper + "\",\"reason\":\"probe\"", OverSmallLimit);
        using var response = await estate.Admin.PostAsync("/v1/identities/suspend", content, Ct);
        await AssertTooLargeAsync(response, "POST /v1/identities/suspend");

        using var lookup = await estate.Admin.GetAsync("/v1/identities/" + TaskEstate.Helper["spiffe://".Length..], Ct);
        lookup.EnsureSuccessStatusCode();
        var status = JsonDocument.Parse(await lookup.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("status").GetString();
        Assert.Equal("active", status);
    }

    [Fact]
    public async Task ChunkedOversizedJoinTokenRequest_ShouldBeRefused_AndIssueNoToken()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var content = Padded("\"spiffe_id\":\"" + TaskEstate.Helper + "\"", OverSmallLimit);
        using var response = await estate.Admin.PostAsync("/v1/attest/join-tokens", content, Ct);
        await AssertTooLargeAsync(response, "POST /v1/attest/join-tokens");
        Assert.DoesNotContain("mjt_", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/attest/join")]
    [InlineData("/v1/attest/oidc")]
    public async Task ChunkedOversizedAnonymousAttestation_ShouldBeRefused(string path)
    {
        await using var estate = await TaskEstate.StartAsync();
        using var content = Padded("\"token\":\"mjt_not-a-token\"", OverSmallLimit);
        using var response = await estate.Server.Client.PostAsync(path, content, Ct);
        await AssertTooLargeAsync(response, "POST " + path);
    }

    [Theory]
    [InlineData("/v1/svid/jwt", "\"audience\":\"spiffe://demo.mandate.local/svc/billing\"")]
    [InlineData("/v1/svid/x509", "\"csr\":\"not-a-csr\"")]
    [InlineData("/v1/svid/validate", "\"token\":\"a.b.c\"")]
    public async Task ChunkedOversizedSvidRequest_ShouldBeRefused(string path, string members)
    {
        await using var estate = await TaskEstate.StartAsync();
        using var agent = estate.As(TaskEstate.Agent);
        using var content = Padded(members, OverSmallLimit);
        using var response = await agent.PostAsync(path, content, Ct);
        await AssertTooLargeAsync(response, "POST " + path);
    }

    [Fact]
    public async Task ChunkedOversizedAuditAnnotation_ShouldBeRefused_AndAnnotateNothing()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var content = Padded("\"reason\":\"body-limit-probe\"", OverSmallLimit);
        using var response = await estate.Admin.PostAsync("/v1/audit/events", content, Ct);
        await AssertTooLargeAsync(response, "POST /v1/audit/events");
        Assert.Empty(await estate.AuditAsync("annotation"));
    }

    [Fact]
    public async Task ChunkedOversizedRevocation_ShouldBeRefused_AndRevokeNothing()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var content = Padded("\"target_kind\":\"identity\",\"target\":\"" + TaskEstate.Helper + "\",\"reason\":\"probe\"", OverSmallLimit);
        using var response = await estate.Admin.PostAsync("/v1/revocations", content, Ct);
        await AssertTooLargeAsync(response, "POST /v1/revocations");

        using var list = await estate.Admin.GetAsync("/v1/revocations", Ct);
        list.EnsureSuccessStatusCode();
        Assert.Equal(0, JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("revocations").GetArrayLength());
    }

    [Theory]
    [InlineData("PUT", "/v1/policies")]
    [InlineData("POST", "/v1/policies/validate")]
    public async Task ChunkedOversizedPolicyBundle_ShouldBeRefused_AndActivateNothing(string method, string path)
    {
        await using var estate = await TaskEstate.StartAsync();
        using var before = await estate.Admin.GetAsync("/v1/policies", Ct);
        before.EnsureSuccessStatusCode();
        var active = JsonDocument.Parse(await before.Content.ReadAsStringAsync(Ct)).RootElement;
        var bundle = JsonNode.Parse(active.GetProperty("bundle").GetRawText())!.AsObject();
        var versionsBefore = await VersionCountAsync(estate);

        // The active bundle with one more policy file (a comment), padded past the policy limit.
        bundle["policies"]!.AsObject()["zz-probe.cedar"] = "// body-limit probe\n";
        var members = bundle.ToJsonString()[1..^1];
        using var content = Padded(members, OverPolicyLimit);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
        using var response = await estate.Admin.SendAsync(request, Ct);
        await AssertTooLargeAsync(response, method + " " + path);

        Assert.Equal(versionsBefore, await VersionCountAsync(estate));
        using var after = await estate.Admin.GetAsync("/v1/policies", Ct);
        Assert.Equal(
            active.GetProperty("version").GetString(),
            JsonDocument.Parse(await after.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("version").GetString());
    }

    private static async Task<int> VersionCountAsync(TaskEstate estate)
    {
        using var versions = await estate.Admin.GetAsync("/v1/policies/versions", Ct);
        versions.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await versions.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("versions").GetArrayLength();
    }

    [Theory]
    [InlineData("/oauth2/revoke", false)]
    [InlineData("/oauth2/revoke", true)]
    [InlineData("/oauth2/introspect", false)]
    [InlineData("/oauth2/token", true)]
    public async Task OversizedOAuthForm_ShouldBeRefused_AndRevokeNothing(string path, bool chunked)
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, _) = await estate.OpenAsync();
        var form = "token=" + Uri.EscapeDataString(token) + "&subject_token=" + Uri.EscapeDataString(token)
            + "&grant_type=" + Uri.EscapeDataString("urn:ietf:params:oauth:grant-type:token-exchange")
            + "&padding=" + new string('a', OverSmallLimit);
        using HttpContent content = chunked
            ? new ChunkedJsonContent(form, "application/x-www-form-urlencoded")
            : new StringContent(form, System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");
        using var response = await estate.Admin.PostAsync(path, content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"POST {path}: {(int)response.StatusCode} {text}");
        Assert.Equal("invalid_request", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());

        using var introspection = new FormUrlEncodedContent([new("token", token)]);
        using var check = await estate.Admin.PostAsync("/oauth2/introspect", introspection, Ct);
        check.EnsureSuccessStatusCode();
        Assert.True(JsonDocument.Parse(await check.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("active").GetBoolean());
    }
}
