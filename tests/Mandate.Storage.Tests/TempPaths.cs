namespace Mandate.Storage.Tests;

internal static class TempPaths
{
    public static string NewFile(string prefix, string extension)
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, prefix + extension);
    }
}
