namespace Mandate.Core.Tasks;

/// <summary>Stable codes for refused task requests (problem-details <c>code</c>; listed in docs/errors.md).</summary>
internal static class TaskErrorCodes
{
    public const string InvalidIntent = "task-invalid-intent";
    public const string TtlTooLong = "task-ttl-too-long";
    public const string Denied = "task-denied";
    public const string NotFound = "task-not-found";
    public const string NotOpen = "task-not-open";
    public const string LeaseLimit = "task-lease-limit";
}
