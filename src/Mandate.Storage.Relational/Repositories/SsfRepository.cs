using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Mandate.Core.Detection;
using Mandate.Core.Detection.SharedSignals;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(ISsfRepository))]
internal sealed class SsfRepository(RelationalSession session) : ISsfRepository
{
    private const string StreamColumns = "id, config, authorization_header, status, reason, created_ms, updated_ms";

    public async Task<IReadOnlyList<(string Kid, string PublicJwk, string PrivateKey)>> ListKeysAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT kid, public_jwk, private_key FROM ssf_keys ORDER BY created_ms, kid");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var keys = new List<(string, string, string)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return keys;
    }

    public Task AddKeyAsync(string kid, string publicJwk, string privateKey, DateTimeOffset createdAt, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO ssf_keys (kid, public_jwk, private_key, created_ms) VALUES (@kid, @jwk, @key, @t)",
            cancellationToken,
            ("@kid", kid),
            ("@jwk", publicJwk),
            ("@key", privateKey),
            ("@t", createdAt.ToUnixTimeMilliseconds()));

    public Task AddStreamAsync(SsfStream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return session.ExecuteAsync(
            $"INSERT INTO ssf_streams ({StreamColumns}) VALUES (@id, @config, @auth, @status, @reason, @created, @updated)",
            cancellationToken,
            Parameters(stream));
    }

    public async Task<SsfStream?> GetStreamAsync(string id, CancellationToken cancellationToken) =>
        (await ReadStreamsAsync($"SELECT {StreamColumns} FROM ssf_streams WHERE id = @id", [("@id", id)], cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<SsfStream>> ListStreamsAsync(CancellationToken cancellationToken) =>
        ReadStreamsAsync($"SELECT {StreamColumns} FROM ssf_streams ORDER BY created_ms, id", [], cancellationToken);

    public Task UpdateStreamAsync(SsfStream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return session.ExecuteAsync(
            "UPDATE ssf_streams SET config = @config, authorization_header = @auth, status = @status, reason = @reason, created_ms = @created, updated_ms = @updated WHERE id = @id",
            cancellationToken,
            Parameters(stream));
    }

    public async Task<bool> DeleteStreamAsync(string id, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync("DELETE FROM ssf_subjects WHERE stream_id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false);
        return await session.ExecuteAsync("DELETE FROM ssf_streams WHERE id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false) == 1;
    }

    public Task SetSubjectAsync(string streamId, string subjectKey, string subjectJson, bool included, DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO ssf_subjects (stream_id, subject_key, subject, included, updated_ms) VALUES (@stream, @key, @subject, @included, @t) "
            + "ON CONFLICT (stream_id, subject_key) DO UPDATE SET subject = excluded.subject, included = excluded.included, updated_ms = excluded.updated_ms",
            cancellationToken,
            ("@stream", streamId),
            ("@key", subjectKey),
            ("@subject", subjectJson),
            ("@included", included ? 1 : 0),
            ("@t", now.ToUnixTimeMilliseconds()));

    public async Task<IReadOnlyDictionary<string, IReadOnlySet<string>>> ListExcludedSubjectsAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT stream_id, subject_key FROM ssf_subjects WHERE included = 0");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var stream = reader.GetString(0);
            if (!result.TryGetValue(stream, out var keys))
            {
                result[stream] = keys = new HashSet<string>(StringComparer.Ordinal);
            }

            keys.Add(reader.GetString(1));
        }

        return result.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value, StringComparer.Ordinal);
    }

    public async Task<bool> TryRememberAsync(string issuer, string jti, DateTimeOffset now, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "INSERT INTO ssf_received (issuer, jti, received_ms, expires_ms) VALUES (@iss, @jti, @now, @until) ON CONFLICT (issuer, jti) DO NOTHING",
            cancellationToken,
            ("@iss", issuer),
            ("@jti", jti),
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@until", keepUntil.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;

    public Task ForgetAsync(string issuer, string jti, CancellationToken cancellationToken) =>
        session.ExecuteAsync("DELETE FROM ssf_received WHERE issuer = @iss AND jti = @jti", cancellationToken, ("@iss", issuer), ("@jti", jti));

    public Task ForgetExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync("DELETE FROM ssf_received WHERE expires_ms < @now", cancellationToken, ("@now", now.ToUnixTimeMilliseconds()));

    private static (string, object?)[] Parameters(SsfStream stream) =>
    [
        ("@id", stream.Id),
        ("@config", JsonSerializer.Serialize(
            new StoredConfig(stream.DeliveryMethod, stream.EndpointUrl?.OriginalString, [.. stream.EventsRequested], [.. stream.Audience], stream.Description),
            DetectionJson.Default.StoredConfig)),
        ("@auth", stream.ProtectedAuthorization),
        ("@status", stream.Status),
        ("@reason", stream.Reason),
        ("@created", stream.CreatedAt.ToUnixTimeMilliseconds()),
        ("@updated", stream.UpdatedAt.ToUnixTimeMilliseconds()),
    ];

    private async Task<IReadOnlyList<SsfStream>> ReadStreamsAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<SsfStream>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private static SsfStream Read(DbDataReader reader)
    {
        var config = JsonSerializer.Deserialize(reader.GetString(1), DetectionJson.Default.StoredConfig)
            ?? throw new InvalidDataException("A stored Shared Signals stream has no configuration.");
        return new SsfStream
        {
            Id = reader.GetString(0),
            DeliveryMethod = config.Method,
            EndpointUrl = config.EndpointUrl is { } url ? new Uri(url, UriKind.Absolute) : null,
            EventsRequested = config.EventsRequested,
            Audience = config.Audience,
            Description = config.Description,
            ProtectedAuthorization = reader.IsDBNull(2) ? null : reader.GetString(2),
            Status = reader.GetString(3),
            Reason = reader.IsDBNull(4) ? null : reader.GetString(4),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture)),
            UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(6), CultureInfo.InvariantCulture)),
        };
    }
}
