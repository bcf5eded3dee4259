namespace Mandate.Core.Secrets;

/// <summary>Joins detections into one report per fingerprint, in the order they are added (path order, then history).</summary>
internal sealed class SecretMerge
{
    private readonly Dictionary<string, SecretReport> byFingerprint = new(StringComparer.Ordinal);
    private readonly List<SecretReport> ordered = [];
    private readonly HashSet<(string, SecretLocation)> seen = [];

    public void Add(IEnumerable<SecretHit> hits, Func<SecretHit, SecretLocation> locate)
    {
        ArgumentNullException.ThrowIfNull(hits);
        ArgumentNullException.ThrowIfNull(locate);
        foreach (var hit in hits)
        {
            if (!byFingerprint.TryGetValue(hit.Fingerprint, out var report))
            {
                report = new SecretReport { Fingerprint = hit.Fingerprint, Kind = hit.Kind, Confidence = hit.Confidence };
                byFingerprint[hit.Fingerprint] = report;
                ordered.Add(report);
            }

            report.CredentialId ??= hit.CredentialId;
            var location = locate(hit);
            if (seen.Add((hit.Fingerprint, location)))
            {
                report.Locations.Add(location);
            }
        }
    }

    public SecretScanResult Result(long files, long bytes, long skipped, long commits, TimeSpan elapsed, TimeSpan cpu) => new()
    {
        Secrets = ordered,
        Files = files,
        Bytes = bytes,
        Skipped = skipped,
        Commits = commits,
        Elapsed = elapsed,
        CpuTime = cpu,
    };
}
