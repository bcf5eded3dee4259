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

    [Fact]
    public async Task ACallerThatGoesAway_ShouldNotAbortTheFetchTheOthersWaitFor()
    {
        // Anyone can start a fetch (a forged kid does) and then drop the request; the fetch must still serve the others.
        using var handler = new GatedJwksHandler(HttpStatusCode.OK, Jwks);
        using var http = new HttpClient(handler);
        var cache = new OidcJwksCache(Issuer(), http, TimeProvider.System);
        using var dropped = new CancellationTokenSource();

        var starter = cache.FindAsync("forged", dropped.Token);
        await handler.Requested.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var waiter = cache.FindAsync("k1", TestContext.Current.CancellationToken);
        await dropped.CancelAsync();
        handler.Release();

        var found = await waiter;
        Assert.Null(found.Problem);
        Assert.Equal("k1", found.Key?.Kid);
        Assert.Null((await starter).Key);
        Assert.Equal(1, cache.FetchCount);
    }

    [Fact]
    public async Task AJwksBodyThatNeverEnds_ShouldTimeOut_WithAReason()
    {
        using var http = new HttpClient(new EndlessBodyHandler());
        var issuer = Issuer();
        issuer.JwksFetchTimeout = TimeSpan.FromMilliseconds(200);
        var cache = new OidcJwksCache(issuer, http, TimeProvider.System);

        var lookup = await cache.FindAsync("k1", TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Null(lookup.Key);
        Assert.Equal("the JWKS endpoint did not answer within 0.2 s", lookup.Problem);
    }

    /// <summary>Answers 200 at once, then sends the body's first bytes and never the rest.</summary>
    private sealed class EndlessBodyHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new EndlessStream()) });
    }

    private sealed class EndlessStream : Stream
    {
        private bool sentFirstBytes;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!sentFirstBytes)
            {
                sentFirstBytes = true;
                "{\"keys\":["u8.CopyTo(buffer.Span);
                return 9;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
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
