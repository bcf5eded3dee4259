using System.Globalization;
using System.Text.RegularExpressions;
using Mandate.Core.Storage;

namespace Mandate.Storage.Relational;

/// <summary>
/// Applies the dialect's embedded <c>migrations/NNNN_name.sql</c> files in version order, each in its own transaction,
/// and records them in <c>schema_migrations</c>.
/// </summary>
internal sealed partial class Migrator(SqlDialect dialect)
{
    private const string CreateTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

    private readonly Lazy<IReadOnlyList<Migration>> migrations = new(() => Load(dialect));

    public int ExpectedVersion => migrations.Value.Count == 0 ? 0 : migrations.Value[^1].Version;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await dialect.PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        var session = await BeginAsync(write: true, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        if (dialect.MigrationLockSql is { } lockSql)
        {
            await session.ExecuteAsync(lockSql, cancellationToken).ConfigureAwait(false);
        }

        await session.ExecuteAsync(CreateTable, cancellationToken).ConfigureAwait(false);
        var applied = await AppliedAsync(session, cancellationToken).ConfigureAwait(false);
        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > ExpectedVersion)
        {
            throw new StoreException(
                $"The {dialect.Kind} database is at schema version {newest}, newer than this build knows ({ExpectedVersion}). Refusing to start; use a newer Mandate.");
        }

        foreach (var migration in migrations.Value)
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            foreach (var (statements, check) in Steps(migration.Sql))
            {
                foreach (var statement in statements)
                {
                    await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
                }

                if (check is not null)
                {
                    await MigrationChecks.RunAsync(check, session, cancellationToken).ConfigureAwait(false);
                }
            }

            await session.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t)",
                cancellationToken,
                ("@v", (long)migration.Version),
                ("@n", migration.Name),
                ("@t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoreStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var session = await BeginAsync(write: false, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var applied = await AppliedAsync(session, cancellationToken).ConfigureAwait(false);
        var missing = migrations.Value.Where(m => !applied.Contains(m.Version)).Select(m => m.Version).ToList();
        var appliedVersion = applied.Count == 0 ? 0 : applied.Max();
        return missing.Count == 0
            ? new StoreStatus(true, appliedVersion, ExpectedVersion, null)
            : new StoreStatus(false, appliedVersion, ExpectedVersion, $"migrations not applied: {string.Join(", ", missing)}");
    }

    private async Task<RelationalSession> BeginAsync(bool write, CancellationToken cancellationToken)
    {
        var connection = await dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var transaction = await dialect.BeginTransactionAsync(connection, write ? StoreIntent.Write : StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        return new RelationalSession(dialect, connection, transaction);
    }

    private static async Task<HashSet<int>> AppliedAsync(RelationalSession session, CancellationToken cancellationToken)
    {
        var versions = new HashSet<int>();
        try
        {
            var command = session.Command("SELECT version FROM schema_migrations");
            await using var commandDisposal = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                versions.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
            }
        }
        catch (Exception ex) when (ex is StoreException { InnerException: System.Data.Common.DbException driver } && IsMissingTable(driver))
        {
            // A brand-new database: nothing applied yet.
        }

        return versions;
    }

    private static bool IsMissingTable(Exception ex) =>
        ex.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase)
        || ex.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase);

    private static List<Migration> Load(SqlDialect dialect)
    {
        var list = new List<Migration>();
        var assembly = dialect.MigrationAssembly;
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = MigrationName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            list.Add(new Migration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }

        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i].Version == list[i - 1].Version)
            {
                throw new InvalidOperationException($"Two {dialect.Kind} migrations share version {list[i].Version}.");
            }
        }

        return list;
    }

    /// <summary>
    /// The statements of a migration in runs, each followed by the check named on a <c>-- @check NAME</c> line (none after
    /// the last run): a check reads what the statements before it wrote, in the same transaction, and throws to roll the
    /// whole migration back.
    /// </summary>
    internal static IEnumerable<(IEnumerable<string> Statements, string? Check)> Steps(string sql)
    {
        var run = new System.Text.StringBuilder();
        foreach (var raw in sql.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(CheckMarker, StringComparison.Ordinal))
            {
                yield return (SplitStatements(run.ToString()).ToList(), line[CheckMarker.Length..].Trim());
                run.Clear();
                continue;
            }

            run.Append(line).Append('\n');
        }

        yield return (SplitStatements(run.ToString()).ToList(), null);
    }

    private const string CheckMarker = "-- @check ";

    /// <summary>Splits on lines that end with ';' — migrations keep one statement per such line group, no procedural bodies.</summary>
    internal static IEnumerable<string> SplitStatements(string sql)
    {
        var current = new System.Text.StringBuilder();
        foreach (var raw in sql.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            current.AppendLine(line);
            if (line.TrimEnd().EndsWith(';'))
            {
                var statement = current.ToString().Trim().TrimEnd(';');
                if (statement.Length > 0)
                {
                    yield return statement;
                }

                current.Clear();
            }
        }

        var rest = current.ToString().Trim();
        if (rest.Length > 0)
        {
            yield return rest;
        }
    }

    [GeneratedRegex(@"^migrations/(\d{4})_([A-Za-z0-9_]+)\.sql$")]
    private static partial Regex MigrationName();

    private sealed record Migration(int Version, string Name, string Sql);
}
