using System.Globalization;
using System.Text;
using System.Text.Json;
using Mandate.Benchmarks.Audit;
using Mandate.Core.Policies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mandate.Benchmarks.Policies;

/// <summary>
/// <c>policy-heap [--policies N] [--per-file M]</c>: the extra managed heap (peak, sampled every millisecond, above the heap holding
/// the bundle itself) and the bytes allocated while a bundle of N policies (~2.4 KB each: 10,000 make ~23.6 MB; by default all in one file, as the estate of issue 21 was) is
/// stored and activated on SQLite through <c>PolicyService.ActivateAsync</c> (compile, store the version, audit,
/// swap). The comparator, in the same run: the stored form written the way it was before issue 21
/// (<c>JsonSerializer</c> with the default encoder into one string).
/// </summary>
internal static class PolicyHeapCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var policies = 10_000;
        var perFile = 0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--policies":
                    policies = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--per-file":
                    perFile = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: policy-heap [--policies N] [--per-file M (0: all in one file)]");
                    return 2;
            }
        }

        policies = DocsSmoke.Cap(policies, 200, "policies", Console.Error);
        var bundle = Bundle(policies, perFile <= 0 ? policies : perFile);
        var size = bundle.Policies.Sum(p => (long)p.Text.Length) + bundle.EntitiesJson!.Length;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bundle: {policies:N0} policies in {bundle.Policies.Count} files, {size / 1e6:F1} M characters"));
        await output.WriteLineAsync("| step | peak extra heap (MB) | allocated (MB) |");
        await output.WriteLineAsync("|---|---:|---:|");

        var (now, nowAllocated) = Measure(() => _ = PolicyBundleJson.SerializeToUtf8(bundle));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| stored form now (PolicyBundleJson.SerializeToUtf8, what the stores bind) | {now / 1e6:F0} | {nowAllocated / 1e6:F0} |"));
        var (text, textAllocated) = Measure(() => _ = PolicyBundleJson.Serialize(bundle));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| stored form as a string (PolicyBundleJson.Serialize, the admin API's) | {text / 1e6:F0} | {textAllocated / 1e6:F0} |"));

        var (compile, compileAllocated) = Measure(() => _ = PolicyCompiler.Compile(bundle, "bench", DateTimeOffset.UtcNow));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| compile only (PolicyCompiler.Compile; the snapshot is dropped after) | {compile / 1e6:F0} | {compileAllocated / 1e6:F0} |"));

        var (store, _) = await AuditBenchmarkStores.CreateAsync("sqlite");
        await using (store)
        {
            var kek = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N") + ".kek");
            await using var services = new ServiceCollection()
                .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
                .AddSingleton(store)
                .AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = kek).AddDecisions()
                .Services.BuildServiceProvider();
            var service = services.GetRequiredService<PolicyService>();
            var heldBefore = GC.GetTotalMemory(forceFullCollection: true);
            var (activate, activateAllocated) = Measure(() => service.ActivateAsync(bundle, "bench", "bench", CancellationToken.None).GetAwaiter().GetResult());
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| store and activate (PolicyService.ActivateAsync, SQLite), snapshot included | {activate / 1e6:F0} | {activateAllocated / 1e6:F0} |"));
            var retained = GC.GetTotalMemory(forceFullCollection: true);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"heap held by the bundle before activation: {heldBefore / 1e6:F0} MB; after, with the active snapshot: {retained / 1e6:F0} MB"));
        }

        // Last: the arrays it rents stay in the shared pool and would otherwise serve the steps above.
        var (before, beforeAllocated) = Measure(() => _ = PreviousSerialize(bundle));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| comparator: stored form as before (JsonSerializer, default encoder) | {before / 1e6:F0} | {beforeAllocated / 1e6:F0} |"));
        return 0;
    }

    /// <summary>Peak heap above the starting heap while <paramref name="work"/> runs, and the bytes it allocated.</summary>
    private static (long PeakExtra, long Allocated) Measure(Action work)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var peak = baseline;
        using var done = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            while (!done.Wait(1))
            {
                var current = GC.GetTotalMemory(forceFullCollection: false);
                if (current > Interlocked.Read(ref peak))
                {
                    Interlocked.Exchange(ref peak, current);
                }
            }
        }) { IsBackground = true };
        sampler.Start();
        work();
        var after = GC.GetTotalMemory(forceFullCollection: false);
        done.Set();
        sampler.Join();
        return (Math.Max(Interlocked.Read(ref peak), after) - baseline, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
    }

    /// <summary>N policies of ~2.4 KB, <paramref name="perFile"/> to a file, each naming its own principal and many quoted values.</summary>
    private static PolicyBundle Bundle(int policies, int perFile)
    {
        var files = new List<PolicyFile>();
        var text = new StringBuilder();
        for (var i = 0; i < policies; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"@id(\"p{i}\")\npermit (\n  principal == Workload::\"spiffe://estate.example/agent/a{i}\",\n  action == Action::\"read\",\n  resource is Dataset\n)\nwhen\n{{\n  ");
            for (var k = 0; k < 36; k++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{(k == 0 ? string.Empty : " ||\n  ")}resource.owner == \"team-{i}-{k}-{new string('x', 20)}\"");
            }

            text.Append("\n};\n\n");
            if (i % perFile == perFile - 1 || i == policies - 1)
            {
                files.Add(new PolicyFile($"estate-{files.Count:D4}.cedar", text.ToString()));
                text.Clear();
            }
        }

        var entities = "[" + string.Join(',', Enumerable.Range(0, 100).Select(i => $"{{\"uid\":{{\"type\":\"Dataset\",\"id\":\"d{i}\"}},\"attrs\":{{\"owner\":\"team-{i}-0\"}},\"parents\":[]}}")) + "]";
        return new PolicyBundle(files, entities, null);
    }

    /// <summary>The stored form as it was written before issue 21: the comparator.</summary>
    private static string PreviousSerialize(PolicyBundle bundle) =>
        JsonSerializer.Serialize(new PolicyBundleJson.BundleDocument
        {
            Policies = bundle.Policies.ToDictionary(p => p.Name, p => p.Text, StringComparer.Ordinal),
            Entities = bundle.EntitiesJson,
            Schema = bundle.Schema,
        }, PolicyBundleJsonContext.Default.BundleDocument);
}
