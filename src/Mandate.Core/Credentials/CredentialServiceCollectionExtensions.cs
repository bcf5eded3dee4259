using Mandate.Core;
using Mandate.Core.Credentials;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class CredentialServiceCollectionExtensions
{
    /// <summary>Registers the in-memory revocation set (the verifier and issuer come with the tasks feature).</summary>
    public static MandateBuilder AddMandateRevocationSet(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IRevocationSet, RevocationSet>();
        return new MandateBuilder(services);
    }
}
