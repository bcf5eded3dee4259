namespace Mandate.Core.Tasks;

/// <summary>Lower-case task states as stored and shown.</summary>
internal static class MandateTaskStatus
{
    public const string Open = "open";
    public const string Completed = "completed";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
}
