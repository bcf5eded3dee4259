using System.Data.Common;
using System.Reflection;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace Mandate.Storage.Sqlite;

/// <summary>SQLite in WAL mode; one writer at a time (BEGIN IMMEDIATE), readers never blocked.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    private readonly string connectionString;
    private readonly string path;
    private volatile bool directoryEnsured;

    public SqliteDialect(string path)
    {
        this.path = Path.GetFullPath(path);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = this.path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public override string Kind => "sqlite";

    public override Assembly MigrationAssembly => typeof(SqliteDialect).Assembly;

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        if (!directoryEnsured)
        {
            // The database holds the ledger, identities and wrapped keys: a 0700 directory (when we create it) and a 0600
            // file created before SQLite opens it, so its journals (created with the database's mode) are 0600 too.
            PrivateFiles.EnsureFile(path);
            foreach (var journal in new[] { "-wal", "-shm", "-journal" })
            {
                PrivateFiles.Tighten(path + journal);
            }

            directoryEnsured = true;
        }

        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var pragma = connection.CreateCommand();
        await using var pragmaDisposal = pragma.ConfigureAwait(false);
        pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public override async ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, bool write, CancellationToken cancellationToken)
    {
        // Deferred read transactions see a snapshot; write transactions lock at BEGIN so they never fail on upgrade.
        var sqlite = (SqliteConnection)connection;
        return await Task.FromResult<DbTransaction>(sqlite.BeginTransaction(deferred: !write)).ConfigureAwait(false);
    }

    public override string? SerializeSql(string lockName) => null;

    public override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandDisposal = command.ConfigureAwait(false);
        command.CommandText = "PRAGMA quick_check";
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        if (!string.Equals(result, "ok", StringComparison.Ordinal))
        {
            throw new StoreException($"The SQLite database {path} failed its integrity check ({result}). Refusing to start; restore it from a backup. It was not modified.");
        }

        command.CommandText = "PRAGMA journal_mode = WAL";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    // SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067).
    public override bool IsUniqueViolation(Exception exception) => exception is SqliteException { SqliteExtendedErrorCode: 1555 or 2067 };

    public override string? Describe(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 26 } => $"The file {path} is not a SQLite database (or it is corrupt or encrypted). Refusing to start; it was not modified.",
        SqliteException { SqliteErrorCode: 11 } => $"The SQLite database {path} is corrupt. Refusing to start; it was not modified.",
        SqliteException { SqliteErrorCode: 14 } => $"The SQLite database {path} cannot be opened (check the directory exists and is writable).",
        SqliteException { SqliteErrorCode: 8 } => $"The SQLite database {path} is read-only.",
        SqliteException { SqliteErrorCode: 10 } => $"Reading the SQLite database {path} failed with an I/O error.",
        SqliteException sqlite => $"SQLite error {sqlite.SqliteErrorCode} on {path}: {sqlite.Message}",
        UnauthorizedAccessException or IOException => $"The SQLite database {path} cannot be opened: {exception.Message}",
        _ => null,
    };
}
