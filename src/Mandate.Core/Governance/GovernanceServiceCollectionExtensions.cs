using Mandate.Core.Governance.Inventory;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of lifecycle governance.</summary>
public static class GovernanceServiceCollectionExtensions
{
    /// <summary>Registers lifecycle governance: the inventory importer and reader.</summary>
    public static MandateBuilder AddGovernance(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<InventoryImporter>();
        builder.Services.TryAddSingleton<InventoryReader>();
        return builder;
    }
}
