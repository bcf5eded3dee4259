using Mandate.Core.DynamicCredentials;
using Mandate.Server.DynamicCredentials;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Task-bound dynamic credentials in the server.</summary>
public static class DynamicCredentialServerServiceCollectionExtensions
{
    /// <summary>
    /// Dynamic credentials in the server (after <c>AddDynamicCredentials</c>): settings from
    /// <c>Mandate:DynamicCredentials</c>, the PostgreSQL engine kind, and the revoker that removes ended tasks' credentials.
    /// </summary>
    public static MandateBuilder AddDynamicCredentialHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DynamicCredentialOptions>().BindConfiguration(DynamicCredentialOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDynamicCredentialEngineFactory, PostgresDynamicCredentialEngineFactory>());
        services.AddHostedService<DynamicCredentialRevoker>();
        return builder;
    }
}
