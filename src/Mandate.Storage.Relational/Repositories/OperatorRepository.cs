using System.Data.Common;
using Mandate.Core.Operators;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IOperatorRepository))]
internal sealed class OperatorRepository(RelationalSession session) : IOperatorRepository
{
    private const string Columns = "name, display_name, roles, enabled, oidc_subject, created_at, created_by, updated_at";

    public async Task<bool> InsertAsync(OperatorAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);

        // Both the name and the OIDC subject are unique; either clash inserts nothing.
        return await session.ExecuteAsync(
            $"""
            INSERT INTO operators ({Columns})
            VALUES (@name, @display, @roles, @enabled, @oidc, @created, @by, @updated)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken,
            ("@name", account.Name),
            ("@display", account.DisplayName),
            ("@roles", OperatorRoles.Format(account.Roles)),
            ("@enabled", account.Enabled ? 1L : 0L),
            ("@oidc", account.OidcSubject),
            ("@created", account.CreatedAt.ToUnixTimeMilliseconds()),
            ("@by", account.CreatedBy),
            ("@updated", account.UpdatedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;
    }

    public Task<OperatorAccount?> GetAsync(string name, CancellationToken cancellationToken) =>
        SingleAsync($"SELECT {Columns} FROM operators WHERE name = @v", name, cancellationToken);

    public Task<OperatorAccount?> FindByOidcSubjectAsync(string subject, CancellationToken cancellationToken) =>
        SingleAsync($"SELECT {Columns} FROM operators WHERE oidc_subject = @v", subject, cancellationToken);

    public async Task<IReadOnlyList<OperatorAccount>> ListAsync(CancellationToken cancellationToken)
    {
        var command = session.Command($"SELECT {Columns} FROM operators ORDER BY name");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var list = new List<OperatorAccount>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<bool> SetEnabledAsync(string name, bool enabled, DateTimeOffset now, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE operators SET enabled = @enabled, updated_at = @now WHERE name = @name AND enabled <> @enabled",
            cancellationToken,
            ("@name", name),
            ("@enabled", enabled ? 1L : 0L),
            ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;

    public async Task<bool> SetRolesAsync(string name, IReadOnlyList<OperatorRole> roles, DateTimeOffset now, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE operators SET roles = @roles, updated_at = @now WHERE name = @name",
            cancellationToken,
            ("@name", name),
            ("@roles", OperatorRoles.Format(roles)),
            ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;

    private async Task<OperatorAccount?> SingleAsync(string sql, string value, CancellationToken cancellationToken)
    {
        var command = session.Command(sql, ("@v", value));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static OperatorAccount Read(DbDataReader reader) => new()
    {
        Name = reader.GetString(0),
        DisplayName = reader.IsDBNull(1) ? null : reader.GetString(1),
        Roles = OperatorRoles.ParseStored(reader.GetString(2)),
        Enabled = Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture) != 0,
        OidcSubject = reader.IsDBNull(4) ? null : reader.GetString(4),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        CreatedBy = reader.GetString(6),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
    };
}
