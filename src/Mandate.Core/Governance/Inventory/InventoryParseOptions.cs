namespace Mandate.Core.Governance.Inventory;

/// <summary>How to read an inventory file.</summary>
internal sealed record InventoryParseOptions
{
    /// <summary>The owner of rows that name none.</summary>
    public string? DefaultOwner { get; init; }

    /// <summary>The Kubernetes annotation (then label) naming a service account's owner.</summary>
    public string OwnerAnnotation { get; init; } = "mandate.io/owner";
}
