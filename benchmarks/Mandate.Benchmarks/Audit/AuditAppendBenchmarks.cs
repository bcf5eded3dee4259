using BenchmarkDotNet.Attributes;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Benchmarks.Audit;

/// <summary>
/// Durable appends with group commit: <see cref="Clients"/> concurrent clients each append events one after the
/// other and wait for the commit (closed loop), on SQLite (WAL, synchronous=FULL) and PostgreSQL. The baseline writes
/// the same rows with the same batching but unchained; the ratio is the cost of the hash chain.
/// </summary>
[MemoryDiagnoser]
public class AuditAppendBenchmarks
{
    private const int EventsPerClient = 16;
    private ServiceProvider services = null!;
    private IMandateStore store = null!;
    private IAuditTrail trail = null!;
    private PlainGroupCommitWriter plain = null!;
    private int counter;

    [ParamsSource(nameof(Stores))]
    public string Store { get; set; } = "sqlite";

    [Params(32)]
    public int Clients { get; set; }

    public static IEnumerable<string> Stores() => AuditBenchmarkStores.Available();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        (store, _) = await AuditBenchmarkStores.CreateAsync(Store);
        var kek = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N") + ".kek");
        services = new ServiceCollection().AddSingleton(store).AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = kek).Services.BuildServiceProvider();
        trail = services.GetRequiredService<IAuditTrail>();
        plain = new PlainGroupCommitWriter(store);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await plain.DisposeAsync();
        await services.DisposeAsync();
        await store.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 32 * EventsPerClient, Description = "plain unchained insert, group commit")]
    public Task PlainInsert() => RunClientsAsync(e => plain.AppendAsync(e));

    [Benchmark(OperationsPerInvoke = 32 * EventsPerClient, Description = "chained append (RFC 8785 + SHA-256), group commit")]
    public Task ChainedAppend() => RunClientsAsync(e => trail.AppendAsync(e, CancellationToken.None));

    private Task RunClientsAsync(Func<AuditEvent, Task> append) =>
        Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < EventsPerClient; i++)
            {
                await append(AuditBenchmarkStores.SampleEvent(Interlocked.Increment(ref counter)));
            }
        })));
}
