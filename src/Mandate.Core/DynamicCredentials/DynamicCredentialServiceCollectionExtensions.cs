using Mandate.Core.DynamicCredentials;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of task-bound dynamic credentials.</summary>
public static class DynamicCredentialServiceCollectionExtensions
{
    /// <summary>
    /// Registers dynamic credentials: the engines (built by the <see cref="IDynamicCredentialEngineFactory"/>s the host
    /// registers), issuance, and the hook that removes a task's credentials when it ends; options validated at start.
    /// Needs tasks (<c>AddTasks</c>). The host adds the revoker (<see cref="DynamicCredentialRevoker"/>).
    /// </summary>
    public static MandateBuilder AddDynamicCredentials(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DynamicCredentialOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DynamicCredentialOptions>, DynamicCredentialOptionsValidator>());
        services.TryAddSingleton<DynamicCredentialSignal>();
        services.TryAddSingleton<DynamicCredentialTaskEnd>();
        services.TryAddSingleton<DynamicCredentialTaskRenewal>();
        services.TryAddSingleton<DynamicCredentialEngines>();
        services.TryAddSingleton<DynamicCredentialService>();
        return builder;
    }
}
