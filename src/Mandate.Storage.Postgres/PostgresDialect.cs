using System.Data.Common;
using System.Reflection;
using Mandate.Core.Storage;
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

    public override async ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, StoreIntent intent, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    // bytea to text and back, checked as UTF-8 by the server (the database encoding of a Mandate database).
    public override string TextFromUtf8Sql(string parameter) => $"convert_from({parameter}, 'UTF8')";

    public override string Utf8FromTextSql(string column) => $"convert_to({column}, 'UTF8')";

    public override string? SerializeSql(string lockName) =>
        $"SELECT pg_advisory_xact_lock({StableKey(lockName)})";

    public override string MigrationLockSql => $"SELECT pg_advisory_xact_lock({StableKey("schema_migrations")})";

    public override bool IsUniqueViolation(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    // SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html
    public override StoreException? Translate(Exception exception) => exception switch
    {
        PostgresException pg when pg.SqlState.StartsWith("23", StringComparison.Ordinal) => null,
        PostgresException pg => new(Classify(pg.SqlState), $"PostgreSQL error {pg.SqlState}: {pg.MessageText}", pg),
        NpgsqlException npgsql => new(StoreFault.Unreachable, $"PostgreSQL is unreachable: {npgsql.Message}", npgsql),
        _ => null,
    };

    private static StoreFault Classify(string sqlState) => sqlState switch
    {
        // Connection exceptions; the server shutting down or starting up.
        _ when sqlState.StartsWith("08", StringComparison.Ordinal) => StoreFault.Unreachable,
        "57P01" or "57P02" or "57P03" or "3D000" => StoreFault.Unreachable,
        "25006" => StoreFault.ReadOnly,
        "42P01" or "42703" or "3F000" => StoreFault.Schema,
        "53300" => StoreFault.Unreachable,
        "53100" => StoreFault.Io,
        _ when sqlState.StartsWith("58", StringComparison.Ordinal) => StoreFault.Io,
        _ when sqlState.StartsWith("XX", StringComparison.Ordinal) => StoreFault.Corrupt,
        _ => StoreFault.Server,
    };

    /// <summary>A lock key that is the same in every process (string.GetHashCode is randomized per process).</summary>
    private static long StableKey(string name)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("mandate:" + name));
        return BitConverter.ToInt64(hash, 0);
    }
}
