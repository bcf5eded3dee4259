namespace Mandate.Server.Tests.Infrastructure;

/// <summary>Finds files of this repository (samples, copied conformance data) from the test's output directory.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples(string relative) => Path.Combine(Root, "samples", relative);

    public static string Conformance(string relative) => Path.Combine(Root, "tests", "conformance", "authzen", relative);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mandate.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Mandate.slnx not found above " + AppContext.BaseDirectory);
    }
}
