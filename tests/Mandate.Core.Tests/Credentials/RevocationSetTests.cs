using Mandate.Core.Credentials;

namespace Mandate.Core.Tests.Credentials;

public sealed class RevocationSetTests
{
    [Fact]
    public void IsRevoked_ShouldBeTrue_OnlyForAddedJtis()
    {
        var set = new RevocationSet();
        var revoked = Enumerable.Range(0, 5000).Select(_ => CompactJti.New()).ToList();
        var other = Enumerable.Range(0, 5000).Select(_ => CompactJti.New()).ToList();

        set.Add(revoked);

        Assert.All(revoked, jti => Assert.True(set.IsRevoked(jti)));
        Assert.All(other, jti => Assert.False(set.IsRevoked(jti)));
        Assert.Equal(5000, set.Count);
    }

    [Theory]
    [InlineData("not-a-compact-jti")]
    [InlineData("urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("")]
    public void IsRevoked_ShouldHandleForeignJtis(string jti)
    {
        var set = new RevocationSet();
        Assert.False(set.IsRevoked(jti));
        set.Add([jti]);
        Assert.True(set.IsRevoked(jti));
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void Add_ShouldBeIdempotent()
    {
        var set = new RevocationSet();
        var jti = CompactJti.New();
        set.Add([jti, jti]);
        set.Add([jti]);
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void Replace_ShouldDropWhatTheStoreDoesNotList_OnceItIsNoLongerPending()
    {
        // A jti the snapshot does not list yet survives a replace while pending (RevocationReloadRaceTests); one the
        // store never confirmed (rolled back, or expired) is gone after the pending retention.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var set = new RevocationSet(clock);
        var kept = CompactJti.New();
        var dropped = CompactJti.New();
        set.Add([kept, dropped, "foreign-1"]);
        clock.Advance(RevocationSet.PendingRetention + TimeSpan.FromSeconds(1));

        set.Replace([kept, "foreign-2"]);

        Assert.True(set.IsRevoked(kept));
        Assert.False(set.IsRevoked(dropped));
        Assert.False(set.IsRevoked("foreign-1"));
        Assert.True(set.IsRevoked("foreign-2"));
    }

    [Fact]
    public void CompactJti_ShouldRejectNonCanonicalEncodings_SoTwoStringsNeverShareAKey()
    {
        var jti = CompactJti.New();
        Assert.True(CompactJti.TryParse(jti, out _, out _));
        var lastIndex = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".IndexOf(jti[^1], StringComparison.Ordinal);
        var sibling = jti[..^1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[lastIndex | 1];
        Assert.False(CompactJti.TryParse(sibling, out _, out _));

        var set = new RevocationSet();
        set.Add([jti]);
        Assert.False(set.IsRevoked(sibling));
    }

    [Fact]
    public async Task Readers_ShouldSeeEveryAddedJti_WhileTheTableGrows()
    {
        var set = new RevocationSet();
        var jtis = Enumerable.Range(0, 20000).Select(_ => CompactJti.New()).ToArray();
        var ct = TestContext.Current.CancellationToken;
        var writer = Task.Run(
            () =>
            {
                foreach (var chunk in jtis.Chunk(100))
                {
                    set.Add(chunk);
                }
            },
            ct);
        var reader = Task.Run(
            () =>
            {
                var misses = 0;
                for (var round = 0; round < 5 && !ct.IsCancellationRequested; round++)
                {
                    misses += jtis.Count(j => set.IsRevoked(j + "x"));
                }

                return misses;
            },
            ct);
        await Task.WhenAll(writer, reader);
        Assert.Equal(0, await reader);
        Assert.All(jtis, jti => Assert.True(set.IsRevoked(jti)));
    }

    [Fact]
    public void Epoch_ShouldMove_OnlyWhenARevocationTheSetDidNotHoldArrives()
    {
        var set = new RevocationSet();
        var first = CompactJti.New();
        var start = set.Epoch;

        set.Add([first, "foreign-jti"]);
        var afterAdd = set.Epoch;
        set.Add([first, "foreign-jti"]);
        set.Replace([first, "foreign-jti"]);
        var afterRepeats = set.Epoch;
        set.Replace([first, "foreign-jti", CompactJti.New()]);

        Assert.True(afterAdd > start);
        Assert.Equal(afterAdd, afterRepeats);
        Assert.True(set.Epoch > afterRepeats);
    }
}
