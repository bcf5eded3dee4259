using System.Net;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;
using Microsoft.Extensions.Configuration;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// M2: wildcard matching must not be a CPU lever. What reaches a decision is bounded (ids 256 characters, context
/// 32 KiB, body 256 KiB) and both matchers are linear in practice (the Cedar <c>like</c> matcher O(n + m) with KMP; see
/// WildcardMatchBenchmarks for the worst cases at the bounds). Here: the inputs that burned seconds are refused at the door.
/// </summary>
public sealed class CpuExhaustionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string json) =>
        await client.PostAsync("/access/v1/evaluations", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    [Fact]
    public async Task LikePolicy_ShouldNotBeFedHugeContextStrings_InABatch()
    {
        var data = Path.Combine(Path.GetTempPath(), "mandate-tests", "like-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "policies.cedar"), "permit (principal, action, resource) when { context.text like \"*" + new string('a', 200) + "b*\" };", Ct);
        await File.WriteAllTextAsync(Path.Combine(data, "entities.json"), "[]", Ct);
        await using var server = await MandateTestServer.StartAsync(o => { o.Demo = false; o.DataDirectory = data; }, TestPep.Configure);
        using var pep = TestPep.CreateClient(server);

        // Five items of 60 KB each: the request body alone is over the bound.
        var item = "{\"context\":{\"text\":\"" + new string('a', 60_000) + "\"}}";
        var batch = "{\"subject\":{\"type\":\"User\",\"id\":\"u\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Doc\",\"id\":\"d\"},\"evaluations\":["
            + string.Join(',', Enumerable.Repeat(item, 5)) + "]}";
        using (var response = await PostAsync(pep, batch))
        {
            await ProblemAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        }

        // Within the body bound, each item's context is over its own bound: refused in place, nothing is matched.
        var smaller = "{\"subject\":{\"type\":\"User\",\"id\":\"u\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Doc\",\"id\":\"d\"},\"evaluations\":["
            + string.Join(',', Enumerable.Repeat("{\"context\":{\"text\":\"" + new string('a', 40_000) + "\"}}", 5)) + "]}";
        using var answered = await PostAsync(pep, smaller);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var items = JsonDocument.Parse(await answered.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("evaluations");
        Assert.Equal(5, items.GetArrayLength());
        Assert.All(items.EnumerateArray(), i => Assert.Equal("input-too-large", i.GetProperty("context").GetProperty("error").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task TaskGlob_ShouldNotBeFedAHugeResourceId()
    {
        await using var estate = await TaskEstate.StartAsync(configureBuilder: b => b.Configuration["Mandate:Decisions:AllowAnonymousPeps"] = "Loopback");
        var glob = "Ticket::\"" + string.Concat(Enumerable.Repeat("*a", 200)) + "*b\"";
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent, new
        {
            description = "pathological glob",
            actions = new[] { "read" },
            resources = new[] { glob },
            sensitivity_ceiling = "medium",
            destinations = Array.Empty<string>(),
            delegates = Array.Empty<string>(),
        });
        var json = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + TaskEstate.Agent + "\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Ticket\",\"id\":\""
            + new string('a', 200_000) + "\"},\"context\":{\"credential\":\"" + token + "\"}}";
        using var pep = estate.As(TaskEstate.Helper);
        using var response = await pep.PostAsync("/access/v1/evaluation", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "input-too-large");
    }
}
