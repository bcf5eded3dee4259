using Mandate.Core.Exceptions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of exceptions and break-glass.</summary>
public static class ExceptionServiceCollectionExtensions
{
    /// <summary>
    /// Registers exceptions and break-glass: the service, this node's view of the active grants (which the decision
    /// point evaluates with the policies), the listener that keeps it current across nodes and the sweeper that ends
    /// grants on time; <see cref="ExceptionOptions"/> (<c>Mandate:Exceptions</c>) are validated at start. Needs the
    /// identity, decisions, detection and access-review features.
    /// </summary>
    public static MandateBuilder AddExceptions(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ExceptionOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExceptionOptions>, ExceptionOptionsValidator>());
        services.TryAddSingleton<ActiveGrants>();
        services.TryAddSingleton<ExceptionService>();
        services.TryAddSingleton<GrantSync>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GrantSync>(sp => sp.GetRequiredService<GrantSync>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GrantSweeper>());
        return builder;
    }
}
