using Mandate.Server.Governance.Reviews;
using Mandate.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Access reviews in the server.</summary>
public static class ReviewServerServiceCollectionExtensions
{
    /// <summary>Access reviews in the server (after <c>AddAccessReviews</c>): revoked entitlements kept in force across starts, reloads, pushes and rollbacks, and overdue campaigns reported.</summary>
    public static MandateBuilder AddAccessReviewHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, ReviewForbidStartup>());
        builder.Services.AddHostedService<ReviewOverdueService>();
        return builder;
    }
}
