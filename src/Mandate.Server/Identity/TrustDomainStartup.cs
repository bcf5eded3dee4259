using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>
/// Binds a store to one trust domain. The first start records the configured trust domain in the store's settings
/// (a store that already holds identities records theirs); every later start refuses a different configured trust
/// domain, which would otherwise sign SVIDs for a domain whose identities, keys and credentials are not in the store —
/// and refuse the ones that are (a demo store restarted without <c>--demo</c>).
/// </summary>
internal sealed class TrustDomainStartup(
    IOptions<IdentityOptions> options,
    IOptions<MandateServerOptions> server,
    IMandateStore store,
    TimeProvider time,
    ILogger<TrustDomainStartup> logger) : IStartupTask
{
    public const string SettingKey = "identity.trust_domain";

    // After the migrations (0) and the admin token (10), before keys are loaded or created for the domain (100).
    public int Order => 50;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.TrustDomain;
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken);
        await using var sessionDisposal = session;
        var settings = session.Get<ISettingsRepository>();
        var recorded = await settings.GetAsync(SettingKey, cancellationToken) ?? await TrustDomainOfExistingIdentitiesAsync(session, cancellationToken);
        if (recorded is not null && !string.Equals(recorded, configured, StringComparison.Ordinal))
        {
            throw new StartupException(Mismatch(recorded, configured));
        }

        if (await settings.GetAsync(SettingKey, cancellationToken) is null)
        {
            await settings.SetAsync(SettingKey, configured, time.GetUtcNow(), cancellationToken);
            await session.CommitAsync(cancellationToken);
            IdentityLog.TrustDomainRecorded(logger, configured);
        }
    }

    private string Mismatch(string recorded, string configured)
    {
        var location = server.Value.EffectiveStore.Describe();
        var demoHint = string.Equals(recorded, IdentityServerServiceCollectionExtensions.DemoTrustDomain, StringComparison.Ordinal) && !server.Value.Demo
            ? " This is a demo store: start it again with --demo."
            : string.Empty;
        return $"The store {location} belongs to trust domain '{recorded}', but this server is configured for trust domain '{configured}'. "
            + $"Its identities, signing keys and credentials are in '{recorded}' and would all be refused.{demoHint} "
            + $"To proceed, set {IdentityOptions.SectionName}:TrustDomain={recorded} (environment Mandate__Identity__TrustDomain={recorded}), "
            + "or start with another store (--store, or --state for a fresh default store).";
    }

    // A store created before the trust domain was recorded: its identities say which domain it belongs to.
    private static async Task<string?> TrustDomainOfExistingIdentitiesAsync(IStoreSession session, CancellationToken cancellationToken)
    {
        var identities = await session.Get<IIdentityRepository>().ListAsync(new IdentityQuery { Limit = 1 }, cancellationToken);
        return identities.Count > 0 && SpiffeId.TryParse(identities[0].SpiffeId, out var id) ? id.TrustDomain : null;
    }
}
