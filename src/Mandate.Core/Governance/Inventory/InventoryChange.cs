namespace Mandate.Core.Governance.Inventory;

/// <summary>What an import did (or, dry, would do) to one identity: <c>added</c> or <c>changed</c> with the fields.</summary>
internal sealed record InventoryChange(string Source, string ExternalId, string Outcome, IReadOnlyList<string> Fields);
