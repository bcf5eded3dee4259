using Mandate.Server.Console;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The web console in the server.</summary>
public static class ConsoleServerServiceCollectionExtensions
{
    /// <summary>
    /// The web console (<c>/console</c>): Razor components rendered on the server, its cookie scheme (HTTP-only,
    /// SameSite=Strict, Secure over HTTPS, path <c>/console</c>, a data-protected ticket), antiforgery for its forms,
    /// and its settings from <c>Mandate:Console</c>.
    /// </summary>
    public static MandateBuilder AddConsoleHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ConsoleOptions>()
            .BindConfiguration(ConsoleOptions.SectionName)
            .Validate(o => o.SessionLifetime >= TimeSpan.FromMinutes(1) && o.SessionLifetime <= TimeSpan.FromDays(7), ConsoleOptions.SectionName + ":SessionLifetime must be between 00:01:00 and 7.00:00:00.")
            .ValidateOnStart();
        services.TryAddSingleton<ConsoleSession>();
        services.TryAddSingleton<ConsoleOidc>();
        ConsoleKeyRing.Add(services);
        services.TryAddSingleton<ConsoleOverviewReader>();
        services.AddRazorComponents();
        services.AddAuthentication().AddCookie(ConsoleSession.SchemeName, o =>
        {
            o.Cookie.Name = ConsoleSession.CookieName;
            o.Cookie.Path = ConsolePaths.Root;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = false;

            // The console never challenges through the scheme (its pages send an unsigned-in person to the sign-in form).
            o.Events.OnRedirectToLogin = c =>
            {
                c.Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
        });
        services.AddOptions<CookieAuthenticationOptions>(ConsoleSession.SchemeName)
            .Configure<Microsoft.Extensions.Options.IOptions<ConsoleOptions>>((o, console) => o.ExpireTimeSpan = console.Value.SessionLifetime);
        services.Configure<AntiforgeryOptions>(o =>
        {
            o.Cookie.Name = ConsoleSession.CookieName + "_af";
            o.Cookie.Path = ConsolePaths.Root;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
        });
        return builder;
    }
}
