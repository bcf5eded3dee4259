namespace Mandate.Core.Storage;

public enum StoreKind
{
    Sqlite,
    Postgres,
}
