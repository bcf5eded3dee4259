using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Operators;

namespace Mandate.Server.Tests.Exceptions;

/// <summary>Exceptions over the real API: requests, decisions and the ledger.</summary>
internal static class ExceptionHttp
{
    public const string Billing = "spiffe://demo.mandate.local/svc/billing";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Settings that let a test see expiry: a one-second minimum TTL and a fast sweeper.</summary>
    public static Dictionary<string, string?> FastExpiry(string sweep = "00:00:00.2") => new()
    {
        ["Mandate:Exceptions:MinTtl"] = "00:00:01",
        ["Mandate:Exceptions:SweepInterval"] = sweep,
    };

    public static Task<MandateTestServer> StartAsync(Dictionary<string, string?>? settings = null) =>
        MandateTestServer.StartAsync(configureBuilder: b => Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(b.Configuration, settings ?? []));

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Requests an exception as <paramref name="client"/>; asserts it is pending and returns its id.</summary>
    public static async Task<string> RequestAsync(HttpClient client, string identity = Billing, string action = "read", string resource = "Ticket::\"T-1001\"", long ttlSeconds = 600)
    {
        var (response, body) = await PostAsync(client, "/v1/exceptions", new { identity, action, resource, ttl_seconds = ttlSeconds, reason = "INC-42: billing must read the disputed ticket" });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body.ToString());
        Assert.Equal("pending", body.GetProperty("status").GetString());
        response.Dispose();
        return body.GetProperty("id").GetString()!;
    }

    /// <summary>The AuthZEN decision for <paramref name="identity"/> doing <paramref name="action"/> on a ticket (no credential).</summary>
    public static async Task<(bool Decision, JsonElement Body)> DecideAsync(HttpClient pep, string identity = Billing, string action = "read", string type = "Ticket", string id = "T-1001", object? context = null)
    {
        var json = JsonSerializer.Serialize(new { subject = new { type = "Workload", id = identity }, action = new { name = action }, resource = new { type, id }, context = context ?? new { } });
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await pep.PostAsync("/access/v1/evaluation", content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        return (body.GetProperty("decision").GetBoolean(), body);
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string id)
    {
        var body = await client.GetFromJsonAsync<JsonElement>("/v1/exceptions/" + id, Ct);
        return body;
    }

    /// <summary>The decision ledger events, newest last.</summary>
    public static async Task<List<JsonElement>> DecisionEventsAsync(MandateTestServer server) =>
        await OperatorTestData.EventsAsync(server, "decision");

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, double seconds = 10)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), what);
            await Task.Delay(50, Ct);
        }
    }

    public static async Task<List<JsonElement>> AlertsAsync(HttpClient admin, string rule)
    {
        using var response = await admin.GetAsync("/v1/alerts?rule=" + rule, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.Clone())];
    }
}
