namespace Mandate.Core.Governance.Inventory;

/// <summary>One inventory file to import: its bytes, how to read them, and whether to write anything.</summary>
internal sealed record InventoryImportRequest
{
    public required InventoryFormat Format { get; init; }

    public required ReadOnlyMemory<byte> Content { get; init; }

    /// <summary>The file's name as the operator gave it, for <c>file:line</c> and the ledger (never its content).</summary>
    public required string FileName { get; init; }

    public InventoryParseOptions Options { get; init; } = new();

    public bool DryRun { get; init; }

    /// <summary>Identities written per transaction; the benchmark sets 1 for its one-row-per-transaction comparator.</summary>
    public int BatchSize { get; init; } = InventoryImporter.BatchSize;
}
