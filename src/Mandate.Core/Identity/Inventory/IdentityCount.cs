namespace Mandate.Core.Identity.Inventory;

/// <summary>The number of identities of one kind in one lifecycle status.</summary>
internal sealed record IdentityCount(NhiKind Kind, IdentityStatus Status, long Count);
