using System.Runtime.CompilerServices;
using System.Text.Json;
using Mandate.Core.Audit;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IAuditRepository))]
internal sealed class AuditRepository(RelationalSession session) : IAuditRepository
{
    private const string ChainLock = "audit_chain";

    public async Task<AuditRecord?> GetHeadForAppendAsync(CancellationToken cancellationToken)
    {
        await session.SerializeAsync(ChainLock, cancellationToken);
        await using var command = session.Command("SELECT seq, time_ms, body, prev_hash, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var body = reader.GetString(2);
        var type = JsonDocument.Parse(body).RootElement.GetProperty("type").GetString() ?? string.Empty;
        return new AuditRecord(
            reader.GetInt64(0),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            new AuditEvent { Type = type },
            reader.GetString(3),
            reader.GetString(4));
    }

    public Task AppendAsync(AuditRecord record, string canonicalJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Event;
        return session.ExecuteAsync(
            """
            INSERT INTO audit_events (seq, time_ms, type, actor, subject, action, resource, decision, jti, task_id, request_id, body, prev_hash, hash)
            VALUES (@seq, @time, @type, @actor, @subject, @action, @resource, @decision, @jti, @task, @req, @body, @prev, @hash)
            """,
            cancellationToken,
            ("@seq", record.Sequence),
            ("@time", record.Time.ToUnixTimeMilliseconds()),
            ("@type", e.Type),
            ("@actor", e.Actor),
            ("@subject", e.Subject),
            ("@action", e.Action),
            ("@resource", e.Resource),
            ("@decision", e.Decision),
            ("@jti", e.CredentialId),
            ("@task", e.TaskId),
            ("@req", e.RequestId),
            ("@body", canonicalJson),
            ("@prev", record.PreviousHash),
            ("@hash", record.Hash));
    }

    public async IAsyncEnumerable<StoredAuditRecord> ReadAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = session.Command(
            "SELECT seq, body, prev_hash, hash FROM audit_events WHERE seq >= @from ORDER BY seq",
            ("@from", fromSequence));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new StoredAuditRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }
    }
}
