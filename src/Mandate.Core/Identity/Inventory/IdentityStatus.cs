namespace Mandate.Core.Identity.Inventory;

/// <summary>Lifecycle of an identity. Only <see cref="Active"/> identities get SVIDs or pass validation.</summary>
internal enum IdentityStatus
{
    Active,
    Suspended,
    Revoked,
    Offboarded,
}
