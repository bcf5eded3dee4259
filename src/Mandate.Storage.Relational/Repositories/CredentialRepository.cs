using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mandate.Core.Credentials;
using Mandate.Core.Storage;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(ICredentialRepository))]
internal sealed class CredentialRepository(RelationalSession session) : ICredentialRepository
{
    private const string Columns =
        "jti, kind, subject, holder, task_id, parent_jti, chain, scope, audiences, issued_at, expires_at, cnf_method, cnf_thumbprint, revoked_at, revoked_reason, revoked_by, first_used_at, last_used_at, use_count, last_use_source";

    // Keeps each statement's parameter list well under both databases' limits.
    private const int ChunkSize = 400;
    private const int NotifyPayloadLimit = 7000;

    public Task InsertAsync(CredentialRecord credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return session.ExecuteAsync(
            $"""
            INSERT INTO credentials ({Columns})
            VALUES (@jti, @kind, @sub, @holder, @task, @parent, @chain, @scope, @aud, @iat, @exp, @cnfm, @cnft, NULL, NULL, NULL, NULL, NULL, 0, NULL)
            """,
            cancellationToken,
            ("@jti", credential.Jti),
            ("@kind", credential.Kind),
            ("@sub", credential.Subject),
            ("@holder", credential.Holder),
            ("@task", credential.TaskId),
            ("@parent", credential.ParentJti),
            ("@chain", JsonSerializer.Serialize(credential.Chain)),
            ("@scope", string.Join(' ', credential.Scopes)),
            ("@aud", JsonSerializer.Serialize(credential.Audiences)),
            ("@iat", credential.IssuedAt.ToUnixTimeMilliseconds()),
            ("@exp", credential.ExpiresAt.ToUnixTimeMilliseconds()),
            ("@cnfm", credential.ProofOfPossession?.Method),
            ("@cnft", credential.ProofOfPossession?.Thumbprint));
    }

    public async Task<CredentialRecord?> GetAsync(string jti, CancellationToken cancellationToken)
    {
        var list = await QueryAsync($"SELECT {Columns} FROM credentials WHERE jti = @jti", cancellationToken, ("@jti", jti)).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    public Task<IReadOnlyList<CredentialRecord>> ListByTaskAsync(string taskId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM credentials WHERE task_id = @task ORDER BY issued_at, jti", cancellationToken, ("@task", taskId));

    public async Task<long> CountLiveAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Convert.ToInt64(
            await session.ScalarAsync("SELECT COUNT(*) FROM credentials WHERE revoked_at IS NULL AND expires_at > @now", cancellationToken, ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);

    public async Task<IReadOnlyList<string>> ListJtisHeldByAsync(IReadOnlyCollection<string> identities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identities);
        var result = new List<string>();
        foreach (var chunk in identities.Distinct(StringComparer.Ordinal).Chunk(ChunkSize))
        {
            var (list, parameters) = InList("@i", chunk);
            result.AddRange(await QueryStringsAsync(
                $"SELECT jti FROM credentials WHERE subject IN ({list}) OR holder IN ({list})",
                cancellationToken,
                parameters).ConfigureAwait(false));
        }

        return result;
    }

    public async Task<IReadOnlyList<RevokedCredential>> RevokeWithDescendantsAsync(
        IReadOnlyCollection<string> rootJtis,
        DateTimeOffset now,
        string reason,
        string revokedBy,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rootJtis);
        var revoked = new List<RevokedCredential>();
        foreach (var chunk in rootJtis.Distinct(StringComparer.Ordinal).Chunk(ChunkSize))
        {
            var (list, parameters) = InList("@r", chunk);
            var all = parameters.Concat([("@now", (object?)now.ToUnixTimeMilliseconds()), ("@reason", reason), ("@by", revokedBy)]).ToArray();

            // One statement walks the exchange tree (parent_jti links) and revokes whatever in it is still live.
            var command = session.Command(
                $"""
                WITH RECURSIVE tree(jti) AS (
                  SELECT jti FROM credentials WHERE jti IN ({list})
                  UNION
                  SELECT c.jti FROM credentials c JOIN tree t ON c.parent_jti = t.jti
                )
                UPDATE credentials SET revoked_at = @now, revoked_reason = @reason, revoked_by = @by
                WHERE jti IN (SELECT jti FROM tree) AND revoked_at IS NULL
                RETURNING jti, subject, task_id, parent_jti
                """,
                all);
            await using var commandDisposal = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                revoked.Add(new RevokedCredential(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        return revoked;
    }

    public async Task ScheduleRevocationAsync(IReadOnlyCollection<string> jtis, DateTimeOffset after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jtis);
        foreach (var chunk in jtis.Distinct(StringComparer.Ordinal).Chunk(ChunkSize))
        {
            var (list, parameters) = InList("@j", chunk);
            await session.ExecuteAsync(
                $"UPDATE credentials SET revoke_after = @after WHERE jti IN ({list}) AND revoked_at IS NULL",
                cancellationToken,
                parameters.Append(("@after", (object?)after.ToUnixTimeMilliseconds())).ToArray()).ConfigureAwait(false);
        }
    }

    public Task<IReadOnlyList<string>> ListRevocationsDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryStringsAsync(
            "SELECT jti FROM credentials WHERE revoke_after IS NOT NULL AND revoke_after <= @now AND revoked_at IS NULL ORDER BY revoke_after, jti LIMIT @limit",
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@limit", (long)Math.Clamp(limit, 1, 10_000)));

    public Task RecordUseAsync(string jti, long count, DateTimeOffset firstUse, DateTimeOffset lastUse, string? source, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            """
            UPDATE credentials SET
              use_count = use_count + @n,
              first_used_at = CASE WHEN first_used_at IS NULL OR first_used_at > @first THEN @first ELSE first_used_at END,
              last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < @last THEN @last ELSE last_used_at END,
              last_use_source = CASE WHEN last_used_at IS NULL OR last_used_at <= @last THEN @src ELSE last_use_source END
            WHERE jti = @jti
            """,
            cancellationToken,
            ("@n", count),
            ("@first", firstUse.ToUnixTimeMilliseconds()),
            ("@last", lastUse.ToUnixTimeMilliseconds()),
            ("@src", source),
            ("@jti", jti));

    public Task<IReadOnlyList<string>> ListRevokedJtisAsync(DateTimeOffset revokedSince, DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryStringsAsync(
            "SELECT jti FROM credentials WHERE revoked_at IS NOT NULL AND revoked_at >= @since AND expires_at > @now",
            cancellationToken,
            ("@since", revokedSince.ToUnixTimeMilliseconds()),
            ("@now", now.ToUnixTimeMilliseconds()));

    public async Task NotifyRevokedAsync(IReadOnlyCollection<string> jtis, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jtis);
        if (session.Dialect.Kind != "postgres" || jtis.Count == 0)
        {
            return;
        }

        // NOTIFY inside the transaction is delivered at commit, so listeners never hear of a revocation that rolled back.
        // PostgreSQL caps a payload near 8000 bytes: a larger batch tells listeners to reconcile from the table instead.
        var payload = string.Join(' ', jtis);
        if (payload.Length > NotifyPayloadLimit)
        {
            payload = "*";
        }

        await session.ExecuteAsync("SELECT pg_notify(@prefix || current_schema(), @payload)", cancellationToken, ("@prefix", StoreChannels.Revocations), ("@payload", payload)).ConfigureAwait(false);
    }

    private static (string List, (string, object?)[] Parameters) InList(string prefix, string[] values)
    {
        var builder = new StringBuilder();
        var parameters = new (string, object?)[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var name = prefix + i.ToString(CultureInfo.InvariantCulture);
            builder.Append(i == 0 ? string.Empty : ", ").Append(name);
            parameters[i] = (name, values[i]);
        }

        return (builder.ToString(), parameters);
    }

    private async Task<IReadOnlyList<string>> QueryStringsAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }

    private async Task<IReadOnlyList<CredentialRecord>> QueryAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<CredentialRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private static CredentialRecord Read(DbDataReader reader)
    {
        var cnfMethod = reader.IsDBNull(11) ? null : reader.GetString(11);
        return new CredentialRecord
        {
            Jti = reader.GetString(0),
            Kind = reader.GetString(1),
            Subject = reader.GetString(2),
            Holder = reader.GetString(3),
            TaskId = reader.IsDBNull(4) ? null : reader.GetString(4),
            ParentJti = reader.IsDBNull(5) ? null : reader.GetString(5),
            Chain = JsonSerializer.Deserialize<string[]>(reader.GetString(6)) ?? [],
            Scopes = reader.GetString(7).Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Audiences = JsonSerializer.Deserialize<string[]>(reader.GetString(8)) ?? [],
            IssuedAt = Time(reader, 9)!.Value,
            ExpiresAt = Time(reader, 10)!.Value,
            ProofOfPossession = cnfMethod is null ? null : new ProofOfPossession(cnfMethod, reader.GetString(12)),
            RevokedAt = Time(reader, 13),
            RevokedReason = reader.IsDBNull(14) ? null : reader.GetString(14),
            RevokedBy = reader.IsDBNull(15) ? null : reader.GetString(15),
            Usage = new CredentialUsage(
                Convert.ToInt64(reader.GetValue(18), CultureInfo.InvariantCulture),
                Time(reader, 16),
                Time(reader, 17),
                reader.IsDBNull(19) ? null : reader.GetString(19)),
        };
    }

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture));
}
