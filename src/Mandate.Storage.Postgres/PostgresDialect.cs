using System.Data.Common;
using System.Reflection;
using Mandate.Storage.Relational;
using Npgsql;

namespace Mandate.Storage.Postgres;

/// <summary>PostgreSQL; appends to a chain are serialized with a transaction-scoped advisory lock.</summary>
internal sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect
{
    public override string Kind => "postgres";

    public override Assembly MigrationAssembly => typeof(PostgresDialect).Assembly;

    public NpgsqlDataSource DataSource => dataSource;

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, bool write, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    public override string? SerializeSql(string lockName) =>
        $"SELECT pg_advisory_xact_lock({StableKey(lockName)})";

    public override string MigrationLockSql => $"SELECT pg_advisory_xact_lock({StableKey("schema_migrations")})";

    public override bool IsUniqueViolation(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override string? Describe(Exception exception) => exception switch
    {
        PostgresException pg => $"PostgreSQL error {pg.SqlState}: {pg.MessageText}",
        NpgsqlException npgsql => $"PostgreSQL is unreachable: {npgsql.Message}",
        _ => null,
    };

    /// <summary>A lock key that is the same in every process (string.GetHashCode is randomized per process).</summary>
    private static long StableKey(string name)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("mandate:" + name));
        return BitConverter.ToInt64(hash, 0);
    }
}
