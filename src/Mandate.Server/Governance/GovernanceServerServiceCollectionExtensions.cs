using Mandate.Core.Governance.Findings;
using Mandate.Server.Governance;
using Mandate.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Lifecycle governance in the server.</summary>
public static class GovernanceServerServiceCollectionExtensions
{
    /// <summary>Lifecycle governance in the server (after <c>AddGovernance</c>): settings from <c>Mandate:Governance</c>, the demo estate's imported slice, and the background recompute of findings.</summary>
    public static MandateBuilder AddGovernanceHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<GovernanceOptions>().BindConfiguration(GovernanceOptions.SectionName);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, InventoryDemoSeed>());
        builder.Services.AddHostedService<FindingRecomputeService>();
        return builder;
    }
}
