using System.Data.Common;
using System.Globalization;
using Mandate.Core.Tasks;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(ITaskRepository))]
internal sealed class TaskRepository(RelationalSession session) : ITaskRepository
{
    private const string Columns =
        "id, subject, intent, status, opened_at, expires_at, lease_limit, renewals, closed_at, close_reason, decision_id, policy_version";

    public Task InsertAsync(MandateTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return session.ExecuteAsync(
            """
            INSERT INTO tasks (id, subject, description, intent, status, opened_at, expires_at, lease_limit, renewals, closed_at, close_reason, decision_id, policy_version)
            VALUES (@id, @sub, @desc, @intent, @status, @opened, @exp, @limit, @renewals, @closed, @reason, @decision, @policy)
            """,
            cancellationToken,
            ("@id", task.Id),
            ("@sub", task.Subject),
            ("@desc", task.Intent.Description),
            ("@intent", TaskIntentJson.Serialize(task.Intent)),
            ("@status", task.Status),
            ("@opened", task.OpenedAt.ToUnixTimeMilliseconds()),
            ("@exp", task.ExpiresAt.ToUnixTimeMilliseconds()),
            ("@limit", task.LeaseLimit.ToUnixTimeMilliseconds()),
            ("@renewals", (long)task.Renewals),
            ("@closed", task.ClosedAt?.ToUnixTimeMilliseconds()),
            ("@reason", task.CloseReason),
            ("@decision", task.DecisionId),
            ("@policy", task.PolicyVersion));
    }

    public async Task<MandateTask?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var list = await QueryAsync($"SELECT {Columns} FROM tasks WHERE id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    public async Task<MandateTask?> GetForUpdateAsync(string id, CancellationToken cancellationToken)
    {
        await session.SerializeAsync("task:" + id, cancellationToken).ConfigureAwait(false);
        return await GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<MandateTask>> ListAsync(string? subject, string? status, int limit, CancellationToken cancellationToken)
    {
        // Filters are added only when given: PostgreSQL cannot type a NULL parameter in "@p IS NULL".
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", (long)limit) };
        if (subject is not null)
        {
            where.Add("subject = @sub");
            parameters.Add(("@sub", subject));
        }

        if (status is not null)
        {
            where.Add("status = @status");
            parameters.Add(("@status", status));
        }

        var filter = where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where);
        return QueryAsync($"SELECT {Columns} FROM tasks{filter} ORDER BY opened_at DESC, id LIMIT @limit", cancellationToken, [.. parameters]);
    }

    public Task<IReadOnlyList<MandateTask>> ListPageAsync(string? subject, string? status, TaskListCursor from, bool older, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", (long)limit), ("@at", from.OpenedAt.ToUnixTimeMilliseconds()), ("@id", from.Id) };
        if (subject is not null)
        {
            where.Add("subject = @sub");
            parameters.Add(("@sub", subject));
        }

        if (status is not null)
        {
            where.Add("status = @status");
            parameters.Add(("@status", status));
        }

        // The list's order is opened_at DESC, id ASC: older pages continue it, newer ones walk it backwards.
        where.Add(older ? "(opened_at < @at OR (opened_at = @at AND id > @id))" : "(opened_at > @at OR (opened_at = @at AND id < @id))");
        var order = older ? "opened_at DESC, id" : "opened_at, id DESC";
        return QueryAsync($"SELECT {Columns} FROM tasks WHERE {string.Join(" AND ", where)} ORDER BY {order} LIMIT @limit", cancellationToken, [.. parameters]);
    }

    public Task UpdateAsync(MandateTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return session.ExecuteAsync(
            "UPDATE tasks SET status = @status, expires_at = @exp, renewals = @renewals, closed_at = @closed, close_reason = @reason WHERE id = @id",
            cancellationToken,
            ("@status", task.Status),
            ("@exp", task.ExpiresAt.ToUnixTimeMilliseconds()),
            ("@renewals", (long)task.Renewals),
            ("@closed", task.ClosedAt?.ToUnixTimeMilliseconds()),
            ("@reason", task.CloseReason),
            ("@id", task.Id));
    }

    public Task<IReadOnlyList<MandateTask>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {Columns} FROM tasks WHERE status = 'open' AND expires_at <= @now ORDER BY expires_at, id LIMIT @limit",
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@limit", (long)limit));

    public async Task<long> CountActiveAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Convert.ToInt64(
            await session.ScalarAsync("SELECT COUNT(*) FROM tasks WHERE status = 'open' AND expires_at > @now", cancellationToken, ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false),
            CultureInfo.InvariantCulture);

    private async Task<IReadOnlyList<MandateTask>> QueryAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<MandateTask>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private static MandateTask Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Subject = reader.GetString(1),
        Intent = TaskIntentJson.Deserialize(reader.GetString(2)),
        Status = reader.GetString(3),
        OpenedAt = Time(reader, 4)!.Value,
        ExpiresAt = Time(reader, 5)!.Value,
        LeaseLimit = Time(reader, 6)!.Value,
        Renewals = Convert.ToInt32(reader.GetValue(7), CultureInfo.InvariantCulture),
        ClosedAt = Time(reader, 8),
        CloseReason = reader.IsDBNull(9) ? null : reader.GetString(9),
        DecisionId = reader.IsDBNull(10) ? null : reader.GetString(10),
        PolicyVersion = reader.IsDBNull(11) ? null : reader.GetString(11),
    };

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture));
}
