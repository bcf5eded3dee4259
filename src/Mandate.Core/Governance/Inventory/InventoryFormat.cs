namespace Mandate.Core.Governance.Inventory;

/// <summary>The file formats <c>mandate identity import</c> reads.</summary>
internal enum InventoryFormat
{
    Json,
    Csv,
    AwsCredentialReport,
    KubernetesServiceAccounts,
}
