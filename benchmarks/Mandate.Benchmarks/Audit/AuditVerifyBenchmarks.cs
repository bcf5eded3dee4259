using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Benchmarks.Audit;

/// <summary>
/// Verification speed: the whole chain of <see cref="Events"/> events with a checkpoint every 1,000, read from the store.
/// The comparator (baseline) is the floor of any hash-chain check: the same rows read through the same repository in
/// one read transaction, each body hashed once with SHA-256, nothing parsed or compared.
/// </summary>
[MemoryDiagnoser]
public class AuditVerifyBenchmarks
{
    private IMandateStore store = null!;

    [ParamsSource(nameof(Stores))]
    public string Store { get; set; } = "sqlite";

    [ParamsSource(nameof(EventCounts))]
    public int Events { get; set; }

    /// <summary>20,000 events (the per-event figures divide by it); 200 in a docs smoke run, whose figures mean nothing.</summary>
    public static IEnumerable<int> EventCounts() => [DocsSmoke.Size(20_000, 200)];

    public static IEnumerable<string> Stores() => AuditBenchmarkStores.Available();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        (store, _) = await AuditBenchmarkStores.CreateAsync(Store);
        var kek = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N") + ".kek");
        await using var services = new ServiceCollection().AddSingleton(store).AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = kek).Services.BuildServiceProvider();
        var trail = services.GetRequiredService<IAuditTrail>();
        var checkpointer = services.GetRequiredService<AuditCheckpointer>();
        for (var written = 0; written < Events; written += 1000)
        {
            await Task.WhenAll(Enumerable.Range(written, Math.Min(1000, Events - written)).Select(i => trail.AppendAsync(AuditBenchmarkStores.SampleEvent(i), CancellationToken.None)));
            await checkpointer.CheckpointAsync(CancellationToken.None);
        }
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => store.DisposeAsync();

    [Benchmark(Baseline = true, Description = "comparator: read every row, SHA-256 its body (per event)", OperationsPerInvoke = 20_000)]
    public async Task<long> ReadAndHash()
    {
        var digest = new byte[SHA256.HashSizeInBytes];
        long count = 0;
        await using var session = await store.BeginAsync(StoreIntent.Read, CancellationToken.None);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, CancellationToken.None))
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(record.CanonicalJson), digest);
            count++;
        }

        return count == Events ? count : throw new InvalidOperationException($"read {count} events, expected {Events}");
    }

    [Benchmark(Description = "verify chain + checkpoints (per event)", OperationsPerInvoke = 20_000)]
    public async Task<long> VerifyStore()
    {
        var result = await AuditStoreVerifier.VerifyAsync(store, null, CancellationToken.None);
        return result.Verified ? result.Events : throw new InvalidOperationException(result.Failure!.ToString());
    }
}
