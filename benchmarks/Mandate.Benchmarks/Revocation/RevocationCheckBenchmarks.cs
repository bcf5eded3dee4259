using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Mandate.Core.Credentials;

namespace Mandate.Benchmarks.Revocation;

/// <summary>
/// The revocation check every decision makes, with 1,000,000 revoked <c>jti</c>s held in memory: Mandate's
/// <see cref="RevocationSet"/> against a plain <see cref="HashSet{T}"/> and a <see cref="ConcurrentDictionary{TKey,TValue}"/>
/// of the same strings. Each invocation probes 1,024 different <c>jti</c>s (half revoked) so caches do not flatter anyone.
/// </summary>
[MemoryDiagnoser]
public class RevocationCheckBenchmarks
{
    private static readonly int Revoked = DocsSmoke.Size(1_000_000, 10_000);
    private const int Probes = 1024;
    private RevocationSet set = null!;
    private HashSet<string> hashSet = null!;
    private ConcurrentDictionary<string, byte> dictionary = null!;
    private string[] probes = null!;

    [GlobalSetup]
    public void Setup()
    {
        var jtis = Enumerable.Range(0, Revoked).Select(_ => CompactJti.New()).ToArray();
        set = new RevocationSet();
        set.Replace(jtis);
        hashSet = new HashSet<string>(jtis, StringComparer.Ordinal);
        dictionary = new ConcurrentDictionary<string, byte>(jtis.Select(j => new KeyValuePair<string, byte>(j, 0)), StringComparer.Ordinal);
        var random = new Random(42);
        probes = Enumerable.Range(0, Probes)
            .Select(i => i % 2 == 0 ? jtis[random.Next(Revoked)] : CompactJti.New())
            .ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Probes)]
    public int HashSetOfStrings()
    {
        var hits = 0;
        foreach (var jti in probes)
        {
            hits += hashSet.Contains(jti) ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Probes)]
    public int ConcurrentDictionaryOfStrings()
    {
        var hits = 0;
        foreach (var jti in probes)
        {
            hits += dictionary.ContainsKey(jti) ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Probes)]
    public int MandateRevocationSet()
    {
        var hits = 0;
        foreach (var jti in probes)
        {
            hits += set.IsRevoked(jti) ? 1 : 0;
        }

        return hits;
    }
}
