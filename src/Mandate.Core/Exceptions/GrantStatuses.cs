namespace Mandate.Core.Exceptions;

/// <summary>Grant statuses as stored and on the wire.</summary>
internal static class GrantStatuses
{
    /// <summary>An exception request waiting for an approver (it lapses, as <see cref="Expired"/>, after its TTL).</summary>
    public const string Pending = "pending";

    public const string Active = "active";
    public const string Denied = "denied";
    public const string Revoked = "revoked";
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Pending, Active, Denied, Revoked, Expired];
}
