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

    /// <summary>Every case folder (one holding tests.json), in ordinal order.</summary>
    public static IReadOnlyList<string> Cases()
    {
        string root = Root() ?? throw new InvalidOperationException("tests/conformance/cedar was not found above the test output folder.");
        return [.. Directory.EnumerateFiles(root, "tests.json", SearchOption.AllDirectories)
            .Select(f => Path.GetDirectoryName(f)!)
            .Order(StringComparer.Ordinal)];
    }
}
