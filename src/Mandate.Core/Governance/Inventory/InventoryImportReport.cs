namespace Mandate.Core.Governance.Inventory;

/// <summary>The outcome of an import: counts, every refused row, and the added and changed identities.</summary>
internal sealed record InventoryImportReport
{
    /// <summary>At most this many changes are listed (the counts are always whole).</summary>
    public const int MaxListedChanges = 10_000;

    public required string FileName { get; init; }

    public required string Sha256 { get; init; }

    public required string Format { get; init; }

    public required bool DryRun { get; init; }

    public required int Rows { get; init; }

    public required int Added { get; init; }

    public required int Changed { get; init; }

    public required int Unchanged { get; init; }

    public required int SkippedHumans { get; init; }

    public required IReadOnlyList<InventoryRowError> Errors { get; init; }

    public required IReadOnlyList<InventoryChange> Changes { get; init; }

    public bool ChangesTruncated { get; init; }

    /// <summary>The ledger sequence of the <c>inventory.imported</c> event; null on a dry run.</summary>
    public long? LedgerSequence { get; init; }
}
