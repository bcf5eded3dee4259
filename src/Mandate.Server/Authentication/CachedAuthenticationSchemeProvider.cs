using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Authentication;

/// <summary>
/// The framework's scheme provider, answering its lookups with tasks made once per scheme instead of a new
/// <c>Task.FromResult</c> on every call: the authentication middleware, the authentication service and the handler
/// provider look schemes up several times on every request (the default scheme, the request handlers, the scheme by
/// name). The answers are the base class's own; adding or removing a scheme starts a new set of tasks.
/// </summary>
internal sealed class CachedAuthenticationSchemeProvider(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
{
    // Replaced, never cleared, when the schemes change: a lookup that read the old set before the change can only fill
    // that discarded set. Initialized before the base constructor adds the configured schemes (field initializers run
    // first).
    private volatile Answers answers = new();

    public override Task<AuthenticationScheme?> GetSchemeAsync(string name)
    {
        var known = answers;
        if (known.Schemes.TryGetValue(name, out var cached))
        {
            return cached;
        }

        var answer = base.GetSchemeAsync(name);

        // Only schemes that exist are kept: a name without one is answered by the base class each time.
        if (answer.Result is not null)
        {
            known.Schemes.TryAdd(name, answer);
        }

        return answer;
    }

    public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
    {
        var known = answers;
        return known.RequestHandlers ??= base.GetRequestHandlerSchemesAsync();
    }

    public override bool TryAddScheme(AuthenticationScheme scheme)
    {
        var added = base.TryAddScheme(scheme);
        answers = new Answers();
        return added;
    }

    public override void RemoveScheme(string name)
    {
        base.RemoveScheme(name);
        answers = new Answers();
    }

    private sealed class Answers
    {
        public ConcurrentDictionary<string, Task<AuthenticationScheme?>> Schemes { get; } = new(StringComparer.Ordinal);

        public Task<IEnumerable<AuthenticationScheme>>? RequestHandlers { get; set; }
    }
}
