namespace Mandate.Core.Identity.Inventory;

/// <summary>A non-human identity in the inventory: what it is, who owns it, why it exists, until when.</summary>
internal sealed record WorkloadIdentity
{
    public required string SpiffeId { get; init; }

    public required NhiKind Kind { get; init; }

    /// <summary>A person (<c>alice@example.com</c>) or a team (<c>team:payments</c>).</summary>
    public required string Owner { get; init; }

    public required string Purpose { get; init; }

    public required string Environment { get; init; }

    public required IdentityStatus Status { get; init; }

    public string? StatusReason { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Active and not expired at <paramref name="now"/>.</summary>
    public bool IsUsableAt(DateTimeOffset now) => Status == IdentityStatus.Active && now < ExpiresAt;
}
