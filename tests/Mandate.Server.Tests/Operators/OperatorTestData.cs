using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Operators;

/// <summary>Operators and their tokens made over the real admin API, and reading the ledger back.</summary>
internal static class OperatorTestData
{
    /// <summary>Adds an operator with the bootstrap admin token and returns a client holding a fresh token of theirs.</summary>
    public static async Task<(HttpClient Client, string Token, string TokenId)> AddWithTokenAsync(MandateTestServer server, string name, params string[] roles)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = server.CreateAdminClient();
        var added = await admin.PostAsJsonAsync("/v1/operators", new { name, roles }, ct);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(ct));
        var (token, id) = await CreateTokenAsync(admin, name);
        return (Client(server, token), token, id);
    }

    public static async Task<(string Token, string TokenId)> CreateTokenAsync(HttpClient caller, string name, object? body = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await caller.PostAsJsonAsync($"/v1/operators/{name}/tokens", body ?? new { label = "tests" }, ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(response.IsSuccessStatusCode, json.GetRawText());
        return (json.GetProperty("token").GetString()!, json.GetProperty("token_id").GetString()!);
    }

    public static HttpClient Client(MandateTestServer server, string token)
    {
        var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Every ledger record's canonical JSON, in order.</summary>
    public static async Task<List<string>> LedgerAsync(MandateTestServer server)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var session = await server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, ct);
        var list = new List<string>();
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(0, ct))
        {
            list.Add(record.CanonicalJson);
        }

        return list;
    }

    /// <summary>The ledger events of a type, as JSON.</summary>
    public static async Task<List<JsonElement>> EventsAsync(MandateTestServer server, string type)
    {
        var events = new List<JsonElement>();
        foreach (var json in await LedgerAsync(server))
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.TryGetProperty("type", out var t) && t.GetString() == type)
            {
                events.Add(document.RootElement.Clone());
            }
        }

        return events;
    }

    public static async Task AssertProblemAsync(HttpResponseMessage response, System.Net.HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        Assert.Equal(code, document.RootElement.GetProperty("code").GetString());
        Assert.Equal("https://mandate.dev/problems/" + code, document.RootElement.GetProperty("type").GetString());
    }
}
