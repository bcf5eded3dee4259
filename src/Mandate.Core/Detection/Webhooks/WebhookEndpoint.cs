namespace Mandate.Core.Detection.Webhooks;

/// <summary>
/// An operator-configured receiver of signed webhooks: where to POST, which event types, and its signing secret
/// (<see cref="ProtectedSecret"/>: encrypted under the key-encryption key; the plain secret is shown once, at creation).
/// </summary>
internal sealed record WebhookEndpoint
{
    public required string Id { get; init; }

    public required Uri Url { get; init; }

    public required IReadOnlyList<string> Events { get; init; }

    public string? Description { get; init; }

    public required string ProtectedSecret { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }
}
