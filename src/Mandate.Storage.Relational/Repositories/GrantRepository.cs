using System.Data.Common;
using Mandate.Core.Exceptions;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IGrantRepository))]
internal sealed class GrantRepository(RelationalSession session) : IGrantRepository
{
    private const string Columns =
        "id, kind, identity, identity_kind, identity_owner, principal, action, resource, ttl_ms, reason, status, requested_by, requested_ms, expires_ms, decided_by, decided_ms, ended_by, ended_ms, end_reason, policy";

    public Task InsertAsync(AccessGrant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return InsertAndAnnounceAsync(grant, cancellationToken);
    }

    public async Task<AccessGrant?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await ReadAsync($"SELECT {Columns} FROM access_grants WHERE id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<AccessGrant>> ListAsync(string? status, string? identity, int limit, CancellationToken cancellationToken)
    {
        // Only the filters given: a typeless null parameter is not something every store can compare.
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", (long)limit) };
        if (status is not null)
        {
            where.Add("status = @status");
            parameters.Add(("@status", status));
        }

        if (identity is not null)
        {
            where.Add("identity = @identity");
            parameters.Add(("@identity", identity));
        }

        var filter = where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where);
        return ReadAsync($"SELECT {Columns} FROM access_grants{filter} ORDER BY requested_ms DESC, id DESC LIMIT @limit", cancellationToken, [.. parameters]);
    }

    public async Task<bool> UpdateAsync(AccessGrant grant, string expectedStatus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var changed = await session.ExecuteAsync(
            "UPDATE access_grants SET status = @status, expires_ms = @expires, decided_by = @decidedBy, decided_ms = @decidedAt, ended_by = @endedBy, ended_ms = @endedAt, end_reason = @endReason, policy = @policy WHERE id = @id AND status = @expected",
            cancellationToken,
            ("@status", grant.Status),
            ("@expires", grant.ExpiresAt.ToUnixTimeMilliseconds()),
            ("@decidedBy", grant.DecidedBy),
            ("@decidedAt", grant.DecidedAt?.ToUnixTimeMilliseconds()),
            ("@endedBy", grant.EndedBy),
            ("@endedAt", grant.EndedAt?.ToUnixTimeMilliseconds()),
            ("@endReason", grant.EndReason),
            ("@policy", grant.Policy),
            ("@id", grant.Id),
            ("@expected", expectedStatus)).ConfigureAwait(false) == 1;
        if (changed)
        {
            await AnnounceAsync(grant.Id, cancellationToken).ConfigureAwait(false);
        }

        return changed;
    }

    public Task<IReadOnlyList<AccessGrant>> ActiveAsync(CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {Columns} FROM access_grants WHERE status = @status ORDER BY id", cancellationToken, ("@status", GrantStatuses.Active));

    public Task<IReadOnlyList<AccessGrant>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ReadAsync(
            $"SELECT {Columns} FROM access_grants WHERE status IN (@pending, @active) AND expires_ms <= @now ORDER BY expires_ms, id LIMIT @limit",
            cancellationToken,
            ("@pending", GrantStatuses.Pending),
            ("@active", GrantStatuses.Active),
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@limit", (long)limit));

    private async Task InsertAndAnnounceAsync(AccessGrant grant, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(
            $"INSERT INTO access_grants ({Columns}) VALUES (@id, @kind, @identity, @identityKind, @identityOwner, @principal, @action, @resource, @ttl, @reason, @status, @requestedBy, @requestedAt, @expires, @decidedBy, @decidedAt, @endedBy, @endedAt, @endReason, @policy)",
            cancellationToken,
            ("@id", grant.Id),
            ("@kind", grant.Kind),
            ("@identity", grant.Identity),
            ("@identityKind", grant.IdentityKind),
            ("@identityOwner", grant.IdentityOwner),
            ("@principal", grant.Principal),
            ("@action", grant.Action),
            ("@resource", grant.Resource),
            ("@ttl", (long)grant.Ttl.TotalMilliseconds),
            ("@reason", grant.Reason),
            ("@status", grant.Status),
            ("@requestedBy", grant.RequestedBy),
            ("@requestedAt", grant.RequestedAt.ToUnixTimeMilliseconds()),
            ("@expires", grant.ExpiresAt.ToUnixTimeMilliseconds()),
            ("@decidedBy", grant.DecidedBy),
            ("@decidedAt", grant.DecidedAt?.ToUnixTimeMilliseconds()),
            ("@endedBy", grant.EndedBy),
            ("@endedAt", grant.EndedAt?.ToUnixTimeMilliseconds()),
            ("@endReason", grant.EndReason),
            ("@policy", grant.Policy)).ConfigureAwait(false);
        if (grant.Status == GrantStatuses.Active)
        {
            await AnnounceAsync(grant.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    // Delivered at commit: every node sharing the store reloads its active grants at once.
    private async Task AnnounceAsync(string id, CancellationToken cancellationToken)
    {
        if (session.Dialect.Kind == "postgres")
        {
            await session.ExecuteAsync("SELECT pg_notify(@prefix || current_schema(), @payload)", cancellationToken, ("@prefix", Mandate.Core.Storage.StoreChannels.Grants), ("@payload", id)).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<AccessGrant>> ReadAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<AccessGrant>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private static AccessGrant Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Kind = reader.GetString(1),
        Identity = reader.GetString(2),
        IdentityKind = reader.GetString(3),
        IdentityOwner = reader.GetString(4),
        Principal = reader.GetString(5),
        Action = reader.GetString(6),
        Resource = reader.GetString(7),
        Ttl = TimeSpan.FromMilliseconds(reader.GetInt64(8)),
        Reason = reader.GetString(9),
        Status = reader.GetString(10),
        RequestedBy = reader.GetString(11),
        RequestedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
        ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(13)),
        DecidedBy = reader.IsDBNull(14) ? null : reader.GetString(14),
        DecidedAt = reader.IsDBNull(15) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(15)),
        EndedBy = reader.IsDBNull(16) ? null : reader.GetString(16),
        EndedAt = reader.IsDBNull(17) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(17)),
        EndReason = reader.IsDBNull(18) ? null : reader.GetString(18),
        Policy = reader.IsDBNull(19) ? null : reader.GetString(19),
    };
}
