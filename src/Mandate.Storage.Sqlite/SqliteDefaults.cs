namespace Mandate.Storage.Sqlite;

/// <summary>Defaults of the embedded store.</summary>
internal static class SqliteDefaults
{
    /// <summary>How long a statement waits for another connection's lock (a long checkpoint, a backup) before failing.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);
}
