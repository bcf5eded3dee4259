namespace Mandate.Core.Identity.Inventory;

/// <summary>
/// The one check that an identity named by a credential or a decision may still act: every credential path (token
/// validation for decisions, introspection, token exchange subject and actor tokens, client assertions) and the
/// decision point's subject ask it, and JWT-SVID validation and SVID issuance apply the same rule through the
/// <see cref="IdentityDirectory"/>. An identity in the inventory that is suspended, revoked, offboarded or past its
/// expiry stops every credential in which it is the subject, an actor anywhere in the <c>act</c> chain, or the client;
/// the directory is updated synchronously on this node when the status changes, and on other nodes by
/// <see cref="IdentityDirectorySync"/>. Parties Mandate does not inventory (a trusted foreign trust domain's
/// workloads) are not judged here.
/// </summary>
internal sealed class IdentityStanding(IdentityDirectory directory, TimeProvider time)
{
    /// <summary>Null when <paramref name="party"/> is not an inventory identity, or is one that is active and unexpired.</summary>
    public IdentityError? Check(string? party) =>
        string.IsNullOrEmpty(party) ? null : directory.CheckKnownUsable(party, time.GetUtcNow());

    /// <summary>The first of <paramref name="parties"/> that is an inventory identity no longer active, and why.</summary>
    public IdentityError? FirstInactive(IEnumerable<string?> parties)
    {
        ArgumentNullException.ThrowIfNull(parties);
        var now = time.GetUtcNow();
        foreach (var party in parties)
        {
            if (!string.IsNullOrEmpty(party) && directory.CheckKnownUsable(party, now) is { } inactive)
            {
                return inactive;
            }
        }

        return null;
    }
}
