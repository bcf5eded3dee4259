using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>
/// Demo mode only: the demo estate's identities (CONTRACTS.md §7) in <c>spiffe://demo.mandate.local</c>, each with
/// its owning team and the team's contact as a label. Registered once; later starts leave them as they are.
/// </summary>
internal sealed class IdentityDemoSeed(
    IOptions<MandateServerOptions> server,
    IOptions<IdentityOptions> options,
    IdentityInventory inventory,
    ILogger<IdentityDemoSeed> logger) : IStartupTask
{
    internal static readonly (string Path, string Kind, string Owner, string Contact, string Environment, string Purpose)[] Identities =
    [
        ("ci/github/deploy-pipeline", "ci_pipeline", "team:platform", "bob@example.com", "ci", "GitHub Actions pipeline that deploys services to staging."),
        ("svc/billing", "workload", "team:payments", "alice@example.com", "production", "Billing service: reads and writes invoices."),
        ("agent/support-assistant", "agent", "team:support", "carol@example.com", "production", "AI support assistant: reads customer tickets within its task."),
    ];

    public int Order => 900;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!server.Value.Demo)
        {
            return;
        }

        var trustDomain = options.Value.TrustDomain;
        var lifetime = options.Value.MaxIdentityLifetime < TimeSpan.FromDays(180) ? options.Value.MaxIdentityLifetime : TimeSpan.FromDays(180);
        foreach (var (path, kind, owner, contact, environment, purpose) in Identities)
        {
            var id = SpiffeId.Scheme + trustDomain + "/" + path;
            if (await inventory.GetAsync(id, cancellationToken) is not null)
            {
                continue;
            }

            var result = await inventory.RegisterAsync(
                new IdentityRegistration
                {
                    SpiffeId = id,
                    Kind = kind,
                    Owner = owner,
                    Purpose = purpose,
                    Environment = environment,
                    Ttl = lifetime,
                    Labels = new Dictionary<string, string> { ["contact"] = contact, ["demo"] = "true" },
                },
                "system",
                null,
                cancellationToken);
            if (result.Error is { } error && error.Code != IdentityErrorCodes.IdentityExists)
            {
                throw new StartupException($"Demo identity {id} could not be seeded: {error.Message}");
            }
        }

        IdentityLog.DemoSeeded(logger, trustDomain);
    }
}
