namespace Mandate.Core.Storage;

/// <summary>Where the store is: <c>sqlite:PATH</c> or <c>postgres:CONNSTR</c>.</summary>
internal sealed record StoreLocation(StoreKind Kind, string Target)
{
    public const string AcceptedForms = "sqlite:PATH (for example sqlite:./.mandate/mandate.db) or postgres:CONNSTR (for example postgres:Host=127.0.0.1;Port=5432;Username=mandate;Database=mandate)";

    public static StoreLocation DefaultSqlite(string dataDirectory) =>
        new(StoreKind.Sqlite, Path.Combine(dataDirectory, "mandate.db"));

    public static bool TryParse(string? value, out StoreLocation? location, out string? error)
    {
        location = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"The store is empty. Use {AcceptedForms}.";
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? value : value[..colon];
        var target = colon < 0 ? string.Empty : value[(colon + 1)..];
        StoreKind kind;
        switch (scheme.ToLowerInvariant())
        {
            case "sqlite":
                kind = StoreKind.Sqlite;
                break;
            case "postgres":
            case "postgresql":
                kind = StoreKind.Postgres;
                break;
            default:
                error = $"'{scheme}' is not a store kind. Use {AcceptedForms}.";
                return false;
        }

        if (target.Length == 0)
        {
            error = $"The {scheme} store needs a {(kind == StoreKind.Sqlite ? "file path" : "connection string")} after the colon. Use {AcceptedForms}.";
            return false;
        }

        location = new StoreLocation(kind, target);
        return true;
    }

    /// <summary>A description safe to log: never the connection string, which may carry a password.</summary>
    public string Describe() => Kind == StoreKind.Sqlite ? $"sqlite:{Target}" : "postgres:(connection string hidden)";
}
