using System.Collections.Concurrent;
using Mandate.Core.Credentials;

namespace Mandate.Core.Tests.Credentials;

/// <summary>
/// A revoked <c>jti</c> never becomes valid again, even while a full reload replaces the set from a store snapshot
/// that predates it (added by <see cref="RevocationService"/> before its commit, or by a notification or poll while
/// the snapshot was being read).
/// </summary>
public sealed class RevocationReloadRaceTests
{
    [Fact]
    public async Task RevokedJti_ShouldNeverReadAsValid_WhileFullReloadsRaceWithRevocations()
    {
        var set = new RevocationSet(new ManualClock(DateTimeOffset.UtcNow));
        var committed = new ConcurrentQueue<string>();
        var revoked = new ConcurrentQueue<string>();
        var ct = TestContext.Current.CancellationToken;
        var reloads = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Like RevocationService: the in-memory set first, the store's commit after.
        var writer = Task.Run(
            () =>
            {
                for (var i = 0; (i < 5_000 || Volatile.Read(ref reloads) < 30) && clock.Elapsed < TimeSpan.FromSeconds(30) && !ct.IsCancellationRequested; i++)
                {
                    var jti = i % 16 == 0 ? "foreign-" + i : CompactJti.New();
                    set.Add([jti]);
                    revoked.Enqueue(jti);
                    committed.Enqueue(jti);

                    // Past the first 5,000 the writer only waits for enough reloads to overlap it: slowed down, so the set
                    // (which every reload copies whole) does not grow by millions meanwhile and make each reload slower.
                    if (i >= 5_000)
                    {
                        Thread.Sleep(1);
                    }
                }
            },
            ct);

        // Like RevocationSync.FullReloadAsync: a snapshot of the store, then a replace; back to back.
        var reloader = Task.Run(
            () =>
            {
                while (!writer.IsCompleted)
                {
                    set.Replace(committed.ToArray());
                    Interlocked.Increment(ref reloads);
                }
            },
            ct);

        // Readers probe every jti whose revocation has returned, over and over.
        var reader = Task.Run(
            () =>
            {
                var misses = 0;
                while (!writer.IsCompleted)
                {
                    foreach (var jti in revoked)
                    {
                        if (!set.IsRevoked(jti))
                        {
                            misses++;
                        }
                    }
                }

                return misses;
            },
            ct);

        await Task.WhenAll(writer, reloader, reader);
        Assert.Equal(0, await reader);
        Assert.True(reloads >= 20, $"only {reloads} reloads overlapped the revocations");
        Assert.All(revoked, jti => Assert.True(set.IsRevoked(jti)));
    }

    [Fact]
    public void Replace_ShouldKeepARevocationTheSnapshotDoesNotListYet()
    {
        var set = new RevocationSet(new ManualClock(DateTimeOffset.UtcNow));
        var pending = CompactJti.New();
        set.Add([pending, "foreign-pending"]);

        set.Replace([]);

        Assert.True(set.IsRevoked(pending));
        Assert.True(set.IsRevoked("foreign-pending"));
    }
}
