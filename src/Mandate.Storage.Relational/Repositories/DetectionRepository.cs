using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Mandate.Core.Detection;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IDetectionRepository))]
internal sealed class DetectionRepository(RelationalSession session) : IDetectionRepository
{
    private const string AlertColumns = "seq, id, rule, severity, identity, time_ms, summary, evidence, task_id, response, response_state";

    public async Task<long> GetCursorAsync(CancellationToken cancellationToken) =>
        Convert.ToInt64(await session.ScalarAsync("SELECT last_sequence FROM detection_cursor WHERE id = 1", cancellationToken).ConfigureAwait(false) ?? 0L, CultureInfo.InvariantCulture);

    public async Task<bool> AdvanceCursorAsync(long expected, long next, DateTimeOffset now, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE detection_cursor SET last_sequence = @next, updated_ms = @now WHERE id = 1 AND last_sequence = @expected",
            cancellationToken,
            ("@next", next),
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@expected", expected)).ConfigureAwait(false) == 1;

    public async Task<IReadOnlyDictionary<string, string>> LoadStateAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT key, value FROM detection_state");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[reader.GetString(0)] = reader.GetString(1);
        }

        return result;
    }

    public async Task SaveStateAsync(IReadOnlyCollection<KeyValuePair<string, string?>> changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                await session.ExecuteAsync("DELETE FROM detection_state WHERE key = @k", cancellationToken, ("@k", key)).ConfigureAwait(false);
            }
            else
            {
                await session.ExecuteAsync(
                    "INSERT INTO detection_state (key, value, updated_ms) VALUES (@k, @v, @t) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
                    cancellationToken,
                    ("@k", key),
                    ("@v", value),
                    ("@t", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
            }
        }
    }

    public async Task<long> GetLastAlertSequenceAsync(CancellationToken cancellationToken) =>
        Convert.ToInt64(await session.ScalarAsync("SELECT COALESCE(MAX(seq), 0) FROM detection_alerts", cancellationToken).ConfigureAwait(false) ?? 0L, CultureInfo.InvariantCulture);

    public Task AddAlertAsync(DetectionAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return session.ExecuteAsync(
            $"INSERT INTO detection_alerts ({AlertColumns}) VALUES (@seq, @id, @rule, @severity, @identity, @time, @summary, @evidence, @task, @response, @state)",
            cancellationToken,
            ("@seq", alert.Sequence),
            ("@id", alert.Id),
            ("@rule", alert.Rule),
            ("@severity", alert.Severity),
            ("@identity", alert.Identity),
            ("@time", alert.Time.ToUnixTimeMilliseconds()),
            ("@summary", alert.Summary),
            ("@evidence", JsonSerializer.Serialize(alert.Evidence.ToList(), DetectionJson.Default.ListInt64)),
            ("@task", alert.TaskId),
            ("@response", JsonSerializer.Serialize(alert.Response, DetectionJson.Default.AlertResponse)),
            ("@state", alert.Response.State));
    }

    public Task UpdateResponseAsync(string alertId, AlertResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return session.ExecuteAsync(
            "UPDATE detection_alerts SET response = @response, response_state = @state WHERE id = @id",
            cancellationToken,
            ("@response", JsonSerializer.Serialize(response, DetectionJson.Default.AlertResponse)),
            ("@state", response.State),
            ("@id", alertId));
    }

    public async Task<DetectionAlert?> GetAlertAsync(string id, CancellationToken cancellationToken) =>
        (await ReadAlertsAsync($"SELECT {AlertColumns} FROM detection_alerts WHERE id = @id", [("@id", id)], cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<DetectionAlert>> QueryAlertsAsync(AlertQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string> { "seq > @after" };
        var parameters = new List<(string, object?)> { ("@after", query.AfterSequence) };
        if (query.Rule is { } rule)
        {
            where.Add("rule = @rule");
            parameters.Add(("@rule", rule));
        }

        if (query.Identity is { } identity)
        {
            where.Add("identity = @identity");
            parameters.Add(("@identity", identity));
        }

        if (query.Since is { } since)
        {
            where.Add("time_ms >= @since");
            parameters.Add(("@since", since.ToUnixTimeMilliseconds()));
        }

        if (query.Until is { } until)
        {
            where.Add("time_ms < @until");
            parameters.Add(("@until", until.ToUnixTimeMilliseconds()));
        }

        var limit = Math.Clamp(query.Limit, 1, AlertQuery.MaxLimit).ToString(CultureInfo.InvariantCulture);
        return ReadAlertsAsync($"SELECT {AlertColumns} FROM detection_alerts WHERE {string.Join(" AND ", where)} ORDER BY seq LIMIT {limit}", [.. parameters], cancellationToken);
    }

    public Task<IReadOnlyList<DetectionAlert>> ListPendingResponsesAsync(int limit, CancellationToken cancellationToken) =>
        ReadAlertsAsync(
            $"SELECT {AlertColumns} FROM detection_alerts WHERE response_state = @pending ORDER BY seq LIMIT {Math.Clamp(limit, 1, 10_000).ToString(CultureInfo.InvariantCulture)}",
            [("@pending", AlertResponse.Pending)],
            cancellationToken);

    public async Task<IReadOnlyList<StoredRisk>> LoadRiskAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT identity, score, updated_ms, reason FROM detection_risk");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<StoredRisk>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(ReadRisk(reader));
        }

        return result;
    }

    public async Task<StoredRisk?> GetRiskAsync(string identity, CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT identity, score, updated_ms, reason FROM detection_risk WHERE identity = @identity", ("@identity", identity));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRisk(reader) : null;
    }

    public async Task SetRiskAsync(StoredRisk risk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(risk);
        await session.ExecuteAsync(
            "INSERT INTO detection_risk (identity, score, updated_ms, reason) VALUES (@identity, @score, @t, @reason) ON CONFLICT (identity) DO UPDATE SET score = excluded.score, updated_ms = excluded.updated_ms, reason = excluded.reason",
            cancellationToken,
            ("@identity", risk.Identity),
            ("@score", risk.Score),
            ("@t", risk.UpdatedAt.ToUnixTimeMilliseconds()),
            ("@reason", risk.Reason)).ConfigureAwait(false);
        if (session.Dialect.Kind == "postgres")
        {
            // Delivered at commit: other nodes read the new score at once. An identity too long for a payload (the
            // limit is 8000 bytes) makes them reload every score instead.
            var payload = System.Text.Encoding.UTF8.GetByteCount(risk.Identity) <= 4000 ? risk.Identity : "*";
            await session.ExecuteAsync("SELECT pg_notify(@prefix || current_schema(), @payload)", cancellationToken, ("@prefix", Mandate.Core.Storage.StoreChannels.Risk), ("@payload", payload)).ConfigureAwait(false);
        }
    }

    private static StoredRisk ReadRisk(DbDataReader reader) =>
        new(
            reader.GetString(0),
            Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture),
            DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture)),
            reader.IsDBNull(3) ? null : reader.GetString(3));

    private async Task<IReadOnlyList<DetectionAlert>> ReadAlertsAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<DetectionAlert>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(ReadAlert(reader));
        }

        return result;
    }

    private static DetectionAlert ReadAlert(DbDataReader reader) => new()
    {
        Sequence = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
        Id = reader.GetString(1),
        Rule = reader.GetString(2),
        Severity = reader.GetString(3),
        Identity = reader.GetString(4),
        Time = DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture)),
        Summary = reader.GetString(6),
        Evidence = JsonSerializer.Deserialize(reader.GetString(7), DetectionJson.Default.ListInt64) ?? [],
        TaskId = reader.IsDBNull(8) ? null : reader.GetString(8),
        Response = JsonSerializer.Deserialize(reader.GetString(9), DetectionJson.Default.AlertResponse)
            ?? new AlertResponse([], null, null, reader.GetString(10), []),
    };
}
