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

    /// <summary>
    /// The status shown for an identity: <see cref="Expired"/> for an active identity whose expiry has passed (it gets no
    /// SVID and passes no check, whatever its stored state says), else the stored lifecycle state. Computed, never stored:
    /// no job has to run for an identity to show as expired on time.
    /// </summary>
    public static string EffectiveName(WorkloadIdentity identity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return IsExpired(identity, now) ? Expired : Name(identity.Status);
    }

    /// <summary>Active in the lifecycle but past its expiry.</summary>
    public static bool IsExpired(WorkloadIdentity identity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return identity.Status == IdentityStatus.Active && now >= identity.ExpiresAt;
    }

    /// <summary>The shown status of an active identity whose expiry has passed (a filter value too; not a stored state).</summary>
    public const string Expired = "expired";

    /// <summary>Every status a listing can be filtered by: the lifecycle states and <see cref="Expired"/>.</summary>
    public static IReadOnlyList<string> FilterNames { get; } = ["active", Expired, "suspended", "revoked", "offboarded"];

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
