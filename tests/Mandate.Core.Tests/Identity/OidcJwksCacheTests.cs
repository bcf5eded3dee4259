using System.Net;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Keys;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Tests.Identity;

/// <summary>The issuer-key cache under concurrency: callers that arrive while the first fetch runs share its result.</summary>
public sealed class OidcJwksCacheTests
{
    private static readonly string Jwks =
        $$"""{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","alg":"EdDSA","x":"{{Base64UrlEncoder.Encode(Ed25519SecurityKey.Generate().RawPublicKey)}}"}]}""";

    private static OidcIssuerOptions Issuer()
    {
        var issuer = new OidcIssuerOptions { Issuer = "https://issuer.test", JwksUri = "https://issuer.test/jwks", Audience = "mandate" };
        issuer.Algorithms.Add("EdDSA");
        return issuer;
    }

    [Fact]
    public async Task CallersDuringTheFirstFetch_ShouldWaitForIt_AndAllGetTheKey_WithOneFetch()
    {
        using var handler = new GatedJwksHandler(HttpStatusCode.OK, Jwks);
        using var http = new HttpClient(handler);
        var cache = new OidcJwksCache(Issuer(), http, TimeProvider.System);

        var lookups = Enumerable.Range(0, 6).Select(_ => cache.FindAsync("k1", TestContext.Current.CancellationToken)).ToList();
        await handler.Requested.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.All(lookups, l => Assert.False(l.IsCompleted));
        handler.Release();

        foreach (var lookup in await Task.WhenAll(lookups))
        {
            Assert.Null(lookup.Problem);
            Assert.Equal("k1", lookup.Key?.Kid);
        }

        Assert.Equal(1, cache.FetchCount);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task CallersAfterAFailedFetch_ShouldGetItsReason_WithoutFetchingAgainInsideTheInterval()
    {
        using var handler = new GatedJwksHandler(HttpStatusCode.BadGateway, "{}");
        handler.Release();
        using var http = new HttpClient(handler);
        var cache = new OidcJwksCache(Issuer(), http, TimeProvider.System);

        var first = await cache.FindAsync("k1", TestContext.Current.CancellationToken);
        var second = await cache.FindAsync("k1", TestContext.Current.CancellationToken);
        Assert.Equal("the JWKS endpoint answered 502", first.Problem);
        Assert.Equal(first.Problem, second.Problem);
        Assert.Equal(1, handler.Calls);
    }

    private sealed class GatedJwksHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        private readonly TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int calls;

        public TaskCompletionSource Requested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref calls);

        public void Release() => gate.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            Requested.TrySetResult();
            await gate.Task.WaitAsync(cancellationToken);
            return new HttpResponseMessage(status) { Content = new StringContent(body) };
        }
    }
}
