using System.Net;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mandate.Server.Tests.Faults;

/// <summary>
/// The original report: tables renamed under a running server. Every request that needs them answers 503
/// <c>store-unavailable</c> (never 500), the background loops that use them report <c>degraded</c> in <c>/readyz</c>
/// and keep retrying instead of stopping the host, and all recover once the tables are back.
/// </summary>
public sealed class StoreSchemaFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task RenamingTablesUnderARunningServer_ShouldAnswer503_KeepTheLoopsAlive_AndRecover(string kind)
    {
        string? postgres = kind == "postgres" ? await PostgresTestDatabase.CreateSchemaAsync() : null;
        await using var server = await FaultServer.StartAsync(o =>
        {
            if (postgres is not null)
            {
                o.Store = MandateTestServer.PostgresLocation(postgres);
            }
        });
        using var admin = server.CreateAdminClient();
        await FaultServer.WaitForReadinessAsync(admin, r => FaultServer.AllLoopsRunning(r), TimeSpan.FromSeconds(15), Ct);

        Task ExecuteAsync(string sql) => postgres is null ? SqliteExecuteAsync(server.Options.EffectiveStore.Target, sql) : PostgresTestDatabase.ExecuteAsync(postgres, sql);

        await ExecuteAsync("ALTER TABLE identities RENAME TO identities_moved");
        await ExecuteAsync("ALTER TABLE tasks RENAME TO tasks_moved");
        try
        {
            var (status, code) = await FaultServer.RegisterAsync(admin, "spiffe://demo.mandate.local/fault/renamed", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("store-unavailable", code);
            var degraded = await FaultServer.WaitForReadinessAsync(
                admin,
                r => FaultServer.LoopState(r, "task-sweeper") == "degraded" && FaultServer.LoopState(r, "identity-maintenance") == "degraded",
                TimeSpan.FromSeconds(15),
                Ct);
            Assert.Equal("degraded", degraded.GetProperty("status").GetString());
            var sweeper = degraded.GetProperty("background").EnumerateArray().First(l => l.GetProperty("name").GetString() == "task-sweeper");
            Assert.Equal("store-schema", sweeper.GetProperty("last_error").GetString());
            Assert.True(sweeper.GetProperty("failing_since").GetDateTimeOffset() <= DateTimeOffset.UtcNow);

            // Anonymous callers learn only the status, never the loops or errors.
            var anonymous = await FaultServer.ReadinessAsync(server.Client, Ct);
            Assert.False(anonymous.TryGetProperty("background", out _));
            FaultServer.AssertStillRunning(server);
        }
        finally
        {
            await ExecuteAsync("ALTER TABLE tasks_moved RENAME TO tasks");
            await ExecuteAsync("ALTER TABLE identities_moved RENAME TO identities");
        }

        await FaultServer.WaitForReadinessAsync(admin, r => r.GetProperty("status").GetString() == "ready" && FaultServer.AllLoopsRunning(r), TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(HttpStatusCode.Created, (await FaultServer.RegisterAsync(admin, "spiffe://demo.mandate.local/fault/restored", Ct)).Status);
    }

    private static async Task SqliteExecuteAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }
}
