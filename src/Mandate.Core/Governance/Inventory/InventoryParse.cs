namespace Mandate.Core.Governance.Inventory;

/// <summary>
/// What a parser read: the rows it understood (each whole), the rows it refused (each with its line), and the humans it
/// skipped (console users and the root account of a credential report).
/// </summary>
internal sealed class InventoryParse
{
    public List<InventoryEntry> Entries { get; } = [];

    public List<InventoryRowError> Errors { get; } = [];

    public int SkippedHumans { get; set; }
}
