using Microsoft.AspNetCore.Authentication;

namespace Mandate.Server.Authentication;

/// <summary>
/// The request's authentication handlers, one per scheme, made and initialized on first use, as the framework's
/// <see cref="AuthenticationHandlerProvider"/> does. That one keeps them in a dictionary made for every request and
/// answers every call with a new task; most requests use one scheme (the server's default), so this keeps the first
/// scheme's handler in fields, others in a dictionary made only when a second scheme is used, and hands back the same
/// task for every call for a scheme.
/// </summary>
internal sealed class RequestAuthenticationHandlers(IAuthenticationSchemeProvider schemes) : IAuthenticationHandlerProvider
{
    private string? firstScheme;
    private Task<IAuthenticationHandler?>? firstHandler;
    private Dictionary<string, Task<IAuthenticationHandler?>>? otherHandlers;

    public Task<IAuthenticationHandler?> GetHandlerAsync(HttpContext context, string authenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authenticationScheme);
        if (firstHandler is not null && string.Equals(firstScheme, authenticationScheme, StringComparison.Ordinal))
        {
            return firstHandler;
        }

        if (otherHandlers is not null && otherHandlers.TryGetValue(authenticationScheme, out var known))
        {
            return known;
        }

        // Without awaiting while the lookup and the handler's initialization complete at once (they do for this server's
        // schemes): the task handed back is then the one kept, not one more.
        var lookup = schemes.GetSchemeAsync(authenticationScheme);
        if (!lookup.IsCompletedSuccessfully)
        {
            return CreateAsync(context, authenticationScheme, lookup);
        }

        if (lookup.Result is not { } scheme)
        {
            return NoHandler;
        }

        var handler = Resolve(context, scheme);
        if (handler is null)
        {
            return NoHandler;
        }

        var initialized = handler.InitializeAsync(scheme, context);
        return initialized.IsCompletedSuccessfully ? Remember(authenticationScheme, handler) : InitializeAsync(authenticationScheme, handler, initialized);
    }

    private static readonly Task<IAuthenticationHandler?> NoHandler = Task.FromResult<IAuthenticationHandler?>(null);

    private static IAuthenticationHandler? Resolve(HttpContext context, AuthenticationScheme scheme) =>
        (context.RequestServices.GetService(scheme.HandlerType) ?? ActivatorUtilities.CreateInstance(context.RequestServices, scheme.HandlerType)) as IAuthenticationHandler;

    private async Task<IAuthenticationHandler?> CreateAsync(HttpContext context, string authenticationScheme, Task<AuthenticationScheme?> lookup)
    {
        if (await lookup is not { } scheme || Resolve(context, scheme) is not { } handler)
        {
            return null;
        }

        await handler.InitializeAsync(scheme, context);
        _ = Remember(authenticationScheme, handler);
        return handler;
    }

    private async Task<IAuthenticationHandler?> InitializeAsync(string authenticationScheme, IAuthenticationHandler handler, Task initialized)
    {
        await initialized;
        _ = Remember(authenticationScheme, handler);
        return handler;
    }

    private Task<IAuthenticationHandler?> Remember(string authenticationScheme, IAuthenticationHandler handler)
    {
        var answer = Task.FromResult<IAuthenticationHandler?>(handler);
        if (firstHandler is null)
        {
            (firstScheme, firstHandler) = (authenticationScheme, answer);
        }
        else
        {
            (otherHandlers ??= new Dictionary<string, Task<IAuthenticationHandler?>>(StringComparer.Ordinal))[authenticationScheme] = answer;
        }

        return answer;
    }
}
