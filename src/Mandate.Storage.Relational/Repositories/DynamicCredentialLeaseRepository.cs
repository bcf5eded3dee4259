using System.Data.Common;
using System.Globalization;
using Mandate.Core.DynamicCredentials;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IDynamicCredentialLeaseRepository))]
internal sealed class DynamicCredentialLeaseRepository(RelationalSession session) : IDynamicCredentialLeaseRepository
{
    private const string Columns =
        "id, task_id, subject, engine, username, status, issued_at, expires_at, revoke_requested_at, revoke_reason, revoked_at, attempts, next_attempt_at, last_error";

    public Task InsertAsync(DynamicCredentialLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return session.ExecuteAsync(
            $"""
            INSERT INTO dynamic_credential_leases ({Columns})
            VALUES (@id, @task, @sub, @engine, @user, @status, @issued, @exp, @requested, @reason, @revoked, @attempts, @next, @error)
            """,
            cancellationToken,
            Parameters(lease));
    }

    public async Task<DynamicCredentialLease?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var list = await QueryAsync($"SELECT {Columns} FROM dynamic_credential_leases WHERE id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    public async Task<DynamicCredentialLease?> GetForUpdateAsync(string id, CancellationToken cancellationToken)
    {
        await session.SerializeAsync("dynamic_credential:" + id, cancellationToken).ConfigureAwait(false);
        return await GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<DynamicCredentialLease>> ListAsync(string? taskId, string? status, int limit, CancellationToken cancellationToken)
    {
        // Filters are added only when given: PostgreSQL cannot type a NULL parameter in "@p IS NULL".
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", (long)limit) };
        if (taskId is not null)
        {
            where.Add("task_id = @task");
            parameters.Add(("@task", taskId));
        }

        if (status is not null)
        {
            where.Add("status = @status");
            parameters.Add(("@status", status));
        }

        var filter = where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where);
        return QueryAsync($"SELECT {Columns} FROM dynamic_credential_leases{filter} ORDER BY issued_at DESC, id LIMIT @limit", cancellationToken, [.. parameters]);
    }

    public Task<int> RequestRevocationForTaskAsync(string taskId, DateTimeOffset now, string reason, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            """
            UPDATE dynamic_credential_leases
            SET status = 'revoking', revoke_requested_at = @now, revoke_reason = @reason, next_attempt_at = @now, attempts = 0, last_error = NULL
            WHERE task_id = @task AND status IN ('issuing', 'active')
            """,
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@reason", reason),
            ("@task", taskId));

    public Task<int> RequestRevocationForSubjectAsync(string subject, DateTimeOffset now, string reason, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            """
            UPDATE dynamic_credential_leases
            SET status = 'revoking', revoke_requested_at = @now, revoke_reason = @reason, next_attempt_at = @now, attempts = 0, last_error = NULL
            WHERE subject = @sub AND status IN ('issuing', 'active')
            """,
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@reason", reason),
            ("@sub", subject));

    public async Task<int> RequestRevocationOfStaleAsync(DateTimeOffset now, DateTimeOffset issuingBefore, CancellationToken cancellationToken)
    {
        var expired = await session.ExecuteAsync(
            """
            UPDATE dynamic_credential_leases
            SET status = 'revoking', revoke_requested_at = @now, revoke_reason = 'lease expired', next_attempt_at = @now, attempts = 0, last_error = NULL
            WHERE status = 'active' AND expires_at <= @now
            """,
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        var abandoned = await session.ExecuteAsync(
            """
            UPDATE dynamic_credential_leases
            SET status = 'revoking', revoke_requested_at = @now, revoke_reason = 'issuing was abandoned', next_attempt_at = @now, attempts = 0, last_error = NULL
            WHERE status = 'issuing' AND issued_at <= @before
            """,
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@before", issuingBefore.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        return expired + abandoned;
    }

    public Task<IReadOnlyList<DynamicCredentialLease>> ListRevocationsDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {Columns} FROM dynamic_credential_leases WHERE status = 'revoking' AND next_attempt_at <= @now ORDER BY next_attempt_at, id LIMIT @limit",
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@limit", (long)limit));

    public async Task<bool> ClaimRevocationAsync(string id, DateTimeOffset now, DateTimeOffset claimUntil, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE dynamic_credential_leases SET next_attempt_at = @until WHERE id = @id AND status = 'revoking' AND next_attempt_at <= @now",
            cancellationToken,
            ("@until", claimUntil.ToUnixTimeMilliseconds()),
            ("@id", id),
            ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;

    public Task<IReadOnlyList<DynamicCredentialLease>> ListExtensionsDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {Columns} FROM dynamic_credential_leases WHERE status = 'active' AND next_attempt_at <= @now ORDER BY next_attempt_at, id LIMIT @limit",
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@limit", (long)limit));

    public async Task<bool> ClaimExtensionAsync(string id, DateTimeOffset now, DateTimeOffset claimUntil, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE dynamic_credential_leases SET next_attempt_at = @until WHERE id = @id AND status = 'active' AND next_attempt_at <= @now",
            cancellationToken,
            ("@until", claimUntil.ToUnixTimeMilliseconds()),
            ("@id", id),
            ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;

    public Task UpdateAsync(DynamicCredentialLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return session.ExecuteAsync(
            """
            UPDATE dynamic_credential_leases
            SET status = @status, expires_at = @exp, revoke_requested_at = @requested, revoke_reason = @reason, revoked_at = @revoked,
                attempts = @attempts, next_attempt_at = @next, last_error = @error
            WHERE id = @id
            """,
            cancellationToken,
            ("@status", lease.Status),
            ("@exp", lease.ExpiresAt.ToUnixTimeMilliseconds()),
            ("@requested", lease.RevokeRequestedAt?.ToUnixTimeMilliseconds()),
            ("@reason", lease.RevokeReason),
            ("@revoked", lease.RevokedAt?.ToUnixTimeMilliseconds()),
            ("@attempts", (long)lease.Attempts),
            ("@next", lease.NextAttemptAt?.ToUnixTimeMilliseconds()),
            ("@error", lease.LastError),
            ("@id", lease.Id));
    }

    private static (string, object?)[] Parameters(DynamicCredentialLease lease) =>
    [
        ("@id", lease.Id),
        ("@task", lease.TaskId),
        ("@sub", lease.Subject),
        ("@engine", lease.Engine),
        ("@user", lease.Username),
        ("@status", lease.Status),
        ("@issued", lease.IssuedAt.ToUnixTimeMilliseconds()),
        ("@exp", lease.ExpiresAt.ToUnixTimeMilliseconds()),
        ("@requested", lease.RevokeRequestedAt?.ToUnixTimeMilliseconds()),
        ("@reason", lease.RevokeReason),
        ("@revoked", lease.RevokedAt?.ToUnixTimeMilliseconds()),
        ("@attempts", (long)lease.Attempts),
        ("@next", lease.NextAttemptAt?.ToUnixTimeMilliseconds()),
        ("@error", lease.LastError),
    ];

    private async Task<IReadOnlyList<DynamicCredentialLease>> QueryAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<DynamicCredentialLease>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private static DynamicCredentialLease Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        TaskId = reader.GetString(1),
        Subject = reader.GetString(2),
        Engine = reader.GetString(3),
        Username = reader.GetString(4),
        Status = reader.GetString(5),
        IssuedAt = Time(reader, 6)!.Value,
        ExpiresAt = Time(reader, 7)!.Value,
        RevokeRequestedAt = Time(reader, 8),
        RevokeReason = reader.IsDBNull(9) ? null : reader.GetString(9),
        RevokedAt = Time(reader, 10),
        Attempts = Convert.ToInt32(reader.GetValue(11), CultureInfo.InvariantCulture),
        NextAttemptAt = Time(reader, 12),
        LastError = reader.IsDBNull(13) ? null : reader.GetString(13),
    };

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture));
}
