using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Benchmarks.Identity;

/// <summary>
/// JWT-SVID issuance and validation (ES256 and RS256: the JWT-SVID specification allows no EdDSA, and an EdDSA ring
/// signs its SVIDs with its separate ES256 key), with two comparators run in the same job: the pre-change path, a plain
/// Microsoft.IdentityModel <c>JsonWebTokenHandler.ValidateTokenAsync</c> given a <c>SecurityKey</c> rebuilt from the
/// published JWK on every call (the baseline), and the same handler with the key built once. Keys are loaded and the
/// inventory view is warm before timing. Mandate's validator does more than the comparator: SPIFFE ID parsing, trust-domain and
/// inventory-status checks. It is measured twice: on a token it has not seen (its verified-token cache off, so every
/// call verifies the signature) and on a token presented again (the cache warm: the signature verdict is reused, every
/// other check runs).
/// </summary>
[MemoryDiagnoser]
public class JwtSvidBenchmarks
{
    private const string Audience = "spiffe://bench.mandate.local/svc/reports";
    private ServiceProvider services = null!;
    private JwtSvidIssuer issuer = null!;
    private JwtSvidValidator validator = null!;
    private JwtSvidValidator uncachedValidator = null!;
    private JsonWebTokenHandler handler = null!;
    private TokenValidationParameters parameters = null!;
    private string publishedJwk = null!;
    private string audience = null!;
    private string issuerName = null!;
    private string algorithm = null!;
    private SpiffeId subject = null!;
    private string token = null!;

    [ParamsSource(nameof(Algorithms))]
    public string Algorithm { get; set; } = "ES256";

    /// <summary>The ring's algorithms that sign JWT-SVIDs; ES256 alone in a docs smoke run (an RSA-3072 key takes seconds to make).</summary>
    public static IEnumerable<string> Algorithms() => DocsSmoke.Size<string[]>(["ES256", "RS256"], ["ES256"]);

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N"), "bench.db");
        var collection = new ServiceCollection();
        collection.AddMandate().AddIdentity();
        collection.Configure<IdentityOptions>(o =>
        {
            o.TrustDomain = "bench.mandate.local";
            o.SigningAlgorithm = Algorithm;
        });
        collection.AddSingleton<IKeyEncryptionKeySource>(new FixedKeyEncryptionKey());
        collection.AddSingleton<IMandateStore>(new SqliteStore(path));
        services = collection.BuildServiceProvider();
        var store = services.GetRequiredService<IMandateStore>();
        store.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        var ring = services.GetRequiredService<KeyRing>();
        ring.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        var inventory = services.GetRequiredService<IdentityInventory>();
        subject = SpiffeId.Parse("spiffe://bench.mandate.local/svc/billing");
        var registered = inventory.RegisterAsync(
            new IdentityRegistration { SpiffeId = subject.Value, Kind = "workload", Owner = "team:bench", Purpose = "benchmark", Ttl = TimeSpan.FromDays(1) },
            "bench",
            null,
            CancellationToken.None).GetAwaiter().GetResult();
        if (registered.Error is { } error)
        {
            throw new InvalidOperationException(error.Message);
        }

        issuer = services.GetRequiredService<JwtSvidIssuer>();
        validator = services.GetRequiredService<JwtSvidValidator>();
        var uncachedOptions = new IdentityOptions { TrustDomain = "bench.mandate.local", SigningAlgorithm = Algorithm, ValidatedTokenCacheSize = 0 };
        uncachedValidator = new JwtSvidValidator(ring, services.GetRequiredService<IdentityDirectory>(), new Mandate.Core.Credentials.RevocationSet(), Options.Create(uncachedOptions), TimeProvider.System);
        token = issuer.Issue(subject, [Audience], TimeSpan.FromMinutes(5)).Token;
        handler = new JsonWebTokenHandler();
        var svidKey = ring.CurrentSigningKey(KeyPurposes.JwtSvid);
        algorithm = svidKey.Algorithm;
        audience = Audience;
        issuerName = ring.Issuer;
        parameters = new TokenValidationParameters
        {
            ValidIssuer = ring.Issuer,
            ValidAudience = Audience,
            IssuerSigningKeys = ring.ValidationKeys(),
            ValidAlgorithms = [algorithm],
            ClockSkew = TimeSpan.FromSeconds(30),
        };

        // The key as a relying party (or the code before the key cache) gets it: the JWK text from the JWKS.
        using (var jwks = System.Text.Json.JsonDocument.Parse(ring.PublicJwksJson()))
        {
            publishedJwk = jwks.RootElement.GetProperty("keys").EnumerateArray().First(k => k.GetProperty("kid").GetString() == svidKey.Kid).GetRawText();
        }

        if (!validator.Validate(token, Audience).IsValid || !uncachedValidator.Validate(token, Audience).IsValid || uncachedValidator.CachedTokenCount != 0
            || !handler.ValidateTokenAsync(token, parameters).GetAwaiter().GetResult().IsValid || !ValidateRebuildingTheKey().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The benchmark token does not validate.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => services.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "Mandate JwtSvidIssuer.Issue")]
    public string Issue() => issuer.Issue(subject, [Audience], TimeSpan.FromMinutes(5)).Token;

    [Benchmark(Description = "Mandate Validate, token not seen before (signature verified)")]
    public bool ValidateFirstSeen() => uncachedValidator.Validate(token, Audience).IsValid;

    [Benchmark(Description = "Mandate Validate, token presented again (cache warm)")]
    public bool ValidateRepeat() => validator.Validate(token, Audience).IsValid;

    [Benchmark(Description = "Comparator: JsonWebTokenHandler.ValidateTokenAsync, key built once")]
    public async Task<bool> ValidateIdentityModel() => (await handler.ValidateTokenAsync(token, parameters)).IsValid;

    /// <summary>The pre-change path: the SecurityKey rebuilt from the published JWK for every validation.</summary>
    [Benchmark(Baseline = true, Description = "Comparator: JsonWebTokenHandler.ValidateTokenAsync, key rebuilt from the JWK per call")]
    public Task<bool> ValidateIdentityModelRebuildingTheKey() => ValidateRebuildingTheKey();

    private async Task<bool> ValidateRebuildingTheKey()
    {
        var key = new JsonWebKey(publishedJwk);
        var perCall = new TokenValidationParameters
        {
            ValidIssuer = issuerName,
            ValidAudience = audience,
            IssuerSigningKey = key,
            ValidAlgorithms = [algorithm],
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        return (await handler.ValidateTokenAsync(token, perCall)).IsValid;
    }

    private sealed class FixedKeyEncryptionKey : IKeyEncryptionKeySource
    {
        private readonly byte[] key = RandomNumberGenerator.GetBytes(32);

        public ReadOnlySpan<byte> Key => key;

        public string Origin => "a random key of the benchmark";
    }
}
