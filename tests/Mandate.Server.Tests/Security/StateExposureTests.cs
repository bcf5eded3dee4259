using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L7 and L8: the server's state must not be readable by other local users, and Mandate's own secrets must not end up
/// in the ledger. The SQLite database is created 0600 in a 0700 directory; an admin token sent as an id or request id is
/// fingerprinted, not stored.
/// </summary>
public sealed class StateExposureTests
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task SqliteDatabase_ShouldBeReadableByItsOwnerOnly()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", "private-" + Guid.NewGuid().ToString("N"), "state");
        var database = Path.Combine(directory, "mandate.db");
        await using var server = await MandateTestServer.StartAsync(o => o.Store = new StoreLocation(StoreKind.Sqlite, database));
        using (var admin = server.CreateAdminClient())
        {
            using var annotate = await admin.PostAsync("/v1/audit/events", new StringContent("{\"reason\":\"write something\"}", Encoding.UTF8, "application/json"), Ct);
            Assert.True(annotate.IsSuccessStatusCode);
        }

        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(directory) & GroupOrOther);
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(database) & GroupOrOther);
        foreach (var file in Directory.GetFiles(directory, "mandate.db*"))
        {
            UnixFileMode mode;
            try
            {
                mode = File.GetUnixFileMode(file);
            }
            catch (FileNotFoundException)
            {
                // SQLite removes its -wal and -shm files when a connection that checkpoints them closes, which can
                // happen between listing the directory and reading the mode: a file that is gone exposes nothing.
                continue;
            }

            Assert.True((mode & GroupOrOther) == 0, $"{file} is {mode}");
        }
    }

    [Fact]
    public async Task AdminToken_ShouldNotBeStoredInTheLedger_WhenSentAsAnIdOrRequestId()
    {
        await using var server = await MandateTestServer.StartAsync();
        var token = server.AdminToken;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/access/v1/evaluation")
        {
            Content = new StringContent(
                "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + token + "\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Dataset\",\"id\":\"x " + token + "\"}}",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Request-ID", token);
        using var response = await server.Client.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode);

        await server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
        var store = server.Services.GetRequiredService<IMandateStore>();
        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        var decisions = 0;
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
        {
            Assert.DoesNotContain(token, record.CanonicalJson, StringComparison.Ordinal);
            decisions += JsonDocument.Parse(record.CanonicalJson).RootElement.GetProperty("type").GetString() == "decision" ? 1 : 0;
        }

        Assert.True(decisions > 0, "the decision was not audited");
    }
}
