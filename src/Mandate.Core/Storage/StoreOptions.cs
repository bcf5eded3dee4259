namespace Mandate.Core.Storage;

/// <summary>Store settings (configuration section <c>Mandate:Store</c>).</summary>
internal sealed class StoreOptions
{
    public const string SectionName = "Mandate:Store";

    /// <summary>
    /// SQLite: how long a statement waits for a lock another connection holds before the request fails with 503
    /// <c>store-unavailable</c>. PostgreSQL takes its timeouts from the connection string.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the store is, in the form of <c>mandate serve --store</c> (<c>sqlite:PATH</c> or <c>postgres:CONNSTR</c>);
    /// <c>mandate serve</c> reads it when <c>--store</c> is not given (e.g. from a secret:
    /// <c>Mandate__Store__Location</c>). Null: SQLite in the state directory.
    /// </summary>
    public string? Location { get; set; }
}
