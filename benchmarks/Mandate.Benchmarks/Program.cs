using BenchmarkDotNet.Running;
using Mandate.Benchmarks.Corpus;

namespace Mandate.Benchmarks;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "revocation-memory")
        {
            return Revocation.RevocationMemory.Run(args, Console.Out);
        }

        if (args.Length > 0 && args[0] == "task-latency")
        {
            return Revocation.TaskOpenLatency.RunAsync(args, Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "audit-size")
        {
            return Audit.AuditSizeCommand.RunAsync(args[1..], Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "inventory-import")
        {
            return Governance.InventoryImportCommand.RunAsync(args[1..], Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && CorpusCommands.TryRun(args, Console.Out, Console.Error, out var exitCode))
        {
            return exitCode;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new ShortRunConfig());
        return 0;
    }
}
