namespace Mandate.Server.Hosting;

/// <summary>Writes a secret to a file readable by its owner only; the file is created with mode 0600 before any byte is written.</summary>
internal static class SecretFile
{
    public static void Write(string path, string secret)
    {
        Mandate.Core.Storage.PrivateFiles.EnsureDirectory(Path.GetDirectoryName(Path.GetFullPath(path)));

        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(secret);
            writer.Write('\n');
        }

        if (!OperatingSystem.IsWindows())
        {
            // An existing file keeps its old mode on FileMode.Create; tighten it.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
