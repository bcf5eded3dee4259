namespace Mandate.Core.Identity.Inventory;

/// <summary>Wire names of <see cref="IdentityStatus"/> and the transitions allowed between them.</summary>
internal static class IdentityStatuses
{
    public static string Name(IdentityStatus status) => status switch
    {
        IdentityStatus.Active => "active",
        IdentityStatus.Suspended => "suspended",
        IdentityStatus.Revoked => "revoked",
        IdentityStatus.Offboarded => "offboarded",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? name, out IdentityStatus status)
    {
        switch (name)
        {
            case "active":
                status = IdentityStatus.Active;
                return true;
            case "suspended":
                status = IdentityStatus.Suspended;
                return true;
            case "revoked":
                status = IdentityStatus.Revoked;
                return true;
            case "offboarded":
                status = IdentityStatus.Offboarded;
                return true;
            default:
                status = default;
                return false;
        }
    }

    /// <summary>
    /// active ⇄ suspended; active or suspended → revoked (final for credentials); anything but offboarded → offboarded
    /// (the record stays for audit).
    /// </summary>
    public static bool CanTransition(IdentityStatus from, IdentityStatus to) => (from, to) switch
    {
        (IdentityStatus.Active, IdentityStatus.Suspended) => true,
        (IdentityStatus.Suspended, IdentityStatus.Active) => true,
        (IdentityStatus.Active or IdentityStatus.Suspended, IdentityStatus.Revoked) => true,
        (not IdentityStatus.Offboarded, IdentityStatus.Offboarded) => true,
        _ => false,
    };
}
