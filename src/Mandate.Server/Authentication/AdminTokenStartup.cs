using Mandate.Core.Admin;
using Mandate.Core.Operators;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Authentication;

/// <summary>
/// Demo mode mints a fresh admin token at every start; otherwise one is minted at first start only. Either way the
/// token goes to a 0600 file and only its path is printed. With <c>Mandate:Admin:BootstrapToken</c> = <c>Disabled</c>
/// none is minted, the server refuses to start unless an enabled operator holds the <c>admin</c> role (nobody could
/// administer it otherwise), and the change is recorded once in the ledger (<c>admin.bootstrap_disabled</c>).
/// </summary>
internal sealed class AdminTokenStartup(AdminTokens tokens, OperatorDirectory operators, IOptions<MandateServerOptions> options, ILogger<AdminTokenStartup> logger) : IStartupTask
{
    public int Order => 10;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!tokens.Enabled)
        {
            if (!await operators.HasEnabledAdminAsync(cancellationToken))
            {
                throw new StartupException(
                    "Mandate:Admin:BootstrapToken is Disabled but no enabled operator holds the admin role: nobody could administer this server. Add an admin operator (mandate operator add NAME --role admin) before disabling the bootstrap token.");
            }

            await tokens.RecordStateAsync(cancellationToken);
            Log.BootstrapTokenDisabled(logger);
            return;
        }

        await tokens.RecordStateAsync(cancellationToken);
        var settings = options.Value;
        var token = await tokens.EnsureAsync(replace: settings.Demo, cancellationToken);
        if (token is null)
        {
            return;
        }

        SecretFile.Write(settings.AdminTokenPath, token);
        if (settings.Demo)
        {
            Log.DemoTokenWritten(logger, Path.GetFullPath(settings.AdminTokenPath));
        }
        else
        {
            Log.BootstrapTokenWritten(logger, Path.GetFullPath(settings.AdminTokenPath));
        }
    }
}
