namespace Mandate.Core.Identity.Inventory;

/// <summary>An inventory operation's outcome: the identity, or why it was refused.</summary>
internal sealed record IdentityResult(WorkloadIdentity? Identity, IdentityError? Error)
{
    public static IdentityResult Ok(WorkloadIdentity identity) => new(identity, null);

    public static IdentityResult Fail(string code, string message) => new(null, new IdentityError(code, message));
}
