using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Mandate.Core.Identity.Svid;

/// <summary>
/// Remembers JWT-SVIDs whose signature and issuer already verified, keyed by the SHA-256 of the exact token text, so a
/// workload presenting the same token again (the common case: a JWT-SVID is reused until it nears expiry) skips the
/// ECDSA/RSA verification, which is nearly all of the validation cost. Only the signature verdict is reused: the
/// checks that can change between presentations (key still published, audience, time, inventory status) run on every
/// call. Identical token text means identical signing input and signature, so the cached verdict cannot differ from a
/// fresh one. Tokens themselves are not kept, only their digests. Bounded: when full, expired entries are swept, and
/// if none expired new tokens are simply validated without being cached.
/// </summary>
internal sealed class VerifiedJwtSvidCache(int capacity)
{
    private readonly ConcurrentDictionary<TokenDigest, VerifiedJwtSvid> entries = new();
    private readonly Lock sweepLock = new();
    private int count;

    public int Count => Volatile.Read(ref count);

    /// <summary>Whether the cache remembers anything at all (a capacity of 0 turns it off).</summary>
    public bool Enabled => capacity > 0;

    public static TokenDigest Digest(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(token.AsSpan()), hash);
        return new TokenDigest(MemoryMarshal.Read<UInt128>(hash), MemoryMarshal.Read<UInt128>(hash[16..]));
    }

    public bool TryGet(TokenDigest digest, out VerifiedJwtSvid? verified)
    {
        if (capacity > 0 && entries.TryGetValue(digest, out verified))
        {
            return true;
        }

        verified = null;
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

    public void Add(TokenDigest digest, VerifiedJwtSvid verified, DateTimeOffset now)
    {
        if (capacity <= 0)
        {
            return;
        }

        if (Volatile.Read(ref count) >= capacity && !SweepExpired(now))
        {
            return;
        }

        if (entries.TryAdd(digest, verified))
        {
            Interlocked.Increment(ref count);
        }
    }

    /// <summary>Drops every expired entry; true when room was made.</summary>
    private bool SweepExpired(DateTimeOffset now)
    {
        // One sweeper at a time; the others skip caching for this call rather than queue up behind it.
        if (!sweepLock.TryEnter())
        {
            return false;
        }

        try
        {
            foreach (var (digest, verified) in entries)
            {
                if (verified.Svid.ExpiresAt <= now)
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

    /// <summary>The SHA-256 of a token's UTF-16 text as two 128-bit halves (cheap to hash and compare).</summary>
    internal readonly record struct TokenDigest(UInt128 Low, UInt128 High);
}
