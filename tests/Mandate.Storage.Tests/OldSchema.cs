using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Mandate.Storage.Relational;

namespace Mandate.Storage.Tests;

/// <summary>
/// A database as an older build left it, for the tests of a migration that converts existing data: the store's own
/// embedded migrations applied as the migrator would, except the ones under test, so rows can be written in the layout
/// before them.
/// </summary>
internal static class OldSchema
{
    private const string Prefix = "migrations/";

    /// <summary>Applies every migration of <paramref name="migrations"/> for which <paramref name="skip"/> is false, in order, and records each as applied.</summary>
    public static async Task ApplyAsync(DbConnection connection, Assembly migrations, Func<int, bool> skip, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", cancellationToken);
        foreach (var name in migrations.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var version = int.Parse(name.AsSpan(Prefix.Length, 4), CultureInfo.InvariantCulture);
            if (skip(version))
            {
                continue;
            }

            using var reader = new StreamReader(migrations.GetManifestResourceStream(name)!);
            foreach (var statement in Migrator.SplitStatements(await reader.ReadToEndAsync(cancellationToken)))
            {
                await ExecuteAsync(connection, statement, cancellationToken);
            }

            await ExecuteAsync(connection, $"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({version}, 'x', 0)", cancellationToken);
        }
    }

    public static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
