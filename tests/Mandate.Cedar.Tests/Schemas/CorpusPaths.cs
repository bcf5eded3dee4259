namespace Mandate.Cedar.Tests.Schemas;

/// <summary>Finds the copied Cedar conformance corpus (tests/conformance/cedar) from the test's output folder.</summary>
internal static class CorpusPaths
{
    public static string? Root() =>
        RepositoryRoot.TryPath is { } repository && Path.Combine(repository, "tests", "conformance", "cedar") is var corpus && Directory.Exists(corpus)
            ? corpus
            : null;

    /// <summary>
    /// Every case folder (one holding tests.json), in ordinal order. Without the copied corpus the test is skipped
    /// locally and fails under CI, where the corpus must be present.
    /// </summary>
    public static IReadOnlyList<string> Cases()
    {
        string? root = Root();
        if (root is null)
        {
            const string missing = "tests/conformance/cedar (the copied Cedar corpus) was not found above the test output folder.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(missing);
            }

            Assert.Skip(missing);
        }

        return [.. Directory.EnumerateFiles(root, "tests.json", SearchOption.AllDirectories)
            .Select(f => Path.GetDirectoryName(f)!)
            .Order(StringComparer.Ordinal)];
    }
}
