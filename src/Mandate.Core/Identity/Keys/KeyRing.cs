using System.Buffers;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
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
public sealed class KeyRing(
    IOptions<IdentityOptions> options,
    TimeProvider time,
    IMandateStore store,
    IAuditTrail audit,
    PrivateKeyProtector protector) : IKeyRing
{
    private volatile Snapshot snapshot = Snapshot.Empty;

    public string TrustDomain => options.Value.TrustDomain;

    public string Issuer => options.Value.EffectiveIssuer;

    public TimeSpan MaxTokenLifetime => options.Value.MaxTokenLifetime;

    /// <summary>Creates whatever key is missing or due, then loads every key. Safe to run on several nodes at once.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await RotateIfDueAsync(cancellationToken);
    }

    /// <summary>
    /// One rotation pass: creates the first JWT key and CA if absent, pre-publishes a successor when the signing key is
    /// due, renews the CA before it gets too close to expiry, then reloads. Returns whether a key was created.
    /// </summary>
    public async Task<bool> RotateIfDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var created = false;
        await using (var session = await store.BeginAsync(StoreIntent.Write, cancellationToken))
        {
            var repository = session.Get<IKeyRepository>();
            await repository.LockAsync(cancellationToken);
            var keys = await repository.ListAsync(cancellationToken);
            var now = time.GetUtcNow();

            var jwtKeys = keys.Where(k => k.Purpose == KeyPurposes.Jwt).OrderBy(k => k.ActivatesAt).ToList();
            var newest = jwtKeys.LastOrDefault();
            if (newest is null)
            {
                await CreateJwtKeyAsync(session, repository, now, now, "initial", cancellationToken);
                created = true;
            }
            else if (newest.ActivatesAt <= now && now >= newest.ActivatesAt + settings.KeyRotationInterval - settings.KeyPrepublication)
            {
                // The newest key signs and is due: publish its successor ahead of activation.
                var activation = Max(newest.ActivatesAt + settings.KeyRotationInterval, now + settings.KeyPrepublication);
                await repository.ScheduleRetirementAsync(newest.Kid, activation, activation + settings.MaxTokenLifetime + settings.ClockSkew, cancellationToken);
                await CreateJwtKeyAsync(session, repository, now, activation, "rotation", cancellationToken, newest.Kid);
                created = true;
            }

            var authorities = keys
                .Where(k => k.Purpose == KeyPurposes.X509Authority && k.Certificate is not null)
                .Select(k => (Key: k, Validity: CertificateValidity(k)))
                .ToList();
            var renewBefore = TimeSpan.FromTicks(settings.CaLifetime.Ticks / 3);
            if (!authorities.Any(a => a.Validity.NotAfter - now > renewBefore))
            {
                // Like a JWT key, a renewed CA is published at once but signs only from its activation, so relying
                // parties have it in their bundle before they meet a leaf it signed. The CA signing now (whose leaves
                // never outlive it, and which stays published until it expires) hands over at the latest when it
                // expires; with no valid CA left the new one signs at once.
                var signing = authorities
                    .Where(a => a.Key.ActivatesAt <= now && a.Validity.NotBefore <= now && now < a.Validity.NotAfter)
                    .Select(a => (DateTimeOffset?)a.Validity.NotAfter)
                    .Max();
                var activation = signing is { } end ? Min(now + settings.KeyPrepublication, end) : now;
                await CreateAuthorityAsync(session, repository, now, activation, authorities.Count == 0 ? "initial" : "renewal", cancellationToken);
                created = true;
            }

            if (created)
            {
                await session.CommitAsync(cancellationToken);
            }
        }

        await ReloadAsync(cancellationToken);
        return created;
    }

    /// <summary>Reads every key from the store and swaps the in-memory snapshot.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredKey> stored;
        await using (var session = await store.BeginAsync(StoreIntent.Read, cancellationToken))
        {
            stored = await session.Get<IKeyRepository>().ListAsync(cancellationToken);
        }

        var current = snapshot;
        var loaded = new List<RingKey>(stored.Count);
        foreach (var key in stored)
        {
            // Keys already decrypted are reused (the store hands out new arrays on every read, so the key material is
            // compared by content); only a changed schedule gives the same key a new RingKey.
            if (current.ByKid.TryGetValue(key.Kid, out var existing) && existing.Stored.HasSameMaterial(key))
            {
                loaded.Add(existing.Stored.HasSameSchedule(key) ? existing : new RingKey(key, existing.SigningKey, existing.Certificate));
                continue;
            }

            loaded.Add(Load(key));
        }

        snapshot = new Snapshot(loaded);
    }

    public SigningCredentials CurrentSigningCredentials(string purpose = KeyPurposes.Jwt) => CurrentSigningKey().SigningCredentials;

    /// <summary>The JWT key that signs now.</summary>
    public RingKey CurrentSigningKey()
    {
        var now = time.GetUtcNow();
        RingKey? best = null;
        foreach (var key in snapshot.Jwt)
        {
            if (key.SignsAt(now) && (best is null || key.Stored.ActivatesAt > best.Stored.ActivatesAt))
            {
                best = key;
            }
        }

        return best ?? throw new InvalidOperationException("The key ring has no signing key: it was not initialized (the identity startup task did not run).");
    }

    public IReadOnlyList<SecurityKey> ValidationKeys() => PublishedJwtKeys().Select(k => k.Verification.SecurityKey).ToList();

    /// <summary>The JWT keys published now (signing key, pre-published successor, retired keys inside their overlap).</summary>
    public IReadOnlyList<RingKey> PublishedJwtKeys()
    {
        var now = time.GetUtcNow();
        return snapshot.Jwt.Where(k => k.IsPublishedAt(now)).ToList();
    }

    /// <summary>The published JWT key with this kid, or null (unknown, or its overlap is over).</summary>
    public VerificationKey? FindValidationKey(string kid)
    {
        if (snapshot.ByKid.TryGetValue(kid, out var key) && key.Purpose == KeyPurposes.Jwt && key.IsPublishedAt(time.GetUtcNow()))
        {
            return key.Verification;
        }

        return null;
    }

    public JsonWebKeySet PublicJwks()
    {
        var set = new JsonWebKeySet();
        foreach (var key in PublishedJwtKeys())
        {
            // From the stored public JWK, which covers key types Microsoft.IdentityModel cannot convert (OKP).
            set.Keys.Add(new JsonWebKey(key.Stored.PublicJwk));
        }

        return set;
    }

    /// <summary>The JWKS document served at <c>/.well-known/jwks.json</c>.</summary>
    public byte[] PublicJwksJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in PublishedJwtKeys())
            {
                writer.WriteStartObject();
                key.Verification.WriteJwkMembers(writer, "sig");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

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
    public long BundleSequence()
    {
        var now = time.GetUtcNow();
        long sequence = 0;
        foreach (var key in snapshot.All)
        {
            if (key.Stored.CreatedAt <= now)
            {
                sequence++;
            }

            if (!key.IsPublishedAt(now) && key.Stored.CreatedAt <= now)
            {
                sequence++;
            }
        }

        return sequence;
    }

    private async Task CreateJwtKeyAsync(IStoreSession session, IKeyRepository repository, DateTimeOffset now, DateTimeOffset activation, string reason, CancellationToken cancellationToken, string? predecessor = null)
    {
        var algorithm = options.Value.SigningAlgorithm;
        var key = SigningAlgorithms.Generate(algorithm);
        byte[]? pkcs8 = null;
        StoredKey stored;
        string kid;
        try
        {
            kid = Thumbprint(key);
            pkcs8 = SigningAlgorithms.ExportPkcs8(key);
            stored = new StoredKey(kid, KeyPurposes.Jwt, algorithm, PublicJwk(kid, algorithm, key), protector.Protect(kid, pkcs8), null, now, activation, null, null);
        }
        finally
        {
            // The ring loads the key back from the store; this copy has served.
            if (pkcs8 is not null)
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }

            SigningAlgorithms.Destroy(key);
        }

        await repository.InsertAsync(stored, cancellationToken);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.key_created",
                Actor = "system",
                Subject = Issuer,
                Resource = "key:" + kid,
                Reason = reason,
                Details = new Dictionary<string, string>
                {
                    ["algorithm"] = algorithm,
                    ["activates_at"] = activation.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["predecessor"] = predecessor ?? string.Empty,
                },
            },
            cancellationToken);
    }

    private async Task CreateAuthorityAsync(IStoreSession session, IKeyRepository repository, DateTimeOffset now, DateTimeOffset activation, string reason, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var securityKey = new ECDsaSecurityKey(key);
        var kid = Thumbprint(securityKey);
        var request = new CertificateRequest(new X500DistinguishedName($"O=Mandate, CN=Mandate CA {settings.TrustDomain}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509.SpiffeSan.Create(SpiffeId.Scheme + settings.TrustDomain));
        // Back-dated a little so relying parties with a slightly slow clock accept it at once.
        using var certificate = request.CreateSelfSigned(now - settings.ClockSkew, now + settings.CaLifetime);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        StoredKey stored;
        try
        {
            stored = new StoredKey(kid, KeyPurposes.X509Authority, SigningAlgorithms.ES256, PublicJwk(kid, SigningAlgorithms.ES256, securityKey), protector.Protect(kid, pkcs8), certificate.RawData, now, activation, null, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        await repository.InsertAsync(stored, cancellationToken);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.authority_created",
                Actor = "system",
                Subject = SpiffeId.Scheme + settings.TrustDomain,
                Resource = "key:" + kid,
                Reason = reason,
                Details = new Dictionary<string, string>
                {
                    ["activates_at"] = activation.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["not_after"] = certificate.NotAfter.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["sha256"] = certificate.GetCertHashString(HashAlgorithmName.SHA256),
                },
            },
            cancellationToken);
    }

    private RingKey Load(StoredKey key)
    {
        byte[] pkcs8;
        try
        {
            pkcs8 = protector.Unprotect(key.Kid, key.EncryptedPrivateKey);
        }
        catch (CryptographicException ex)
        {
            throw new KeyRingException(
                $"The private key '{key.Kid}' in the store cannot be decrypted with this server's key-encryption key. "
                + "Every node sharing a store needs the same identity.kek file in its state directory.",
                ex);
        }

        try
        {
            var privateKey = SigningAlgorithms.ImportPkcs8(key.Algorithm, pkcs8);
            X509Certificate2? certificate = null;
            try
            {
                if (key.Certificate is not null)
                {
                    using var publicCertificate = X509CertificateLoader.LoadCertificate(key.Certificate);
                    certificate = publicCertificate.CopyWithPrivateKey(((ECDsaSecurityKey)privateKey).ECDsa);
                }

                return new RingKey(key, privateKey, certificate);
            }
            catch
            {
                certificate?.Dispose();
                SigningAlgorithms.Destroy(privateKey);
                throw;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) CertificateValidity(StoredKey key)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(key.Certificate!);
        return RingKey.ValidityOf(certificate);
    }

    /// <summary>The kid: the RFC 7638 thumbprint of the public key.</summary>
    private static string Thumbprint(SecurityKey key) => Base64UrlEncoder.Encode(key switch
    {
        // Microsoft.IdentityModel's JWK conversion reads only the public parameters.
        ECDsaSecurityKey or RsaSecurityKey => JsonWebKeyConverter.ConvertFromSecurityKey(key).ComputeJwkThumbprint(),
        _ => key.ComputeJwkThumbprint(),
    });

    private static string PublicJwk(string kid, string algorithm, SecurityKey key)
    {
        using var verification = VerificationKey.FromPrivate(kid, algorithm, key);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            verification.WriteJwkMembers(writer, "sig");
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([]);

        public Snapshot(IReadOnlyList<RingKey> keys)
        {
            All = keys;
            Jwt = keys.Where(k => k.Purpose == KeyPurposes.Jwt).ToArray();
            Authorities = keys.Where(k => k.Purpose == KeyPurposes.X509Authority && k.Certificate is not null).ToArray();
            ByKid = keys.ToFrozenDictionary(k => k.Kid, StringComparer.Ordinal);
        }

        public IReadOnlyList<RingKey> All { get; }

        public RingKey[] Jwt { get; }

        public RingKey[] Authorities { get; }

        public FrozenDictionary<string, RingKey> ByKid { get; }
    }
}
