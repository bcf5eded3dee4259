using System.Collections.Concurrent;

namespace Mandate.Core.Credentials;

/// <summary>
/// What verifying a token established that cannot change for its exact text (its signature verified, and what it
/// signs), keyed by the SHA-256 of that text: a credential is presented again and again until it nears expiry, and
/// its signature check is nearly all of what validating it costs. Identical text means identical signing input and
/// signature, so a remembered verdict cannot differ from a fresh one; everything that can change between
/// presentations (the key still published, audience, time, revocation, standing) is the caller's to check every time.
/// Tokens themselves are not kept, only their digests. Bounded by <c>Mandate:Identity:ValidatedTokenCacheSize</c>
/// (0 turns it off): when full, expired entries are swept, and if none expired new tokens are simply validated
/// without being remembered. Serves both the JWT-SVID validator and the validator of Mandate's own credentials.
/// </summary>
internal sealed class VerifiedTokenCache<TEntry>(int capacity, Func<TEntry, DateTimeOffset> expiresAt)
    where TEntry : class
{
    private readonly ConcurrentDictionary<TokenDigest, TEntry> entries = new();
    private readonly Lock sweepLock = new();
    private int count;

    public int Count => Volatile.Read(ref count);

    /// <summary>Whether the cache remembers anything at all (a capacity of 0 turns it off).</summary>
    public bool Enabled => capacity > 0;

    /// <summary>The key <paramref name="token"/> is remembered under: the SHA-256 of its exact UTF-16 text.</summary>
    public static TokenDigest Digest(string token) => TokenDigest.OfUtf16(token);

    public bool TryGet(TokenDigest digest, out TEntry? entry)
    {
        if (capacity > 0 && entries.TryGetValue(digest, out entry))
        {
            return true;
        }

        entry = null;
        return false;
    }

    /// <summary>Forgets an entry whose token can no longer pass (expired, or its key is gone).</summary>
    public void Remove(TokenDigest digest)
    {
        if (entries.TryRemove(digest, out _))
        {
            Interlocked.Decrement(ref count);
        }
    }

    /// <summary>Remembers <paramref name="entry"/>; one already remembered for the digest is replaced (the latest reading wins).</summary>
    public void Add(TokenDigest digest, TEntry entry, DateTimeOffset now)
    {
        if (capacity <= 0)
        {
            return;
        }

        if (Volatile.Read(ref count) >= capacity && !SweepExpired(now))
        {
            return;
        }

        if (entries.TryAdd(digest, entry))
        {
            Interlocked.Increment(ref count);
        }
        else
        {
            entries[digest] = entry;
        }
    }

    /// <summary>Drops every expired entry; true when room was made.</summary>
    private bool SweepExpired(DateTimeOffset now)
    {
        // One sweeper at a time; the others skip remembering for this call rather than queue up behind it.
        if (!sweepLock.TryEnter())
        {
            return false;
        }

        try
        {
            foreach (var (digest, entry) in entries)
            {
                if (expiresAt(entry) <= now)
                {
                    Remove(digest);
                }
            }

            return Volatile.Read(ref count) < capacity;
        }
        finally
        {
            sweepLock.Exit();
        }
    }
}
