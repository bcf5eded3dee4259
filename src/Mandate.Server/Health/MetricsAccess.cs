using Mandate.Server.Authentication;
using Mandate.Server.Identity;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Authentication;

namespace Mandate.Server.Health;

/// <summary>
/// Who may scrape <c>/metrics</c> (configuration <c>Mandate:Metrics:Access</c>): <c>Loopback</c> (the default: clients on
/// a loopback address, or with the admin token), <c>Admin</c> (the admin token only), or <c>Anonymous</c> (anyone; for a
/// scraper on a private network). Metrics name endpoints, counts and refusals: reconnaissance for an attacker.
/// </summary>
internal sealed class MetricsAccess(RequestDelegate next, IConfiguration configuration)
{
    public const string Path = "/metrics";
    public const string SettingName = "Mandate:Metrics:Access";

    // Not an async method for every other path: their task is handed back as it is, so a request that waits (a decision
    // waiting for its audit record's commit) does not also suspend and resume a frame here.
    public Task InvokeAsync(HttpContext context) =>
        context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase) ? GuardAsync(context) : next(context);

    private async Task GuardAsync(HttpContext context)
    {
        if (await AllowedAsync(context))
        {
            await next(context);
            return;
        }

        await Problem.WriteAsync(
            context,
            StatusCodes.Status401Unauthorized,
            ProblemTypes.Unauthenticated,
            $"/metrics needs the admin token (or a loopback client, as {SettingName} says).");
    }

    private async Task<bool> AllowedAsync(HttpContext context)
    {
        var access = configuration[SettingName] ?? "Loopback";
        if (string.Equals(access, "Anonymous", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(access, "Loopback", StringComparison.OrdinalIgnoreCase) && ClientNetwork.IsLoopback(context.Connection.RemoteIpAddress))
        {
            return true;
        }

        if (context.Request.Headers.Authorization.Count == 0)
        {
            return false;
        }

        var result = await context.AuthenticateAsync(AdminAuthenticationHandler.SchemeName);
        return result.Succeeded && result.Principal.IsInRole(AdminAuthenticationHandler.Role);
    }
}
