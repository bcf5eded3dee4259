using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Benchmarks.Audit;

/// <summary>
/// <c>ledger-append [--events N] [--batch B]</c>: sustained ledger appends on SQLite (WAL, synchronous=FULL, as the
/// server runs it) the way the decision writer appends: B decision events per transaction through
/// <c>IAuditTrail.RecordManyAsync</c> (secret guard, RFC 8785 body, SHA-256 chain, prepared INSERT, one commit and
/// fsync per batch), into the compact layout (migration 0320). Comparator in the same run: a plain SQLite insert loop
/// writing the same events as the ledger stored them before that layout (the body as text and copies of its fields,
/// six indexes) but with no chain (one prepared INSERT, the same B rows per transaction). Also: the
/// CPU cost per event of each step without the store (where the time goes), and the bytes the ledger adds per event
/// (file pages after a WAL checkpoint).
/// </summary>
internal static class LedgerAppendCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var events = 200_000;
        var batch = 500;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--events":
                    events = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--batch":
                    batch = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: ledger-append [--events N] [--batch B]");
                    return 2;
            }
        }

        events = DocsSmoke.Cap(events, 2_000, "events", Console.Error);
        var sample = Enumerable.Range(0, events).Select(DecisionEvent).ToArray();

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ledger-append: {events:N0} decision events, {batch} per transaction, SQLite WAL synchronous=FULL"));
        await output.WriteLineAsync();
        await output.WriteLineAsync("| step (CPU only, no store; best of 3 rounds) | µs/event |");
        await output.WriteLineAsync("|---|---:|");
        var steps = Math.Min(events, 50_000);
        await Step(output, "secret guard (AuditSecretGuard.Sanitize)", steps, i => AuditSecretGuard.Sanitize(sample[i], out _));
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000);
        await Step(output, "canonical body (AuditCanonicalForm.SerializeToUtf8)", steps, i => AuditCanonicalForm.SerializeToUtf8(i + 1, time, sample[i]));
        var body = AuditCanonicalForm.SerializeToUtf8(1, time, sample[0]);
        await Step(output, "chain hash (AuditHashing.ChainHash)", steps, _ => AuditHashing.ChainHash(AuditHashing.GenesisHash, body));
        await Step(output, "body as text (UTF-8 decode for the TEXT column)", steps, _ => Encoding.UTF8.GetString(body));
        await Step(output, "stored row (AuditRow.From)", steps, i => AuditRow.From(i + 1, time, sample[i]));
        await output.WriteLineAsync();

        var (chainedStore, chainedPath) = await AuditBenchmarkStores.CreateAsync("sqlite");
        var (plainStore, _) = await AuditBenchmarkStores.CreateAsync("sqlite");
        await using (chainedStore)
        await using (plainStore)
        {
            var kek = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N") + ".kek");
            await using var services = new ServiceCollection().AddSingleton(chainedStore).AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = kek).Services.BuildServiceProvider();
            var trail = services.GetRequiredService<IAuditTrail>();
            var sizeBefore = await AuditSizeCommand.SqliteFileSizeAsync(chainedStore);

            var plainRate = await RateAsync(events, batch, (offset, count) => PlainBatchAsync(plainStore, sample, offset, count, time));
            var chainedRate = await RateAsync(events, batch, async (offset, count) =>
            {
                await using var session = await chainedStore.BeginAsync(StoreIntent.Write, CancellationToken.None);
                await trail.RecordManyAsync(session, new ArraySegment<AuditEvent>(sample, offset, count), CancellationToken.None);
                await session.CommitAsync(CancellationToken.None);
            });

            var bytes = (await AuditSizeCommand.SqliteFileSizeAsync(chainedStore)) - sizeBefore;
            await output.WriteLineAsync("| writer | events/s | µs/event |");
            await output.WriteLineAsync("|---|---:|---:|");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| comparator: plain SQLite insert loop (same rows, no chain) | {plainRate:N0} | {1e6 / plainRate:F1} |"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| ledger (RecordManyAsync, as the decision writer) | {chainedRate:N0} | {1e6 / chainedRate:F1} |"));
            await output.WriteLineAsync();
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bytes stored per decision event (table and indexes, {chainedPath}): {bytes / (double)events:F0}"));
            var bodyBytes = sample.Take(Math.Min(events, 10_000)).Select((e, i) => AuditCanonicalForm.SerializeToUtf8(i + 1, time, e).Length).Average();
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"canonical body alone: {bodyBytes:F0} bytes per event"));
        }

        return 0;
    }

    /// <summary>A decision event as the decision point writes it for an allow by a PEP credential.</summary>
    public static AuditEvent DecisionEvent(int i) => new()
    {
        Type = "decision",
        Actor = "pep:gateway",
        Subject = string.Create(CultureInfo.InvariantCulture, $"Workload::\"spiffe://estate.example/agent/a{i % 5000}\""),
        Action = "Action::\"read\"",
        Resource = string.Create(CultureInfo.InvariantCulture, $"Dataset::\"ds-{i % 997}\""),
        Decision = "allow",
        PolicyVersion = "4ba259f57252f88d",
        Reason = "support-read-data",
        RequestId = string.Create(CultureInfo.InvariantCulture, $"req-{i:D10}"),
        Details = new Dictionary<string, string>
        {
            ["decision_id"] = Mandate.Core.Decisions.DecisionIds.Next(),
            ["client"] = "10.1.2.3",
        },
    };

    /// <summary>The best of three rounds (the first ones also warm the JIT up), in µs per event.</summary>
    private static async Task Step(TextWriter output, string name, int count, Func<int, object> work)
    {
        var best = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                _ = work(i);
            }

            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds / count);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {name} | {best:F2} |"));
    }

    private static async Task<double> RateAsync(int events, int batch, Func<int, int, Task> write)
    {
        var start = Stopwatch.GetTimestamp();
        for (var offset = 0; offset < events; offset += batch)
        {
            await write(offset, Math.Min(batch, events - offset));
        }

        return events / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static async Task PlainBatchAsync(IMandateStore store, AuditEvent[] sample, int offset, int count, DateTimeOffset time)
    {
        await using var session = (RelationalSession)await store.BeginAsync(StoreIntent.Write, CancellationToken.None);
        var names = Enumerable.Range(0, 14).Select(c => "@c" + c.ToString(CultureInfo.InvariantCulture)).ToArray();
        await using var command = session.Command(
            "INSERT INTO audit_plain (seq, time_ms, type, actor, subject, action, resource, decision, jti, task_id, request_id, body, chain, policy_version) VALUES (" + string.Join(',', names) + ")",
            [.. names.Select(n => (n, (object?)null))]);
        for (var i = offset; i < offset + count; i++)
        {
            var e = sample[i];
            var c = AuditRow.From(i + 1, time, e);
            object?[] values = [i + 1L, c.TimeMilliseconds, c.Type, c.Actor, c.Subject, c.Action, c.Resource, c.Decision, c.CredentialId, c.TaskId, c.RequestId, AuditCanonicalForm.Serialize(i + 1, time, e), c.Chain, c.PolicyVersion];
            for (var column = 0; column < values.Length; column++)
            {
                command.Parameters[column].Value = values[column] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync();
        }

        await session.CommitAsync(CancellationToken.None);
    }
}
