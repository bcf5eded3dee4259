using Mandate.Server.Governance;
using Mandate.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Lifecycle governance in the server.</summary>
public static class GovernanceServerServiceCollectionExtensions
{
    /// <summary>Lifecycle governance in the server (after <c>AddGovernance</c>): the demo estate's imported slice.</summary>
    public static MandateBuilder AddGovernanceHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, InventoryDemoSeed>());
        return builder;
    }
}
