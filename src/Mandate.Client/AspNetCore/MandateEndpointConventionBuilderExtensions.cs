using Mandate.Client.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

public static class MandateEndpointConventionBuilderExtensions
{
    /// <summary>Requires the Mandate PDP to allow <paramref name="action"/> on this endpoint (route template as the resource id).</summary>
    public static TBuilder RequireMandate<TBuilder>(this TBuilder builder, string action, string resourceType = "route")
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(action);
        return builder.RequireAuthorization(policy => policy.AddRequirements(new MandateRequirement(action, resourceType)));
    }
}
