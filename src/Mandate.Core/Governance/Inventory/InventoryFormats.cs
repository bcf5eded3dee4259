namespace Mandate.Core.Governance.Inventory;

/// <summary>The wire names of <see cref="InventoryFormat"/>.</summary>
internal static class InventoryFormats
{
    public static readonly IReadOnlyList<string> All = ["json", "csv", "aws-credential-report", "k8s-serviceaccounts"];

    public static bool TryParse(string? text, out InventoryFormat format)
    {
        switch (text)
        {
            case "json": format = InventoryFormat.Json; return true;
            case "csv": format = InventoryFormat.Csv; return true;
            case "aws-credential-report": format = InventoryFormat.AwsCredentialReport; return true;
            case "k8s-serviceaccounts": format = InventoryFormat.KubernetesServiceAccounts; return true;
            default: format = default; return false;
        }
    }
}
