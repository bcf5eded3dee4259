namespace Mandate.Core.Governance.Inventory;

/// <summary>A page of the imported inventory.</summary>
internal sealed record InventoryQuery
{
    public string? Source { get; init; }

    public string? Owner { get; init; }

    public string? Kind { get; init; }

    /// <summary>Only external ids starting with this.</summary>
    public string? Prefix { get; init; }

    /// <summary>Keyset: entries strictly after this (source, external id).</summary>
    public (string Source, string ExternalId)? After { get; init; }

    public int Limit { get; init; } = 1000;
}
