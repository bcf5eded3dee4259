using System.Data.Common;
using System.Globalization;
using Mandate.Core.Detection.Signals;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(ISignalRepository))]
internal sealed class SignalRepository(RelationalSession session) : ISignalRepository
{
    private const string Columns = "id, channel, target, event_type, payload, created_ms, state, attempts, next_attempt_ms, last_status, last_error, done_ms";

    public async Task<long> GetCursorAsync(CancellationToken cancellationToken) =>
        Convert.ToInt64(await session.ScalarAsync("SELECT last_sequence FROM signal_cursor WHERE name = 'signals'", cancellationToken).ConfigureAwait(false) ?? 0L, CultureInfo.InvariantCulture);

    public async Task<bool> AdvanceCursorAsync(long expected, long next, DateTimeOffset now, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE signal_cursor SET last_sequence = @next, updated_ms = @now WHERE name = 'signals' AND last_sequence = @expected",
            cancellationToken,
            ("@next", next),
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@expected", expected)).ConfigureAwait(false) == 1;

    public Task AddAsync(SignalDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return session.ExecuteAsync(
            $"INSERT INTO signal_deliveries ({Columns}) VALUES (@id, @channel, @target, @type, @payload, @created, @state, @attempts, @next, @status, @error, @done)",
            cancellationToken,
            ("@id", delivery.Id),
            ("@channel", delivery.Channel),
            ("@target", delivery.Target),
            ("@type", delivery.EventType),
            ("@payload", delivery.Payload),
            ("@created", delivery.CreatedAt.ToUnixTimeMilliseconds()),
            ("@state", delivery.State),
            ("@attempts", delivery.Attempts),
            ("@next", delivery.NextAttemptAt.ToUnixTimeMilliseconds()),
            ("@status", delivery.LastStatus),
            ("@error", delivery.LastError),
            ("@done", delivery.DoneAt?.ToUnixTimeMilliseconds()));
    }

    public Task<IReadOnlyList<SignalDelivery>> ListDueAsync(IReadOnlyCollection<string> channels, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var (inList, parameters) = In(channels);
        parameters.Add(("@pending", SignalDeliveryStates.Pending));
        parameters.Add(("@now", now.ToUnixTimeMilliseconds()));
        return ReadAsync(
            $"SELECT {Columns} FROM signal_deliveries WHERE state = @pending AND next_attempt_ms <= @now AND channel IN ({inList}) ORDER BY next_attempt_ms, created_ms LIMIT {Limit(limit)}",
            parameters,
            cancellationToken);
    }

    public async Task<DateTimeOffset?> NextDueAsync(IReadOnlyCollection<string> channels, CancellationToken cancellationToken)
    {
        var (inList, parameters) = In(channels);
        parameters.Add(("@pending", SignalDeliveryStates.Pending));
        var value = await session.ScalarAsync($"SELECT MIN(next_attempt_ms) FROM signal_deliveries WHERE state = @pending AND channel IN ({inList})", cancellationToken, [.. parameters]).ConfigureAwait(false);
        return value is null or DBNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(Convert.ToInt64(value, CultureInfo.InvariantCulture), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
    }

    public async Task<bool> ClaimAsync(string id, DateTimeOffset expectedNextAttempt, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE signal_deliveries SET next_attempt_ms = @lease WHERE id = @id AND state = @pending AND next_attempt_ms = @expected",
            cancellationToken,
            ("@lease", leaseUntil.ToUnixTimeMilliseconds()),
            ("@id", id),
            ("@pending", SignalDeliveryStates.Pending),
            ("@expected", expectedNextAttempt.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;

    public Task RecordAttemptAsync(SignalDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return session.ExecuteAsync(
            "UPDATE signal_deliveries SET state = @state, attempts = @attempts, next_attempt_ms = @next, last_status = @status, last_error = @error, done_ms = @done WHERE id = @id",
            cancellationToken,
            ("@state", delivery.State),
            ("@attempts", delivery.Attempts),
            ("@next", delivery.NextAttemptAt.ToUnixTimeMilliseconds()),
            ("@status", delivery.LastStatus),
            ("@error", delivery.LastError),
            ("@done", delivery.DoneAt?.ToUnixTimeMilliseconds()),
            ("@id", delivery.Id));
    }

    public async Task<SignalDelivery?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await ReadAsync($"SELECT {Columns} FROM signal_deliveries WHERE id = @id", [("@id", id)], cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<SignalDelivery>> ListAsync(string channel, string? target, string state, int limit, CancellationToken cancellationToken)
    {
        var parameters = new List<(string, object?)> { ("@channel", channel), ("@state", state) };
        var where = "channel = @channel AND state = @state";
        if (target is not null)
        {
            where += " AND target = @target";
            parameters.Add(("@target", target));
        }

        return ReadAsync($"SELECT {Columns} FROM signal_deliveries WHERE {where} ORDER BY created_ms, id LIMIT {Limit(limit)}", parameters, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> AcknowledgeAsync(string channel, string target, IReadOnlyCollection<string> ids, string state, string? error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var changed = new List<string>(ids.Count);
        foreach (var id in ids)
        {
            if (await session.ExecuteAsync(
                "UPDATE signal_deliveries SET state = @state, last_error = @error, done_ms = @now WHERE id = @id AND channel = @channel AND target = @target AND state = @pending",
                cancellationToken,
                ("@state", state),
                ("@error", error),
                ("@now", now.ToUnixTimeMilliseconds()),
                ("@id", id),
                ("@channel", channel),
                ("@target", target),
                ("@pending", SignalDeliveryStates.Pending)).ConfigureAwait(false) == 1)
            {
                changed.Add(id);
            }
        }

        return changed;
    }

    public Task RescheduleTargetAsync(string channel, string target, DateTimeOffset at, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "UPDATE signal_deliveries SET next_attempt_ms = @at WHERE channel = @channel AND target = @target AND state = @pending",
            cancellationToken,
            ("@at", at.ToUnixTimeMilliseconds()),
            ("@channel", channel),
            ("@target", target),
            ("@pending", SignalDeliveryStates.Pending));

    public Task DeleteTargetAsync(string channel, string target, CancellationToken cancellationToken) =>
        session.ExecuteAsync("DELETE FROM signal_deliveries WHERE channel = @channel AND target = @target", cancellationToken, ("@channel", channel), ("@target", target));

    private static (string List, List<(string, object?)> Parameters) In(IReadOnlyCollection<string> values)
    {
        var parameters = new List<(string, object?)>();
        var names = new List<string>();
        foreach (var value in values.DefaultIfEmpty(string.Empty))
        {
            var name = "@c" + names.Count.ToString(CultureInfo.InvariantCulture);
            names.Add(name);
            parameters.Add((name, value));
        }

        return (string.Join(", ", names), parameters);
    }

    private static string Limit(int limit) => Math.Clamp(limit, 1, 10_000).ToString(CultureInfo.InvariantCulture);

    private async Task<IReadOnlyList<SignalDelivery>> ReadAsync(string sql, List<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        var command = session.Command(sql, [.. parameters]);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<SignalDelivery>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private static SignalDelivery Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Channel = reader.GetString(1),
        Target = reader.GetString(2),
        EventType = reader.GetString(3),
        Payload = reader.GetString(4),
        CreatedAt = Time(reader.GetValue(5)),
        State = reader.GetString(6),
        Attempts = Convert.ToInt32(reader.GetValue(7), CultureInfo.InvariantCulture),
        NextAttemptAt = Time(reader.GetValue(8)),
        LastStatus = reader.IsDBNull(9) ? null : Convert.ToInt32(reader.GetValue(9), CultureInfo.InvariantCulture),
        LastError = reader.IsDBNull(10) ? null : reader.GetString(10),
        DoneAt = reader.IsDBNull(11) ? null : Time(reader.GetValue(11)),
    };

    private static DateTimeOffset Time(object value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(Convert.ToInt64(value, CultureInfo.InvariantCulture), 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
}
