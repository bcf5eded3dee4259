using Mandate.Core.Governance.Inventory;

namespace Mandate.Server.Governance;

/// <summary>The answer to an import (docs/inventory.md).</summary>
internal sealed record InventoryImportView(
    string File,
    string Sha256,
    string Format,
    bool DryRun,
    int Rows,
    int Added,
    int Changed,
    int Unchanged,
    int SkippedHumans,
    IReadOnlyList<InventoryRowErrorView> Errors,
    IReadOnlyList<InventoryChangeView> Changes,
    bool ChangesTruncated,
    long? LedgerSequence)
{
    public static InventoryImportView From(InventoryImportReport r) => new(
        r.FileName, r.Sha256, r.Format, r.DryRun, r.Rows, r.Added, r.Changed, r.Unchanged, r.SkippedHumans,
        [.. r.Errors.Select(e => new InventoryRowErrorView(e.Line, e.Reason))],
        [.. r.Changes.Select(c => new InventoryChangeView(c.Source, c.ExternalId, c.Outcome, c.Fields))],
        r.ChangesTruncated,
        r.LedgerSequence);
}

internal sealed record InventoryRowErrorView(long Line, string Reason);

internal sealed record InventoryChangeView(string Source, string ExternalId, string Outcome, IReadOnlyList<string> Fields);

internal sealed record InventoryListView(IReadOnlyList<InventoryEntryView> Entries, InventoryCursor? Next);

/// <summary>Where the next page starts: pass as <c>after_source</c> and <c>after</c>.</summary>
internal sealed record InventoryCursor(string Source, string ExternalId);

internal sealed record InventoryEntryView(
    string Source,
    string ExternalId,
    string Kind,
    string? Owner,
    string? Purpose,
    string Status,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? ExpiresAt,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<InventoryCredentialView> Credentials)
{
    public static InventoryEntryView From(InventoryEntry e) => new(
        e.Source, e.ExternalId, e.Kind, e.Owner, e.Purpose, e.Status, e.CreatedAt, e.ExpiresAt, e.Labels,
        [.. e.Credentials.Select(c => new InventoryCredentialView(c.Slot, c.Kind, c.CredentialId, c.Active, c.CreatedAt, c.LastRotatedAt, c.LastUsedAt, c.LastUsedRegion, c.LastUsedService, c.ExpiresAt, c.Fingerprint))]);
}

internal sealed record InventoryCredentialView(
    string Slot,
    string Kind,
    string? Id,
    bool Active,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastRotatedAt,
    DateTimeOffset? LastUsedAt,
    string? LastUsedRegion,
    string? LastUsedService,
    DateTimeOffset? ExpiresAt,
    string? Fingerprint);
