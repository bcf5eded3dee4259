namespace Mandate.Core.Storage;

/// <summary>Store settings (configuration section <c>Mandate:Store</c>); where the store is comes from <c>--store</c>.</summary>
internal sealed class StoreOptions
{
    public const string SectionName = "Mandate:Store";

    /// <summary>
    /// SQLite: how long a statement waits for a lock another connection holds before the request fails with 503
    /// <c>store-unavailable</c>. PostgreSQL takes its timeouts from the connection string.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
