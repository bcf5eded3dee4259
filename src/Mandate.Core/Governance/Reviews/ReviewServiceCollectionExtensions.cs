using Mandate.Core.Governance.Offboarding;
using Mandate.Core.Governance.Reviews;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of access reviews and offboarding.</summary>
public static class ReviewServiceCollectionExtensions
{
    /// <summary>Registers access reviews (campaigns, decisions and their enforcement) and owner offboarding with its evidence pack.</summary>
    public static MandateBuilder AddAccessReviews(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<ReviewService>();
        builder.Services.TryAddSingleton<OffboardingService>();
        return builder;
    }
}
