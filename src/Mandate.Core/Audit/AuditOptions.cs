namespace Mandate.Core.Audit;

/// <summary>Tuning of the audit ledger (section <c>Mandate:Audit</c>).</summary>
internal sealed class AuditOptions
{
    public const string SectionName = "Mandate:Audit";

    /// <summary>Most events one group commit writes in a single transaction.</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>A checkpoint is signed once this many events are not yet covered by one.</summary>
    public int CheckpointEvery { get; set; } = 1000;

    /// <summary>…and at least this often while events arrive.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The file holding the key-encryption key that seals the checkpoint signing key in the store (created with mode
    /// 0600 when missing). Null: checkpoints cannot be signed (offline tools only verify).
    /// </summary>
    public string? KeyEncryptionKeyPath { get; set; }
}
