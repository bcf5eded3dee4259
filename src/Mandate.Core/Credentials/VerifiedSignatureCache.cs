using System.Collections.Concurrent;

namespace Mandate.Core.Credentials;

/// <summary>
/// The claims of Mandate-signed tokens whose signature already verified, by the exact token text: an agent presents the
/// same credential on every call, and checking its ES256 signature and reading its claims again each time is most of
/// what verifying it costs. Only what cannot change for a given token text is remembered (the signature, under which
/// key, and the claims it signs); everything that can change is checked on every presentation by the caller as before:
/// expiry, audience, revocation of the token and its lineage, the standing of every identity it names, proof of
/// possession. An entry is used only while the key that verified it is still published by the ring, so a key that
/// leaves the ring takes its tokens with it. Only tokens with a valid signature get in, so the size is bounded by what
/// Mandate issued; past <see cref="MaxEntries"/> expired entries are dropped, then all.
/// </summary>
internal sealed class VerifiedSignatureCache
{
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public int Count => entries.Count;

    /// <summary>The claims of <paramref name="token"/> when its signature verified before with a key still in <paramref name="publishedKeyIds"/>, read with the same chain depth limit.</summary>
    public bool TryGet(string token, int maxChainDepth, Func<string, bool> publishedKeyIds, out ValidatedToken claims, out string algorithm)
    {
        if (entries.TryGetValue(token, out var entry) && entry.MaxChainDepth == maxChainDepth && publishedKeyIds(entry.KeyId))
        {
            claims = entry.Claims;
            algorithm = entry.Algorithm;
            return true;
        }

        claims = null!;
        algorithm = string.Empty;
        return false;
    }

    public void Add(string token, int maxChainDepth, string keyId, string algorithm, ValidatedToken claims, DateTimeOffset now)
    {
        if (entries.Count >= MaxEntries)
        {
            foreach (var (key, old) in entries)
            {
                if (old.Claims.ExpiresAt < now)
                {
                    entries.TryRemove(key, out _);
                }
            }

            if (entries.Count >= MaxEntries)
            {
                entries.Clear();
            }
        }

        entries[token] = new Entry(claims, keyId, algorithm, maxChainDepth);
    }

    private sealed record Entry(ValidatedToken Claims, string KeyId, string Algorithm, int MaxChainDepth);
}
