using Mandate.Core.Admin;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Authentication;

/// <summary>
/// Demo mode mints a fresh admin token at every start; otherwise one is minted at first start only. Either way the
/// token goes to a 0600 file and only its path is printed.
/// </summary>
internal sealed class AdminTokenStartup(AdminTokens tokens, IOptions<MandateServerOptions> options, ILogger<AdminTokenStartup> logger) : IStartupTask
{
    public int Order => 10;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
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
