using System.Net;
using System.Text;
using Mandate.Server.Tests.Tasks;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L5: a <c>ttl_seconds</c> near Int64.MaxValue must be a 400 problem everywhere a lifetime is asked for (tasks and
/// their renewal, join tokens, identity registration, SVIDs), never a 500 from an overflowing TimeSpan.
/// </summary>
public sealed class TtlOverflowTests
{
    private const string Huge = "9223372036854775807";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task HugeTtl_ShouldBeABadRequest_OnEveryEndpointThatTakesOne()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, _, _) = await estate.OpenAsync();
        using var agent = estate.As(TaskEstate.Agent);
        var intent = "{\"description\":\"d\",\"actions\":[\"read\"],\"resources\":[\"Ticket\"],\"sensitivity_ceiling\":\"low\",\"destinations\":[],\"delegates\":[]}";
        var attempts = new (HttpClient Client, string Path, string Body)[]
        {
            (agent, "/v1/tasks", "{\"intent\":" + intent + ",\"ttl_seconds\":" + Huge + "}"),
            (agent, $"/v1/tasks/{taskId}/renew", "{\"ttl_seconds\":" + Huge + "}"),
            (agent, "/v1/svid/jwt", "{\"audience\":\"spiffe://demo.mandate.local/svc/billing\",\"ttl_seconds\":" + Huge + "}"),
            (estate.Admin, "/v1/attest/join-tokens", "{\"spiffe_id\":\"" + TaskEstate.Helper + "\",\"ttl_seconds\":" + Huge + "}"),
            (estate.Admin, "/v1/identities", "{\"spiffe_id\":\"spiffe://demo.mandate.local/svc/new\",\"kind\":\"service\",\"owner\":\"team:x\",\"purpose\":\"p\",\"environment\":\"test\",\"ttl_seconds\":" + Huge + "}"),
        };
        foreach (var (client, path, body) in attempts)
        {
            using var response = await client.PostAsync(path, Json(body), Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
