namespace Mandate.Core.Storage;

/// <summary>
/// Files that hold the server's state (the SQLite database and its journals, keys, tokens) are the owner's alone:
/// directories Mandate creates get mode 0700, files 0600, and an existing state file readable by others is tightened.
/// Directories that already exist are left as they are (they may be shared, like the working directory).
/// </summary>
internal static class PrivateFiles
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="directory"/> (and missing parents) with mode 0700 when it does not exist.</summary>
    public static void EnsureDirectory(string? directory)
    {
        if (string.IsNullOrEmpty(directory) || Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerDirectory);
        }
    }

    /// <summary>Creates an empty file with mode 0600 when it does not exist; an existing one readable by others is made 0600.</summary>
    public static void EnsureFile(string path)
    {
        EnsureDirectory(Path.GetDirectoryName(Path.GetFullPath(path)));
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!File.Exists(path))
        {
            try
            {
                using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerFile });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Created meanwhile by another opener: tightened below.
            }
        }

        Tighten(path);
    }

    /// <summary>Removes group and other permissions from an existing file we own.</summary>
    public static void Tighten(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return;
        }

        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                File.SetUnixFileMode(path, mode & ~GroupOrOther);
            }
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to change (a file another user prepared): the operator's decision.
        }
    }
}
