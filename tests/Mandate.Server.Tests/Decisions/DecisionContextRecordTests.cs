using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;

namespace Mandate.Server.Tests.Decisions;

/// <summary>
/// A decision's ledger record keeps the context the caller sent, so the decision can be reconstructed from the ledger
/// (and the console's decision page can show it): secrets named as such are kept as fingerprints and never reach the
/// store, an oversized context is kept by its size only, and a request without context records none.
/// </summary>
public sealed class DecisionContextRecordTests
{
    private const string Billing = "spiffe://demo.mandate.local/svc/billing";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Evaluate(string? context) =>
        "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + Billing + "\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Invoice\",\"id\":\"INV-2026-001\"}"
        + (context is null ? string.Empty : ",\"context\":" + context) + "}";

    [Fact]
    public async Task Decision_ShouldKeepTheCallersContext_WithSecretMembersFingerprinted_AndNothingSecretInTheStore()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        var password = "hunter2-" + Guid.NewGuid().ToString("N");
        var apiKey = "k-" + Guid.NewGuid().ToString("N");
        var context = "{\"sensitivity\":\"high\",\"destination\":\"external\",\"password\":\"" + password + "\",\"request\":{\"api_key\":\"" + apiKey + "\",\"size\":42}}";

        var details = await DecideAsync(admin, context);

        var recorded = JsonDocument.Parse(details.GetProperty("context").GetString()!).RootElement;
        Assert.Equal("high", recorded.GetProperty("sensitivity").GetString());
        Assert.Equal("external", recorded.GetProperty("destination").GetString());
        Assert.Equal(42, recorded.GetProperty("request").GetProperty("size").GetInt64());
        Assert.StartsWith("sha256:", recorded.GetProperty("password").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("sha256:", recorded.GetProperty("request").GetProperty("api_key").GetString(), StringComparison.Ordinal);
        Assert.False(recorded.TryGetProperty("risk", out _), "a low risk is not repeated in every record");

        // Neither secret reaches the ledger export or any file of the store; the chain still verifies.
        var export = await admin.GetStringAsync("/v1/audit/export", Ct);
        Assert.DoesNotContain(password, export, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey, export, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(server.Options.StateDirectory!, "*", SearchOption.AllDirectories))
        {
            var bytes = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file, Ct));
            Assert.DoesNotContain(password, bytes, StringComparison.Ordinal);
            Assert.DoesNotContain(apiKey, bytes, StringComparison.Ordinal);
        }

        var verify = await admin.GetFromJsonAsync<JsonElement>("/v1/audit/verify", Ct);
        Assert.Equal("verified", verify.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Decision_ShouldKeepAnOversizedContextBySizeOnly_AndRecordNoContextWhenNoneWasSent()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();

        var large = await DecideAsync(admin, "{\"blob\":\"" + new string('x', 5000) + "\"}");
        Assert.False(large.TryGetProperty("context", out _));
        Assert.Equal("5011 bytes", large.GetProperty("context_omitted").GetString());

        var none = await DecideAsync(admin, null);
        Assert.False(none.TryGetProperty("context", out _));
        Assert.False(none.TryGetProperty("context_omitted", out _));

        // Two decisions that differ only in their context are two records, not one and a repetition.
        var first = await DecideAsync(admin, "{\"destination\":\"eu\"}");
        var second = await DecideAsync(admin, "{\"destination\":\"us\"}");
        Assert.Contains("\"eu\"", first.GetProperty("context").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"us\"", second.GetProperty("context").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Decides over HTTP and returns the details of the ledger record with the answer's decision id.</summary>
    private static async Task<JsonElement> DecideAsync(HttpClient admin, string? context)
    {
        using var response = await admin.PostAsync("/access/v1/evaluation", new StringContent(Evaluate(context), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        var decisionId = answer.GetProperty("context").GetProperty("decision_id").GetString();
        var events = await admin.GetFromJsonAsync<JsonElement>("/v1/audit/events?type=decision&limit=1000", Ct);
        foreach (var e in events.GetProperty("events").EnumerateArray())
        {
            if (e.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object
                && details.TryGetProperty("decision_id", out var id) && id.GetString() == decisionId)
            {
                return details.Clone();
            }
        }

        throw new Xunit.Sdk.XunitException($"no ledger record for decision {decisionId}: {events.GetRawText()[..Math.Min(2000, events.GetRawText().Length)]}");
    }
}
