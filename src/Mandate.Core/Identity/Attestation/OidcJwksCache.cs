using System.Collections.Frozen;
using System.Text.Json;
using Mandate.Core.Identity.Keys;

namespace Mandate.Core.Identity.Attestation;

/// <summary>
/// The verification keys of one trusted issuer: parsed once from an inline JWKS, or fetched from its JWKS URI and
/// cached for <see cref="OidcIssuerOptions.JwksCacheDuration"/>. A token with an unknown <c>kid</c> triggers a refresh,
/// at most once per <see cref="OidcIssuerOptions.JwksMinRefreshInterval"/> (so forged kids cannot hammer the issuer).
/// When a refresh fails the last good keys stay in use.
/// </summary>
internal sealed class OidcJwksCache
{
    /// <summary>Largest JWKS document accepted.</summary>
    public const int MaxJwksBytes = 512 * 1024;

    private readonly OidcIssuerOptions issuer;
    private readonly HttpClient http;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim refreshLock = new(1, 1);
    // Keys and their fetch time change together and are read without the lock: one immutable snapshot, swapped whole.
    private volatile KeySet current = KeySet.None;
    private DateTimeOffset? lastAttempt;
    private string? lastProblem;

    public OidcJwksCache(OidcIssuerOptions issuer, HttpClient http, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        this.issuer = issuer;
        this.http = http;
        this.time = time;
        if (!string.IsNullOrWhiteSpace(issuer.Jwks))
        {
            current = new KeySet(Parse(issuer.Jwks, issuer.Algorithms.ToList()), DateTimeOffset.MaxValue);
        }
    }

    /// <summary>How many fetches were attempted (for tests and metrics).</summary>
    public int FetchCount { get; private set; }

    public sealed record Lookup(VerificationKey? Key, string? Problem);

    public async Task<Lookup> FindAsync(string kid, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var known = current;
        if (known.IsFreshAt(now, issuer.JwksCacheDuration) && known.Keys.TryGetValue(kid, out var cached))
        {
            return new Lookup(cached, null);
        }

        if (string.IsNullOrWhiteSpace(issuer.JwksUri))
        {
            return new Lookup(known.Keys.GetValueOrDefault(kid), null);
        }

        string? problem = null;
        // Every miss waits for the lock, so a caller arriving while a fetch is in flight uses its result instead of
        // failing on keys not fetched yet; the lock is held long only while a fetch (bounded by its timeout) runs.
        // The caller's token bounds only this wait: the fetch serves every caller, so one client dropping its request
        // (anyone can, with a forged kid) must not abort it and leave the issuer "unreachable" for the refresh interval.
        await refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            now = time.GetUtcNow();
            known = current;
            if (!(known.IsFreshAt(now, issuer.JwksCacheDuration) && known.Keys.ContainsKey(kid)) && MayRefresh(now))
            {
                problem = await RefreshAsync().ConfigureAwait(false);
                lastProblem = problem;
            }
        }
        finally
        {
            refreshLock.Release();
        }

        known = current;
        if (known.Keys.TryGetValue(kid, out var key))
        {
            return new Lookup(key, null);
        }

        return new Lookup(null, known.FetchedAt is null ? problem ?? lastProblem ?? "the issuer's JWKS has not been fetched" : null);
    }

    /// <summary>Every fetch, whatever caused it (expiry, unknown kid, earlier failure), waits out the minimum interval.</summary>
    private bool MayRefresh(DateTimeOffset now) =>
        lastAttempt is null || now - lastAttempt.Value >= issuer.JwksMinRefreshInterval;

    private async Task<string?> RefreshAsync()
    {
        lastAttempt = time.GetUtcNow();
        FetchCount++;
        // Bounds the body too: HttpClient's own timeout ends when the headers arrive.
        using var deadline = new CancellationTokenSource(issuer.JwksFetchTimeout);
        var cancellationToken = deadline.Token;
        try
        {
            using var response = await http.GetAsync(new Uri(issuer.JwksUri!), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return $"the JWKS endpoint answered {(int)response.StatusCode}";
            }

            if (response.Content.Headers.ContentLength is > MaxJwksBytes)
            {
                return "the JWKS document is too large";
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using var streamDisposal = stream.ConfigureAwait(false);
            var buffer = new byte[MaxJwksBytes + 1];
            var total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > MaxJwksBytes)
                {
                    return "the JWKS document is too large";
                }
            }

            current = new KeySet(Parse(System.Text.Encoding.UTF8.GetString(buffer, 0, total), issuer.Algorithms.ToList()), time.GetUtcNow());
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or InvalidDataException or IOException)
        {
            return ex switch
            {
                JsonException or InvalidDataException => "the JWKS document is not a JWK set",
                OperationCanceledException => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the JWKS endpoint did not answer within {issuer.JwksFetchTimeout.TotalSeconds:0.###} s"),
                _ => "the JWKS endpoint could not be reached",
            };
        }
    }

    private static FrozenDictionary<string, VerificationKey> Parse(string json, IReadOnlyCollection<string> algorithms)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("not a JWK set");
        }

        var result = new Dictionary<string, VerificationKey>(StringComparer.Ordinal);
        foreach (var jwk in list.EnumerateArray())
        {
            // Keys that cannot verify under the pinned algorithms (symmetric, unknown type…) are skipped, never trusted.
            if (VerificationKey.FromJwk(jwk, algorithms, out _) is { } key && !result.TryAdd(key.Kid, key))
            {
                // A repeated kid: the first stands.
                key.Dispose();
            }
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record KeySet(FrozenDictionary<string, VerificationKey> Keys, DateTimeOffset? FetchedAt)
    {
        public static readonly KeySet None = new(FrozenDictionary<string, VerificationKey>.Empty, null);

        public bool IsFreshAt(DateTimeOffset now, TimeSpan cacheDuration) => FetchedAt is { } at && now - at < cacheDuration;
    }
}
