using Mandate.Benchmarks.Cedar.Corpus;

namespace Mandate.Benchmarks.Corpus;

/// <summary>
/// The non-BenchmarkDotNet entry points: <c>export DIR</c> writes the corpus both engines read, <c>measure DIR</c>
/// times Mandate.Cedar on it per decision (the same method as benchmarks/compare/measure.mjs).
/// </summary>
internal static class CorpusCommands
{
    private static readonly HashSet<string> ExportOptions = ["--hierarchies", "--requests", "--entities", "--apps", "--agent-requests", "--seed"];

    public static bool TryRun(string[] args, TextWriter output, TextWriter error, out int exitCode)
    {
        exitCode = 0;
        try
        {
            switch (args[0])
            {
                case "export":
                    Export(args[1..], output);
                    return true;
                case "measure":
                    exitCode = MeasureCommand.Run(args[1..], output, error);
                    return true;
                default:
                    return false;
            }
        }
        catch (UsageException e)
        {
            error.WriteLine(e.Message);
            exitCode = 2;
            return true;
        }
    }

    private static void Export(string[] args, TextWriter output)
    {
        var line = CommandLine.Parse("export", args, ExportOptions);
        var defaults = new CorpusOptions();
        var options = new CorpusOptions
        {
            Hierarchies = line.Int("--hierarchies", defaults.Hierarchies),
            RequestsPerHierarchy = line.Int("--requests", defaults.RequestsPerHierarchy),
            EntitiesPerType = line.Ints("--entities", defaults.EntitiesPerType),
            Apps = line.Names("--apps", defaults.Apps),
            AgentRequests = line.Int("--agent-requests", defaults.AgentRequests),
            Seed = line.ULong("--seed", defaults.Seed),
        };
        try
        {
            CorpusExporter.Export(line.Directory, options, output);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"export: {e.Message}");
        }
        output.WriteLine($"corpus written to {Path.GetFullPath(line.Directory)}");
    }
}
