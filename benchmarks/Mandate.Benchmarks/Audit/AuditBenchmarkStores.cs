using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Mandate.Storage.Relational;
using Mandate.Storage.Sqlite;
using Npgsql;

namespace Mandate.Benchmarks.Audit;

/// <summary>
/// Fresh stores for the audit benchmarks: a SQLite file (WAL, synchronous=FULL, as the server runs it) and, when
/// MANDATE_TEST_PG (the variable the tests and ./test.sh use) names a loopback PostgreSQL, a fresh schema in it.
/// </summary>
internal static class AuditBenchmarkStores
{
    public static string? PostgresConnection =>
        Environment.GetEnvironmentVariable("MANDATE_TEST_PG") is { Length: > 0 } connection ? connection : null;

    public static IEnumerable<string> Available() => PostgresConnection is null ? ["sqlite"] : ["sqlite", "postgres"];

    public static async Task<(IMandateStore Store, string Description)> CreateAsync(string kind)
    {
        IMandateStore store;
        string description;
        if (kind == "postgres")
        {
            var baseConnection = PostgresConnection ?? throw new InvalidOperationException("Set MANDATE_TEST_PG to a loopback PostgreSQL connection string.");
            var schema = "bench_" + Guid.NewGuid().ToString("N");
            await using (var connection = new NpgsqlConnection(baseConnection))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
                await command.ExecuteNonQueryAsync();
            }

            description = "postgres schema " + schema;
            store = new PostgresStore(new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = schema }.ToString());
        }
        else
        {
            var directory = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            description = Path.Combine(directory, "audit.db");
            store = new SqliteStore(description);
        }

        await store.MigrateAsync(CancellationToken.None);
        // The comparator's table: the ledger's rows as stored before the compact layout (migration 0320: the body as text
        // and copies of its fields, six indexes) minus the chain (no prev_hash, no hash), its own sequence.
        await using var session = (RelationalSession)await store.BeginAsync(StoreIntent.Write, CancellationToken.None);
        await session.ExecuteAsync(
            """
            CREATE TABLE audit_plain (
              seq BIGINT PRIMARY KEY, time_ms BIGINT NOT NULL, type TEXT NOT NULL, actor TEXT, subject TEXT, action TEXT,
              resource TEXT, decision TEXT, jti TEXT, task_id TEXT, request_id TEXT, body TEXT NOT NULL, chain TEXT, policy_version TEXT)
            """,
            CancellationToken.None);
        foreach (var index in new[] { "CREATE INDEX audit_plain_subject ON audit_plain (subject, seq)", "CREATE INDEX audit_plain_jti ON audit_plain (jti)", "CREATE INDEX audit_plain_task ON audit_plain (task_id)", "CREATE INDEX audit_plain_actor ON audit_plain (actor, seq)", "CREATE INDEX audit_plain_time ON audit_plain (time_ms)", "CREATE INDEX audit_plain_type ON audit_plain (type, seq)" })
        {
            await session.ExecuteAsync(index, CancellationToken.None);
        }

        await session.CommitAsync(CancellationToken.None);
        return (store, description);
    }

    /// <summary>A typical decision event: delegated, with a credential, a task and two details.</summary>
    public static AuditEvent SampleEvent(int i) => new()
    {
        Type = "decision",
        Actor = "spiffe://demo.mandate.local/agent/support-assistant",
        Subject = "spiffe://demo.mandate.local/svc/billing",
        Chain = ["spiffe://demo.mandate.local/agent/support-assistant"],
        Action = "Action::\"read\"",
        Resource = $"Ticket::\"{i % 1000}\"",
        Decision = (i & 7) == 0 ? "deny" : "allow",
        PolicyVersion = "sha256:4f1c2a9be0d13377",
        CredentialId = $"01JD{i:D8}",
        TaskId = $"task-{i / 100}",
        RequestId = $"0HN{i:D10}:00000001",
        Details = new Dictionary<string, string> { ["reason_policy"] = "policy3", ["sensitivity"] = "low" },
    };
}
