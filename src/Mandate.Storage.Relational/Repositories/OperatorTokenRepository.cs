using System.Data.Common;
using Mandate.Core.Operators;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IOperatorTokenRepository))]
internal sealed class OperatorTokenRepository(RelationalSession session) : IOperatorTokenRepository
{
    private const string Columns = "id, token_hash, operator_name, kind, label, created_at, created_by, expires_at, revoked_at, revoked_by, revoked_reason";

    public Task InsertAsync(OperatorToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return session.ExecuteAsync(
            $"INSERT INTO operator_tokens ({Columns}) VALUES (@id, @hash, @op, @kind, @label, @created, @by, @expires, NULL, NULL, NULL)",
            cancellationToken,
            ("@id", token.Id),
            ("@hash", token.TokenHash),
            ("@op", token.OperatorName),
            ("@kind", token.Kind == OperatorTokenKind.Api ? "api" : "session"),
            ("@label", token.Label),
            ("@created", token.CreatedAt.ToUnixTimeMilliseconds()),
            ("@by", token.CreatedBy),
            ("@expires", token.ExpiresAt.ToUnixTimeMilliseconds()));
    }

    public Task<OperatorToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        SingleAsync($"SELECT {Columns} FROM operator_tokens WHERE token_hash = @v", tokenHash, cancellationToken);

    public Task<OperatorToken?> GetAsync(string id, CancellationToken cancellationToken) =>
        SingleAsync($"SELECT {Columns} FROM operator_tokens WHERE id = @v", id, cancellationToken);

    public async Task<IReadOnlyList<OperatorToken>> ListAsync(string operatorName, CancellationToken cancellationToken)
    {
        var command = session.Command($"SELECT {Columns} FROM operator_tokens WHERE operator_name = @op ORDER BY created_at DESC, id", ("@op", operatorName));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var list = new List<OperatorToken>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset now, string revokedBy, string? reason, CancellationToken cancellationToken) =>
        // Conditional: of two concurrent revocations only one changes the row (and records the event).
        await session.ExecuteAsync(
            "UPDATE operator_tokens SET revoked_at = @now, revoked_by = @by, revoked_reason = @reason WHERE id = @id AND revoked_at IS NULL",
            cancellationToken,
            ("@id", id),
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@by", revokedBy),
            ("@reason", reason)).ConfigureAwait(false) == 1;

    private async Task<OperatorToken?> SingleAsync(string sql, string value, CancellationToken cancellationToken)
    {
        var command = session.Command(sql, ("@v", value));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static OperatorToken Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        TokenHash = reader.GetString(1),
        OperatorName = reader.GetString(2),
        Kind = reader.GetString(3) == "session" ? OperatorTokenKind.Session : OperatorTokenKind.Api,
        Label = reader.IsDBNull(4) ? null : reader.GetString(4),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        CreatedBy = reader.GetString(6),
        ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        RevokedAt = reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
        RevokedBy = reader.IsDBNull(9) ? null : reader.GetString(9),
        RevokedReason = reader.IsDBNull(10) ? null : reader.GetString(10),
    };
}
