using System.Collections.Concurrent;
using Mandate.Core.Identity.Svid;

namespace Mandate.Core.Credentials;

/// <summary>
/// The claims of Mandate-signed tokens (task, exchanged and SVID credentials presented to the decision point) whose
/// signature already verified, keyed by the SHA-256 of the exact token text like <see cref="VerifiedJwtSvidCache"/>: an
/// agent presents the same credential on every call (through the MCP gateway, on every tool call), and checking its
/// signature and reading its claims again each time is most of what verifying it costs. Only what cannot change for a
/// given token text is remembered (that the signature verified, under which key, and the claims it signs); everything
/// that can change is checked by <see cref="TokenValidator"/> on every presentation as before: the key still published,
/// expiry, audience, revocation of the token and its lineage, the standing of every identity it names, and (by the
/// caller) the proof of possession. Tokens themselves are not kept, only their digests. Bounded by
/// <c>Mandate:Identity:ValidatedTokenCacheSize</c> (0 turns it off): when full, expired entries are swept, and if none
/// expired new tokens are simply verified without being remembered.
/// </summary>
internal sealed class VerifiedSignatureCache(int capacity)
{
    private readonly ConcurrentDictionary<VerifiedJwtSvidCache.TokenDigest, Entry> entries = new();
    private readonly Lock sweepLock = new();
    private int count;

    public int Count => Volatile.Read(ref count);

    public bool Enabled => capacity > 0;

    /// <summary>
    /// The claims of the token with this digest when its signature verified before with a key <paramref name="published"/>
    /// still accepts, read with the same chain depth limit; an entry whose key is gone is forgotten.
    /// </summary>
    public bool TryGet(VerifiedJwtSvidCache.TokenDigest digest, int maxChainDepth, Func<string, bool> published, out ValidatedToken claims, out string algorithm)
    {
        if (capacity > 0 && entries.TryGetValue(digest, out var entry) && entry.MaxChainDepth == maxChainDepth)
        {
            if (published(entry.KeyId))
            {
                claims = entry.Claims;
                algorithm = entry.Algorithm;
                return true;
            }

            Remove(digest);
        }

        claims = null!;
        algorithm = string.Empty;
        return false;
    }

    public void Add(VerifiedJwtSvidCache.TokenDigest digest, int maxChainDepth, string keyId, string algorithm, ValidatedToken claims, DateTimeOffset now)
    {
        if (capacity <= 0)
        {
            return;
        }

        if (Volatile.Read(ref count) >= capacity && !SweepExpired(now))
        {
            return;
        }

        var entry = new Entry(claims, keyId, algorithm, maxChainDepth);
        if (entries.TryAdd(digest, entry))
        {
            Interlocked.Increment(ref count);
        }
        else
        {
            // Verified again under another chain depth limit: the latest reading wins.
            entries[digest] = entry;
        }
    }

    private void Remove(VerifiedJwtSvidCache.TokenDigest digest)
    {
        if (entries.TryRemove(digest, out _))
        {
            Interlocked.Decrement(ref count);
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
                if (entry.Claims.ExpiresAt <= now)
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

    private sealed record Entry(ValidatedToken Claims, string KeyId, string Algorithm, int MaxChainDepth);
}
