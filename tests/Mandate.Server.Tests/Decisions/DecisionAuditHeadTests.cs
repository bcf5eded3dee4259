using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Mandate.Server.Storage;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Decisions;

/// <summary>
/// The decision audit writer chains each batch onto the head it committed last, without reading it. When another
/// writer appended meanwhile (the audit trail's own group-commit writer on this node, another node's decision writer)
/// the store refuses the batch and it is written again on the head read afresh. Over real HTTP, with one decision per
/// batch: every answered decision is in one unbroken chain exactly once, on both stores.
/// </summary>
public sealed class DecisionAuditHeadTests
{
    private const string Permit = "permit (principal, action, resource);";
    private const string Body = """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task DecisionBatches_ShouldStayOneChain_WithEachDecisionOnce_WhenOtherWritersAppendBetweenThem(string store)
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", "decision-head-" + Guid.NewGuid().ToString("N"));
        StoreLocation? location = store == "postgres" ? MandateTestServer.PostgresLocation(await PostgresTestDatabase.CreateSchemaAsync()) : null;
        await using var first = await StartNodeAsync(location, state);
        await using var second = location is null ? null : await StartNodeAsync(location, state);
        using (var admin = first.CreateAdminClient())
        using (var put = await admin.PutAsJsonAsync("/v1/policies", new { policies = new Dictionary<string, string> { ["p.cedar"] = Permit } }, Ct))
        {
            put.EnsureSuccessStatusCode();
        }

        var expected = new List<string>();
        for (var round = 0; round < 4; round++)
        {
            // Batches of one decision each: after the first, each is chained onto the head the writer remembers.
            for (var i = 0; i < 3; i++)
            {
                expected.Add(await DecideAsync(first, $"a-{round}-{i}"));
            }

            // Another writer moves the head under the remembered one: the next batch is refused and written again.
            await first.Services.GetRequiredService<IAuditTrail>().AppendAsync(new AuditEvent { Type = "test.note", Reason = $"between-{round}" }, Ct);
            if (second is not null)
            {
                expected.Add(await DecideAsync(second, $"b-{round}"));
            }
        }

        await using var reader = StoreRegistration.Open(first.Options.EffectiveStore);
        var verification = await AuditStoreVerifier.VerifyAsync(reader, null, Ct);
        Assert.True(verification.Verified, verification.Failure?.ToString());
        var decided = new List<string>();
        var notes = 0;
        await using (var session = await reader.BeginAsync(StoreIntent.Read, Ct))
        {
            await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
            {
                var e = JsonDocument.Parse(record.CanonicalJson).RootElement;
                var type = e.GetProperty("type").GetString();
                if (type == "decision" && e.GetProperty("decision").GetString() == "allow" && e.TryGetProperty("request_id", out var id))
                {
                    decided.Add(id.GetString()!);
                }
                else if (type == "test.note")
                {
                    notes++;
                }
            }
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), decided.Order(StringComparer.Ordinal));
        Assert.Equal(4, notes);
    }

    /// <summary>One allowed decision, committed to the ledger before this returns (a batch of its own).</summary>
    private static async Task<string> DecideAsync(MandateTestServer node, string requestId)
    {
        using var client = node.CreateAdminClient();

        // A node that has not heard of the policy yet denies; the second node is told of it by the first.
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/access/v1/evaluation") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("X-Request-ID", requestId + (attempt == 0 ? string.Empty : $"-retry{attempt}"));
            using var response = await client.SendAsync(request, Ct);
            response.EnsureSuccessStatusCode();
            await node.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
            if ((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("decision").GetBoolean())
            {
                return requestId + (attempt == 0 ? string.Empty : $"-retry{attempt}");
            }

            Assert.True(attempt < 100, "the node never enforced the policy");
            await Task.Delay(100, Ct);
        }
    }

    // Both nodes share the state directory (the key-encryption key and the admin token), as one deployment's nodes do.
    private static Task<MandateTestServer> StartNodeAsync(StoreLocation? location, string state) =>
        MandateTestServer.StartAsync(o =>
        {
            o.Demo = false;
            o.Store = location;
            o.StateDirectory = state;
        });
}
