namespace Mandate.Core.Secrets;

/// <summary>
/// What a scan found, ordered by first location, and what it read. <see cref="CpuTime"/> is the processor time the
/// scan used on all its threads, so bytes over CPU time is the per-core throughput whatever the parallelism.
/// </summary>
internal sealed record SecretScanResult
{
    public required IReadOnlyList<SecretReport> Secrets { get; init; }

    public long Files { get; init; }

    public long Bytes { get; init; }

    /// <summary>Files not read: binary, or over <see cref="SecretScanOptions.MaxFileBytes"/>.</summary>
    public long Skipped { get; init; }

    /// <summary>Commits walked (history scans; 0 otherwise).</summary>
    public long Commits { get; init; }

    public TimeSpan Elapsed { get; init; }

    public TimeSpan CpuTime { get; init; }
}
