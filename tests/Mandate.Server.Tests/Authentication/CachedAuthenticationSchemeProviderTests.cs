using Mandate.Server.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Tests.Authentication;

/// <summary>The scheme provider's cached answers are the base class's, and follow schemes added and removed at run time.</summary>
public sealed class CachedAuthenticationSchemeProviderTests
{
    [Fact]
    public async Task Lookups_ShouldBeAnsweredOnce_AndFollowSchemesAddedAndRemoved()
    {
        var options = new AuthenticationOptions { DefaultScheme = "first" };
        options.AddScheme<NoHandler>("first", null);
        var provider = new CachedAuthenticationSchemeProvider(Options.Create(options));

        var first = provider.GetSchemeAsync("first");
        Assert.Same(first, provider.GetSchemeAsync("first"));
        Assert.Equal("first", (await provider.GetDefaultAuthenticateSchemeAsync())?.Name);
        Assert.Null(await provider.GetSchemeAsync("second"));
        Assert.Empty(await provider.GetRequestHandlerSchemesAsync());

        provider.AddScheme(new AuthenticationScheme("second", null, typeof(RequestHandler)));
        Assert.Equal("second", (await provider.GetSchemeAsync("second"))?.Name);
        Assert.Equal("second", Assert.Single(await provider.GetRequestHandlerSchemesAsync()).Name);

        provider.RemoveScheme("first");
        Assert.Null(await provider.GetSchemeAsync("first"));
        provider.RemoveScheme("second");
        Assert.Null(await provider.GetSchemeAsync("second"));
        Assert.Empty(await provider.GetRequestHandlerSchemesAsync());
    }

    private sealed class NoHandler : IAuthenticationHandler
    {
        public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context) => Task.CompletedTask;

        public Task<AuthenticateResult> AuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

        public Task ChallengeAsync(AuthenticationProperties? properties) => Task.CompletedTask;

        public Task ForbidAsync(AuthenticationProperties? properties) => Task.CompletedTask;
    }

    private sealed class RequestHandler : IAuthenticationRequestHandler
    {
        public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context) => Task.CompletedTask;

        public Task<AuthenticateResult> AuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

        public Task ChallengeAsync(AuthenticationProperties? properties) => Task.CompletedTask;

        public Task ForbidAsync(AuthenticationProperties? properties) => Task.CompletedTask;

        public Task<bool> HandleRequestAsync() => Task.FromResult(false);
    }
}
