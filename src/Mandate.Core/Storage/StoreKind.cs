namespace Mandate.Core.Storage;

internal enum StoreKind
{
    Sqlite,
    Postgres,
}
