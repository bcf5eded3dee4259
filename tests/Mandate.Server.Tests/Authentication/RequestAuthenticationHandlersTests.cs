using Mandate.Server.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Tests.Authentication;

/// <summary>As the framework's handler provider: one handler per scheme per request, initialized once, none for an unknown scheme.</summary>
public sealed class RequestAuthenticationHandlersTests
{
    [Fact]
    public async Task EachScheme_ShouldHaveOneHandlerPerRequest_InitializedOnce()
    {
        var options = new AuthenticationOptions();
        options.AddScheme<CountingHandler>("first", null);
        options.AddScheme<CountingHandler>("second", null);
        var schemes = new CachedAuthenticationSchemeProvider(Options.Create(options));
        await using var services = new ServiceCollection().AddTransient<CountingHandler>().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };

        var request = new RequestAuthenticationHandlers(schemes);
        var first = Assert.IsType<CountingHandler>(await request.GetHandlerAsync(context, "first"));
        var second = Assert.IsType<CountingHandler>(await request.GetHandlerAsync(context, "second"));
        Assert.NotSame(first, second);
        Assert.Same(first, await request.GetHandlerAsync(context, "first"));
        Assert.Same(second, await request.GetHandlerAsync(context, "second"));
        Assert.Equal(("first", 1), (first.Scheme, first.Initialized));
        Assert.Equal(("second", 1), (second.Scheme, second.Initialized));
        Assert.Null(await request.GetHandlerAsync(context, "unknown"));

        // Another request, another handler.
        Assert.NotSame(first, await new RequestAuthenticationHandlers(schemes).GetHandlerAsync(new DefaultHttpContext { RequestServices = services }, "first"));
    }

    private sealed class CountingHandler : IAuthenticationHandler
    {
        public string? Scheme { get; private set; }

        public int Initialized { get; private set; }

        public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
        {
            (Scheme, Initialized) = (scheme.Name, Initialized + 1);
            return Task.CompletedTask;
        }

        public Task<AuthenticateResult> AuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

        public Task ChallengeAsync(AuthenticationProperties? properties) => Task.CompletedTask;

        public Task ForbidAsync(AuthenticationProperties? properties) => Task.CompletedTask;
    }
}
