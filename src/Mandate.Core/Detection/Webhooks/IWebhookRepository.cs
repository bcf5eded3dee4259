namespace Mandate.Core.Detection.Webhooks;

/// <summary>Persistence of webhook endpoints (their messages are in the signal outbox).</summary>
internal interface IWebhookRepository
{
    Task AddAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken);

    Task<WebhookEndpoint?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every endpoint, oldest first.</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListAsync(CancellationToken cancellationToken);

    /// <summary>False when there was no such endpoint.</summary>
    Task<bool> RemoveAsync(string id, CancellationToken cancellationToken);
}
