namespace Mandate.Core.Governance.Inventory;

/// <summary>A row that was not imported: its 1-based line in the file and why. Printed as <c>file:line: reason</c>.</summary>
internal sealed record InventoryRowError(long Line, string Reason);
