using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Mandate.Core.Detection;
using Mandate.Core.Detection.Webhooks;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IWebhookRepository))]
internal sealed class WebhookRepository(RelationalSession session) : IWebhookRepository
{
    private const string Columns = "id, url, events, description, secret, created_ms, created_by";

    public Task AddAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return session.ExecuteAsync(
            $"INSERT INTO webhook_endpoints ({Columns}) VALUES (@id, @url, @events, @description, @secret, @created, @by)",
            cancellationToken,
            ("@id", endpoint.Id),
            ("@url", endpoint.Url.OriginalString),
            ("@events", JsonSerializer.Serialize(endpoint.Events.ToList(), DetectionJson.Default.ListString)),
            ("@description", endpoint.Description),
            ("@secret", endpoint.ProtectedSecret),
            ("@created", endpoint.CreatedAt.ToUnixTimeMilliseconds()),
            ("@by", endpoint.CreatedBy));
    }

    public async Task<WebhookEndpoint?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await ReadAsync($"SELECT {Columns} FROM webhook_endpoints WHERE id = @id", [("@id", id)], cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<WebhookEndpoint>> ListAsync(CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {Columns} FROM webhook_endpoints ORDER BY created_ms, id", [], cancellationToken);

    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken) =>
        await session.ExecuteAsync("DELETE FROM webhook_endpoints WHERE id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false) == 1;

    private async Task<IReadOnlyList<WebhookEndpoint>> ReadAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<WebhookEndpoint>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private static WebhookEndpoint Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Url = new Uri(reader.GetString(1), UriKind.Absolute),
        Events = JsonSerializer.Deserialize(reader.GetString(2), DetectionJson.Default.ListString) ?? [],
        Description = reader.IsDBNull(3) ? null : reader.GetString(3),
        ProtectedSecret = reader.GetString(4),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture)),
        CreatedBy = reader.GetString(6),
    };
}
