using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mandate.Server.Tests.Faults;

/// <summary>
/// A demo server whose background loops run every second or so (so a fault reaches all of them and their recovery
/// shows quickly), every decision audited (no folding), and SQLite waiting at most half a second for a lock.
/// </summary>
internal static class FaultServer
{
    public static readonly Dictionary<string, string?> FastLoops = new()
    {
        ["Mandate:Tasks:SweepInterval"] = "00:00:00.500",
        ["Mandate:Revocation:ReconcileInterval"] = "00:00:01",
        ["Mandate:Revocation:UseFlushInterval"] = "00:00:01",
        ["Mandate:Identity:KeyCheckInterval"] = "00:00:01",
        ["Mandate:Decisions:AuditRepeatWindow"] = "00:00:00",
        ["Mandate:Store:BusyTimeout"] = "00:00:00.500",
        // A decision waits for its record's commit at most this long (a fault refuses it after this, not after 5 s).
        ["Mandate:Decisions:AuditQueueWaitTimeout"] = "00:00:01",
    };

    public static Task<MandateTestServer> StartAsync(Action<MandateServerOptions>? configure = null) =>
        MandateTestServer.StartAsync(configure, b => b.Configuration.AddInMemoryCollection(FastLoops));

    /// <summary>Registers a workload identity; the status code and, on failure, the problem's code.</summary>
    public static async Task<(HttpStatusCode Status, string? Code)> RegisterAsync(HttpClient admin, string spiffeId, CancellationToken cancellationToken)
    {
        var body = $$"""{"spiffe_id":"{{spiffeId}}","kind":"workload","owner":"team:faults","purpose":"fault test","environment":"staging","ttl_seconds":86400}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync(new Uri("/v1/identities", UriKind.Relative), content, cancellationToken);
        return (response.StatusCode, await CodeAsync(response, cancellationToken));
    }

    /// <summary>Asks the decision point about a resource named <paramref name="resourceId"/> (so its audit record can be found).</summary>
    public static async Task<(HttpStatusCode Status, string? Code)> DecideAsync(HttpClient client, string resourceId, CancellationToken cancellationToken)
    {
        var body = $$$"""{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"action":{"name":"read"},"resource":{"type":"Invoice","id":"{{{resourceId}}}"}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/access/v1/evaluation", UriKind.Relative), content, cancellationToken);
        return (response.StatusCode, await CodeAsync(response, cancellationToken));
    }

    public static async Task<JsonElement> ReadinessAsync(HttpClient admin, CancellationToken cancellationToken)
    {
        using var response = await admin.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    /// <summary>Polls <c>/readyz</c> until <paramref name="accept"/> holds; fails with the last answer after <paramref name="within"/>.</summary>
    public static async Task<JsonElement> WaitForReadinessAsync(HttpClient admin, Func<JsonElement, bool> accept, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        JsonElement last;
        do
        {
            last = await ReadinessAsync(admin, cancellationToken);
            if (accept(last))
            {
                return last;
            }

            await Task.Delay(200, cancellationToken);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"/readyz did not reach the expected state within {within}: {last}");
        return last;
    }

    public static string LoopState(JsonElement readiness, string loop) =>
        readiness.GetProperty("background").EnumerateArray().First(l => l.GetProperty("name").GetString() == loop).GetProperty("state").GetString()!;

    public static bool AllLoopsRunning(JsonElement readiness) =>
        readiness.GetProperty("background").EnumerateArray().All(l => l.GetProperty("state").GetString() == "running");

    /// <summary>The host has not begun stopping (a faulted background service would stop it under .NET's default).</summary>
    public static void AssertStillRunning(MandateTestServer server)
    {
        var lifetime = server.Services.GetRequiredService<IHostApplicationLifetime>();
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the host began stopping");
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("code", out var code) ? code.GetString() : text;
        }
        catch (JsonException)
        {
            return text;
        }
    }
}
