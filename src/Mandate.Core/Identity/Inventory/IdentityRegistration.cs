namespace Mandate.Core.Identity.Inventory;

/// <summary>What an admin supplies to register an identity. Owner, purpose and expiry are mandatory.</summary>
internal sealed record IdentityRegistration
{
    public string? SpiffeId { get; init; }

    public string? Kind { get; init; }

    public string? Owner { get; init; }

    public string? Purpose { get; init; }

    public string? Environment { get; init; }

    /// <summary>Absolute expiry; exclusive with <see cref="Ttl"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Lifetime from now; exclusive with <see cref="ExpiresAt"/>.</summary>
    public TimeSpan? Ttl { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
