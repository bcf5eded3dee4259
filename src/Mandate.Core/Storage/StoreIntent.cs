namespace Mandate.Core.Storage;

public enum StoreIntent
{
    Read,
    Write,
}
