namespace Mandate.Core.Governance.Inventory;

/// <summary>An imported identity holding a credential with a given public id (an AWS access key id).</summary>
internal sealed record InventoryCredentialHolder(string Source, string ExternalId, string? Owner, string CredentialId);
