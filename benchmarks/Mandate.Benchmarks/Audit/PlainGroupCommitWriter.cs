using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;

namespace Mandate.Benchmarks.Audit;

/// <summary>
/// The comparator: the same rows (same secret redaction, same canonical body, same indexed columns) written with the
/// same group commit (one writer, the ledger's batch cutting, 100-row INSERTs, one transaction per batch) but without
/// the chain: no head, no serialization lock, no hashing, no prev_hash/hash columns.
/// </summary>
internal sealed class PlainGroupCommitWriter : IAsyncDisposable
{
    private const int RowsPerInsert = 100;
    private readonly IMandateStore store;
    private readonly Channel<(AuditEvent Event, TaskCompletionSource Done)> queue = Channel.CreateUnbounded<(AuditEvent, TaskCompletionSource)>();
    private readonly Task loop;
    private long sequence;

    public PlainGroupCommitWriter(IMandateStore store)
    {
        this.store = store;
        loop = Task.Run(WriteLoopAsync);
    }

    public Task AppendAsync(AuditEvent auditEvent)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // An unchained log must keep secrets out too: the rows are the ledger's rows, redacted the same way.
        queue.Writer.TryWrite((AuditSecretGuard.Sanitize(auditEvent, out _), done));
        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<(AuditEvent Event, TaskCompletionSource Done)>();
        while (await queue.Reader.WaitToReadAsync())
        {
            // The ledger writer's batching, to the letter.
            await GroupCommit.LetTheBatchFillAsync(queue.Reader);
            batch.Clear();
            while (batch.Count < 512 && queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await using var session = (RelationalSession)await store.BeginAsync(StoreIntent.Write, CancellationToken.None);
                for (var offset = 0; offset < batch.Count; offset += RowsPerInsert)
                {
                    var count = Math.Min(RowsPerInsert, batch.Count - offset);
                    var sql = new StringBuilder("INSERT INTO audit_plain (seq, time_ms, type, actor, subject, action, resource, decision, jti, task_id, request_id, body, chain, policy_version) VALUES ");
                    var parameters = new List<(string, object?)>(count * 14);
                    for (var row = 0; row < count; row++)
                    {
                        var e = batch[offset + row].Event;
                        var seq = ++sequence;
                        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                        var body = AuditCanonicalForm.Serialize(seq, now, e);
                        object?[] values = [seq, now.ToUnixTimeMilliseconds(), e.Type, e.Actor, e.Subject, e.Action, e.Resource, e.Decision, e.CredentialId, e.TaskId, e.RequestId, body, e.Chain is { Count: > 0 } chain ? JsonSerializer.Serialize(chain) : null, e.PolicyVersion];
                        sql.Append(row == 0 ? "(" : ",(");
                        for (var column = 0; column < values.Length; column++)
                        {
                            var name = "@r" + row.ToString(CultureInfo.InvariantCulture) + "_" + column.ToString(CultureInfo.InvariantCulture);
                            sql.Append(column == 0 ? string.Empty : ",").Append(name);
                            parameters.Add((name, values[column]));
                        }

                        sql.Append(')');
                    }

                    await session.ExecuteAsync(sql.ToString(), CancellationToken.None, [.. parameters]);
                }

                await session.CommitAsync(CancellationToken.None);
                batch.ForEach(b => b.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                batch.ForEach(b => b.Done.TrySetException(ex));
            }
        }
    }
}
