using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>Reads a test server's audit ledger back as canonical JSON bodies.</summary>
internal static class IdentityAudit
{
    public static async Task<List<JsonElement>> EventsAsync(MandateTestServer server, string type)
    {
        var ct = TestContext.Current.CancellationToken;
        var found = new List<JsonElement>();
        await using var session = await server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, ct);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(0, ct))
        {
            var body = JsonDocument.Parse(record.CanonicalJson).RootElement;
            if (body.GetProperty("type").GetString() == type)
            {
                found.Add(body.Clone());
            }
        }

        return found;
    }

    /// <summary>Every audit body, as text (to prove something is absent from the whole ledger).</summary>
    public static async Task<string> AllTextAsync(MandateTestServer server)
    {
        var ct = TestContext.Current.CancellationToken;
        var text = new System.Text.StringBuilder();
        await using var session = await server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, ct);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(0, ct))
        {
            text.AppendLine(record.CanonicalJson);
        }

        return text.ToString();
    }
}
