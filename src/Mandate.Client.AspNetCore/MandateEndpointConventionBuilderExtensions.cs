using Mandate.Client.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Mandate enforcement on ASP.NET Core endpoints.</summary>
public static class MandateEndpointConventionBuilderExtensions
{
    /// <summary>Requires the Mandate PDP to allow <paramref name="action"/> on this endpoint (route template as the resource id).</summary>
    /// <typeparam name="TBuilder">The endpoint (or group) builder.</typeparam>
    /// <param name="builder">The endpoint or group to protect.</param>
    /// <param name="action">The AuthZEN action the PDP is asked about.</param>
    /// <param name="resourceType">The AuthZEN type of the resource.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder RequireMandate<TBuilder>(this TBuilder builder, string action, string resourceType = "route")
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(action);
        return builder.RequireAuthorization(policy => policy.AddRequirements(new MandateRequirement(action, resourceType)));
    }
}
