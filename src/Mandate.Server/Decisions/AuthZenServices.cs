using Mandate.Core.Decisions;
using Mandate.Server.Hosting;
using Mandate.Server.Policies;

namespace Microsoft.Extensions.DependencyInjection;

public static class AuthZenServiceCollectionExtensions
{
    /// <summary>The decision point, the policy store and its startup (data directory, demo estate, stored version).</summary>
    public static IServiceCollection AddMandateDecisions(this IServiceCollection services)
    {
        services.AddMandateDecisionPoint();
        services.AddOptions<DecisionOptions>()
            .BindConfiguration(DecisionOptions.SectionName)
            .Validate(o => o.AuditAllowSampleRate is >= 0 and <= 1, "Mandate:Decisions:AuditAllowSampleRate must be between 0 and 1.")
            .Validate(o => o.MaxRequestBodyBytes > 0 && o.MaxBatchItems > 0 && o.MaxSearchPageSize > 0, "Mandate:Decisions limits must be positive.")
            .ValidateOnStart();
        services.AddSingleton<PolicyStartup>();
        services.AddSingleton<IStartupTask>(sp => sp.GetRequiredService<PolicyStartup>());
        return services;
    }
}
