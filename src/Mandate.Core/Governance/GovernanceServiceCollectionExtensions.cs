using Mandate.Core.Governance.Findings;
using Mandate.Core.Governance.Inventory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of lifecycle governance.</summary>
public static class GovernanceServiceCollectionExtensions
{
    /// <summary>Registers lifecycle governance: the inventory importer and reader, the findings and the compliance report.</summary>
    public static MandateBuilder AddGovernance(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<InventoryImporter>();
        builder.Services.TryAddSingleton<InventoryReader>();
        builder.Services.TryAddSingleton<Mandate.Core.Secrets.SecretRegistry>();
        builder.Services.AddOptions<GovernanceOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GovernanceOptions>, GovernanceOptionsValidator>());
        builder.Services.TryAddSingleton<FindingService>();
        builder.Services.TryAddSingleton<Mandate.Core.Governance.Compliance.ComplianceService>();
        return builder;
    }
}
