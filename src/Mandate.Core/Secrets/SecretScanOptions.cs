namespace Mandate.Core.Secrets;

/// <summary>What a scan reads.</summary>
internal sealed record SecretScanOptions
{
    /// <summary>Files (and history blobs) larger than this are skipped and counted: generated bundles, data, media.</summary>
    public long MaxFileBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Files scanned at once (default: one per core).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}
