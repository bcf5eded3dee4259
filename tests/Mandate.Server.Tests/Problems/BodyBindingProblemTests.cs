using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Identity;
using Mandate.Server.Tests.Infrastructure;
using static Mandate.Tests.Shared.ProblemAssert;

namespace Mandate.Server.Tests.Problems;

/// <summary>
/// Bodies the framework binds (identity, SVID, attestation, audit endpoints) that are not the JSON the endpoint
/// expects: a problem that says where and what, never a bare 400.
/// </summary>
public sealed class BodyBindingProblemTests : IAsyncLifetime
{
    private const string Workload = "spiffe://demo.mandate.local/test/binding";
    private MandateTestServer server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        server = await MandateTestServer.StartAsync();
        await IdentityTestData.RegisterAsync(server, Workload);
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("""{"audience":42}""", "$.audience", "line 1, column 15")]
    [InlineData("""{"audience":"rp","ttl_seconds":"soon"}""", "$.ttl_seconds", "line 1")]
    [InlineData("""{"audience":"rp","ttl_seconds":"300"}""", "$.ttl_seconds", "line 1")]
    [InlineData("[]", null, "line 1, column 2")]
    [InlineData("""{"audience":"rp" """, null, "line 1")]
    public async Task SvidRequest_WithTheWrongJson_ShouldSayWhereAndWhat(string body, string? path, string where)
    {
        using var client = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, Workload));
        using var response = await client.PostAsync("/v1/svid/jwt", Json(body), Ct);
        var detail = (await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json")).GetProperty("detail").GetString()!;
        Assert.Contains(where, detail, StringComparison.Ordinal);
        if (path is not null)
        {
            Assert.Contains(path, detail, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("BytePositionInLine", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminRequest_WithAWronglyTypedMember_ShouldBeMalformedJson()
    {
        using var admin = server.CreateAdminClient();
        using var response = await admin.PostAsync("/v1/identities", Json("""{"spiffe_id":42,"kind":"workload"}"""), Ct);
        var detail = (await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json")).GetProperty("detail").GetString()!;
        Assert.Contains("$.spiffe_id", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousAttestation_WithAWronglyTypedToken_ShouldBeMalformedJson_WithoutEchoingIt()
    {
        using var response = await server.Client.PostAsync("/v1/attest/join", Json("""{"token":["mjt_secret-looking-value"]}"""), Ct);
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
        Assert.DoesNotContain("mjt_", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADuplicatedMember_ShouldBeRefused_NotSilentlyResolved()
    {
        using var admin = server.CreateAdminClient();
        using var response = await admin.PostAsync("/v1/audit/events", Json("""{"reason":"r","details":{"a":"1","a":"3"}}"""), Ct);
        var detail = (await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json")).GetProperty("detail").GetString()!;
        Assert.Contains("$.details", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyThatIsNotJson_ShouldBeUnsupportedMediaType()
    {
        using var client = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, Workload));
        using var response = await client.PostAsync("/v1/svid/jwt", new StringContent("audience=rp", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task AMissingBody_ShouldBeAnsweredByTheEndpointsOwnCheck_NotByTheBinder()
    {
        // Bodies are optional to the binder; the endpoint then names the first thing missing.
        using var client = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, Workload));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/svid/jwt");
        using var response = await client.SendAsync(request, Ct);
        var detail = (await ProblemAsync(response, HttpStatusCode.BadRequest, "svid-audience-required")).GetProperty("detail").GetString();
        Assert.Contains("audience", detail, StringComparison.Ordinal);
    }
}
