namespace Mandate.Core.Storage;

internal enum StoreIntent
{
    Read,
    Write,
}
