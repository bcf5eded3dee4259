using System.Collections.Concurrent;
using Mandate.Core.Credentials;

namespace Mandate.Benchmarks.Revocation;

/// <summary>
/// <c>revocation-memory [N]</c>: bytes retained per revoked <c>jti</c> by each structure holding N of them (default
/// 1,000,000), measured as the managed heap after a full collection, with the generated strings released (a string set
/// keeps its strings, Mandate's set keeps 16-byte keys).
/// </summary>
internal static class RevocationMemory
{
    public static int Run(string[] args, TextWriter output)
    {
        var count = DocsSmoke.Cap(args.Length > 1 && int.TryParse(args[1], out var n) ? n : 1_000_000, 10_000, "revoked jtis", Console.Error);
        output.WriteLine($"revoked jtis: {count:N0}");
        output.WriteLine($"{"structure",-32} {"bytes/jti",10}");
        Measure("HashSet<string>", output, count, jtis => new HashSet<string>(jtis, StringComparer.Ordinal));
        Measure("ConcurrentDictionary<string,byte>", output, count, jtis => new ConcurrentDictionary<string, byte>(jtis.Select(j => new KeyValuePair<string, byte>(j, 0)), StringComparer.Ordinal));
        Measure("Mandate RevocationSet", output, count, jtis =>
        {
            var set = new RevocationSet();
            set.Replace(jtis);
            return set;
        });
        return 0;
    }

    private static void Measure(string name, TextWriter output, int count, Func<string[], object> build)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var jtis = Enumerable.Range(0, count).Select(_ => CompactJti.New()).ToArray();
        var structure = build(jtis);
        jtis = null;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"{name,-32} {(after - before) / (double)count,10:F1}");
        GC.KeepAlive(structure);
        GC.KeepAlive(jtis);
    }
}
