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

        if (args.Length > 0 && args[0] == "fanout")
        {
            return Cluster.FanOutCommand.RunAsync(args, Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "audit-size")
        {
            return Audit.AuditSizeCommand.RunAsync(args[1..], Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "ledger-append")
        {
            return Audit.LedgerAppendCommand.RunAsync(args[1..], Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "ledger-scale")
        {
            return Audit.LedgerScaleCommand.RunAsync(args[1..], Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "decision-alloc")
        {
            return Decisions.DecisionAllocationCommand.RunAsync(args[1..], Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "policy-heap")
        {
            return Policies.PolicyHeapCommand.RunAsync(args[1..], Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "inventory-import")
        {
            return Governance.InventoryImportCommand.RunAsync(args[1..], Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "secrets-corpus")
        {
            return Secrets.SecretScanBenchCommand.Corpus(args[1..], Console.Out);
        }

        if (args.Length > 0 && args[0] == "secrets-throughput")
        {
            return Secrets.SecretScanBenchCommand.Throughput(args[1..], Console.Out);
        }

        if (args.Length > 0 && args[0] == "console-screenshots")
        {
            return ConsoleScreens.ConsoleScreenshotsCommand.RunAsync(args[1..], Console.Out, Console.Error).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "detection")
        {
            return Detection.DetectionBenchCommand.RunAsync(args[1..], Console.Out).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && CorpusCommands.TryRun(args, Console.Out, Console.Error, out var exitCode))
        {
            return exitCode;
        }
        var summaries = DocsSmoke.On
            ? BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(DocsSmoke.BenchmarkArguments(args, Console.Error), DocsSmoke.Config()).ToList()
            : BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new ShortRunConfig()).ToList();

        // A benchmark that threw, or (in a smoke run) a filter that matches nothing, fails the command.
        var failed = summaries.Where(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)).Select(s => s.Title).ToList();
        if (failed.Count > 0)
        {
            Console.Error.WriteLine($"benchmarks failed: {string.Join(", ", failed)}");
            return 1;
        }

        if (DocsSmoke.On && summaries.Sum(s => s.BenchmarksCases.Length) == 0)
        {
            Console.Error.WriteLine("docs smoke: the filter matched no benchmark");
            return 1;
        }

        return 0;
    }
}
