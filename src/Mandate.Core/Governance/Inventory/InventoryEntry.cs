namespace Mandate.Core.Governance.Inventory;

/// <summary>
/// An identity imported from where it already lives, for governance: who owns it, why it exists, what it holds.
/// Keyed by <see cref="Source"/> and <see cref="ExternalId"/> (an ARN, <c>namespace/name</c>, …).
/// </summary>
internal sealed record InventoryEntry
{
    /// <summary><c>aws</c>, <c>k8s</c>, or the source a JSON/CSV file names.</summary>
    public required string Source { get; init; }

    public required string ExternalId { get; init; }

    /// <summary>An NHI kind name (<c>service_account</c>, <c>workload</c>, …).</summary>
    public required string Kind { get; init; }

    public string? Owner { get; init; }

    public string? Purpose { get; init; }

    /// <summary><c>active</c> or <c>disabled</c>.</summary>
    public required string Status { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The line of the file the entry was read from (0 when read from the store): refusals name it.</summary>
    public long Line { get; init; }

    /// <summary>Ordered by slot.</summary>
    public IReadOnlyList<InventoryCredential> Credentials { get; init; } = [];
}
