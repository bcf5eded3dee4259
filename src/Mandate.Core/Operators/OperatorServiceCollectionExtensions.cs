using Mandate.Core.Operators;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of named operators.</summary>
public static class OperatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers named operators: the directory (operators, their tokens, authentication of a presented token) and
    /// OIDC sign-in. The host binds <c>Mandate:Operators</c> and supplies the HTTP client OIDC uses
    /// (<c>AddIdentity</c>'s <c>OidcHttpClient</c>).
    /// </summary>
    public static MandateBuilder AddOperators(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<OperatorOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OperatorOptions>, OperatorOptionsValidator>());
        services.TryAddSingleton<OperatorDirectory>();
        services.TryAddSingleton<OperatorSignIn>();
        return builder;
    }
}
