namespace Mandate.Server.Tests.Infrastructure;

/// <summary>Finds files of this repository (samples, copied conformance data) from the test's output directory.</summary>
internal static class RepositoryPaths
{
    public static string Samples(string relative) => RepositoryRoot.Combine("samples", relative);

    public static string Conformance(string relative) => RepositoryRoot.Combine("tests", "conformance", "authzen", relative);
}
