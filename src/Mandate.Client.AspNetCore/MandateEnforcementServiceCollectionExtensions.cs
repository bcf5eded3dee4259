using Mandate.Client.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of ASP.NET Core enforcement on top of the Mandate SDK.</summary>
public static class MandateEnforcementServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ASP.NET Core authorization handler behind <c>.RequireMandate("action")</c>, which asks the PDP
    /// through the <see cref="Mandate.Client.IAuthZenClient"/> that <c>AddMandateClient</c> registered. Returns the same
    /// <see cref="MandateClientBuilder"/>.
    /// </summary>
    /// <param name="builder">The builder <c>AddMandateClient</c> returned.</param>
    /// <param name="configure">Optionally changes how a request becomes an AuthZEN request.</param>
    public static MandateClientBuilder AddMandateEnforcement(this MandateClientBuilder builder, Action<MandateEnforcementOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<MandateEnforcementOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddHttpContextAccessor();
        services.AddAuthorization();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, MandateAuthorizationHandler>());
        return builder;
    }
}
