using System.Collections.Frozen;
using System.Security.Cryptography.X509Certificates;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>
/// The key ring: JWT signing keys with scheduled rotation and overlap, and the X.509 authority. Keys live in the
/// store (private halves encrypted); this class holds a decrypted snapshot, swapped atomically on reload.
/// Rotation: a successor is published <see cref="IdentityOptions.KeyPrepublication"/> before it starts signing;
/// the key it replaces stays published for <see cref="IdentityOptions.MaxTokenLifetime"/> + skew after that.
/// </summary>
internal sealed class KeyRing(
    IOptions<IdentityOptions> options,
    TimeProvider time,
    IMandateStore store,
    IAuditTrail audit,
    PrivateKeyProtector protector) : IKeyRing
{
    private readonly KeyMint mint = new(options, audit, protector);
    private readonly KeyLoader loader = new(protector);
    private volatile Snapshot snapshot = Snapshot.Empty;

    public string TrustDomain => options.Value.TrustDomain;

    public string Issuer => options.Value.EffectiveIssuer;

    public TimeSpan MaxTokenLifetime => options.Value.MaxTokenLifetime;

    /// <summary>Creates whatever key is missing or due, then loads every key. Safe to run on several nodes at once.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await RotateIfDueAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One rotation pass: creates the first JWT key and CA if absent, pre-publishes a successor when the signing key is
    /// due, renews the CA before it gets too close to expiry, then reloads. Returns whether a key was created.
    /// </summary>
    public async Task<bool> RotateIfDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var created = false;
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var repository = session.Get<IKeyRepository>();
            await repository.LockAsync(cancellationToken).ConfigureAwait(false);
            var keys = await repository.ListAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();

            created |= await RotateJwtKeysAsync(session, repository, keys, KeyPurposes.Jwt, settings.SigningAlgorithm, now, cancellationToken).ConfigureAwait(false);
            if (NeedsSvidKey(settings))
            {
                created |= await RotateJwtKeysAsync(session, repository, keys, KeyPurposes.JwtSvid, SigningAlgorithms.JwtSvidFallback, now, cancellationToken).ConfigureAwait(false);
            }
            else if (keys.FirstOrDefault(k => k.Purpose == KeyPurposes.JwtSvid && k.ActivatesAt <= now && k.RetiresAt is null) is { } unneeded)
            {
                // The algorithm was changed to one JWT-SVIDs allow: the ring's own key signs them from now on, and the
                // separate key retires with the usual overlap, so SVIDs it signed still validate until they expire.
                await repository.ScheduleRetirementAsync(unneeded.Kid, now, RotationSchedule.PublishedUntil(now, settings), cancellationToken).ConfigureAwait(false);
                created = true;
            }

            if (RotationSchedule.AuthorityActivation(keys, now, settings, out var initial) is { } authorityActivation)
            {
                await mint.CreateAuthorityAsync(session, repository, now, authorityActivation, initial ? "initial" : "renewal", cancellationToken).ConfigureAwait(false);
                created = true;
            }

            if (created)
            {
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>Whether the configured algorithm is one JWT-SVIDs may not use, so they get a key of their own.</summary>
    public static bool NeedsSvidKey(IdentityOptions settings) => !SigningAlgorithms.JwtSvid.Contains(settings.SigningAlgorithm);

    /// <summary>The first key of a JWT purpose, or its pre-published successor when the newest one is due.</summary>
    private async Task<bool> RotateJwtKeysAsync(
        IStoreSession session, IKeyRepository repository, IReadOnlyList<StoredKey> keys, string purpose, string algorithm, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var newest = keys.Where(k => k.Purpose == purpose).OrderBy(k => k.ActivatesAt).LastOrDefault();
        if (newest is null)
        {
            await mint.CreateJwtKeyAsync(session, repository, purpose, algorithm, now, now, "initial", cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (RotationSchedule.SuccessorActivation(newest, now, settings) is { } activation)
        {
            await repository.ScheduleRetirementAsync(newest.Kid, activation, RotationSchedule.PublishedUntil(activation, settings), cancellationToken).ConfigureAwait(false);
            await mint.CreateJwtKeyAsync(session, repository, purpose, algorithm, now, activation, "rotation", cancellationToken, newest.Kid).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    /// <summary>Reads every key from the store and swaps the in-memory snapshot.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredKey> stored;
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            stored = await session.Get<IKeyRepository>().ListAsync(cancellationToken).ConfigureAwait(false);
        }

        var loaded = loader.Load(stored, snapshot.ByKid);
        snapshot = new Snapshot(loaded);
    }

    public SigningCredentials CurrentSigningCredentials(string purpose = KeyPurposes.Jwt) => CurrentSigningKey(purpose).SigningCredentials;

    /// <summary>
    /// The key that signs now for <paramref name="purpose"/>: the ring's JWT key, or for <see cref="KeyPurposes.JwtSvid"/>
    /// the separate JWT-SVID key when the configured algorithm is not one JWT-SVIDs allow (the ring's key otherwise).
    /// </summary>
    public RingKey CurrentSigningKey(string purpose = KeyPurposes.Jwt)
    {
        var wanted = purpose == KeyPurposes.JwtSvid && NeedsSvidKey(options.Value) ? KeyPurposes.JwtSvid : KeyPurposes.Jwt;
        var now = time.GetUtcNow();
        RingKey? best = null;
        foreach (var key in snapshot.Jwt)
        {
            if (key.Purpose == wanted && key.SignsAt(now) && (best is null || key.Stored.ActivatesAt > best.Stored.ActivatesAt))
            {
                best = key;
            }
        }

        return best ?? throw new InvalidOperationException("The key ring has no signing key: it was not initialized (the identity startup task did not run).");
    }

    public IReadOnlyList<SecurityKey> ValidationKeys() => PublishedJwtKeys().Select(k => k.Verification.SecurityKey).ToList();

    /// <summary>
    /// The JWT keys published now (signing key, pre-published successor, retired keys inside their overlap), the
    /// separate JWT-SVID keys included.
    /// </summary>
    public IReadOnlyList<RingKey> PublishedJwtKeys()
    {
        var now = time.GetUtcNow();
        return snapshot.Jwt.Where(k => k.IsPublishedAt(now)).ToList();
    }

    /// <summary>The published JWT key with this kid, or null (unknown, or its overlap is over).</summary>
    public VerificationKey? FindValidationKey(string kid)
    {
        if (snapshot.ByKid.TryGetValue(kid, out var key) && key.Purpose is KeyPurposes.Jwt or KeyPurposes.JwtSvid && key.IsPublishedAt(time.GetUtcNow()))
        {
            return key.Verification;
        }

        return null;
    }

    public JsonWebKeySet PublicJwks() => JwksPublication.ToKeySet(PublishedJwtKeys());

    /// <summary>The JWKS document served at <c>/.well-known/jwks.json</c>.</summary>
    public byte[] PublicJwksJson() => JwksPublication.ToJson(PublishedJwtKeys());

    /// <summary>
    /// The CA that signs X.509-SVIDs now: among valid authorities whose activation has come, the one activated last
    /// (a renewed CA is published before it activates).
    /// </summary>
    public X509Certificate2 CurrentAuthority()
    {
        var now = time.GetUtcNow();
        RingKey? best = null;
        foreach (var key in snapshot.Authorities)
        {
            if (!key.CertifiesAt(now) || key.Stored.ActivatesAt > now)
            {
                continue;
            }

            if (best is null
                || key.Stored.ActivatesAt > best.Stored.ActivatesAt
                || (key.Stored.ActivatesAt == best.Stored.ActivatesAt && key.CertificateNotBefore > best.CertificateNotBefore))
            {
                best = key;
            }
        }

        return best?.Certificate ?? throw new InvalidOperationException("The key ring has no valid X.509 authority: it was not initialized.");
    }

    /// <summary>Every CA certificate that is still valid (the X.509 part of the trust bundle).</summary>
    public IReadOnlyList<X509Certificate2> PublishedAuthorities()
    {
        var now = time.GetUtcNow();
        return snapshot.Authorities.Where(k => k.IsPublishedAt(now)).Select(k => k.Certificate!).ToList();
    }

    /// <summary>
    /// A number that grows whenever the published bundle changes: one per key ever created plus one per key whose
    /// publication has ended. Derived from the keys, so every node computes the same value without a counter.
    /// </summary>
    public long BundleSequence() => JwksPublication.BundleSequence(snapshot.All, time.GetUtcNow());

    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([]);

        public Snapshot(IReadOnlyList<RingKey> keys)
        {
            All = keys;
            Jwt = keys.Where(k => k.Purpose is KeyPurposes.Jwt or KeyPurposes.JwtSvid).ToArray();
            Authorities = keys.Where(k => k.Purpose == KeyPurposes.X509Authority && k.Certificate is not null).ToArray();
            ByKid = keys.ToFrozenDictionary(k => k.Kid, StringComparer.Ordinal);
        }

        public IReadOnlyList<RingKey> All { get; }

        public RingKey[] Jwt { get; }

        public RingKey[] Authorities { get; }

        public FrozenDictionary<string, RingKey> ByKid { get; }
    }
}
