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
    /// At start, a chain of at most this many events is verified whole before the server takes traffic; a longer one
    /// is verified from its last signed checkpoint to its head first (the server is then ready) and whole in the
    /// background. Zero: always from the last checkpoint when there is one.
    /// </summary>
    public long StartupFullVerifyMaxEvents { get; set; } = 50_000;

    /// <summary>
    /// The file holding the key-encryption key that seals the checkpoint signing key in the store (created with mode
    /// 0600 when missing). Null: checkpoints cannot be signed (offline tools only verify).
    /// </summary>
    public string? KeyEncryptionKeyPath { get; set; }

    /// <summary>
    /// The key-encryption key itself, base64 of 32 bytes (e.g. a secret in the environment,
    /// <c>Mandate__Audit__KeyEncryptionKey</c>); when set, <see cref="KeyEncryptionKeyPath"/> is not used.
    /// </summary>
    public string? KeyEncryptionKey { get; set; }
}
