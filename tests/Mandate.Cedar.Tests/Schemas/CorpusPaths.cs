namespace Mandate.Cedar.Tests.Schemas;

/// <summary>Finds the copied Cedar conformance corpus (tests/conformance/cedar) from the test's output folder.</summary>
internal static class CorpusPaths
{
    public static string? Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "conformance", "cedar");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

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
