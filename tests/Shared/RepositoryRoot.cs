using System.Reflection;

namespace Mandate.Tests.Shared;

/// <summary>
/// This repository's root folder, for tests that read its files (samples, conformance data). The build records it in
/// the test assembly (tests/Directory.Build.props: <c>AssemblyMetadata RepositoryRoot</c>), so build output placed
/// outside the tree (MANDATE_ARTIFACTS) still finds it; otherwise the first folder above the test binaries holding
/// Mandate.slnx.
/// </summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The root; throws when neither source names one.</summary>
    public static string Path => Found.Value ?? throw new InvalidOperationException(
        "The repository root is not known: no RepositoryRoot assembly metadata, and no Mandate.slnx above " + AppContext.BaseDirectory);

    /// <summary>The root, or <see langword="null"/> when it cannot be found.</summary>
    public static string? TryPath => Found.Value;

    /// <summary>A path under the root.</summary>
    public static string Combine(params string[] relative) => System.IO.Path.Combine([Path, .. relative]);

    private static string? Find()
    {
        var recorded = typeof(RepositoryRoot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (recorded is not null && IsRoot(recorded))
        {
            return recorded;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (IsRoot(directory.FullName))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    private static bool IsRoot(string directory) => File.Exists(System.IO.Path.Combine(directory, "Mandate.slnx"));
}
