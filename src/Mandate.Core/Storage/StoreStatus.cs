namespace Mandate.Core.Storage;

/// <summary>The readiness of a store: reachable, and at the schema version this build expects.</summary>
internal sealed record StoreStatus(bool Ready, int AppliedVersion, int ExpectedVersion, string? Problem)
{
    public static StoreStatus Unreachable(string problem) => new(false, 0, 0, problem);
}
