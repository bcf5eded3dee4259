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
/// JWT-SVID issuance and validation (ES256, RS256 and EdDSA), with a plain Microsoft.IdentityModel <c>JsonWebTokenHandler</c>
/// validation of the same token as the comparator (the baseline). Keys are loaded and the inventory view is warm
/// before timing. Mandate's validator does more than the comparator: SPIFFE ID parsing, trust-domain and
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
    private SpiffeId subject = null!;
    private string token = null!;

    [Params("ES256", "RS256", "EdDSA")]
    public string Algorithm { get; set; } = "ES256";

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
        parameters = new TokenValidationParameters
        {
            ValidIssuer = ring.Issuer,
            ValidAudience = Audience,
            IssuerSigningKeys = ring.ValidationKeys(),
            ValidAlgorithms = [Algorithm],
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        if (!validator.Validate(token, Audience).IsValid || !uncachedValidator.Validate(token, Audience).IsValid || uncachedValidator.CachedTokenCount != 0 || !handler.ValidateTokenAsync(token, parameters).GetAwaiter().GetResult().IsValid)
        {
            throw new InvalidOperationException("The benchmark token does not validate.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => services.Dispose();

    [Benchmark(Description = "Mandate JwtSvidIssuer.Issue")]
    public string Issue() => issuer.Issue(subject, [Audience], TimeSpan.FromMinutes(5)).Token;

    [Benchmark(Description = "Mandate Validate, token not seen before (signature verified)")]
    public bool ValidateFirstSeen() => uncachedValidator.Validate(token, Audience).IsValid;

    [Benchmark(Description = "Mandate Validate, token presented again (cache warm)")]
    public bool ValidateRepeat() => validator.Validate(token, Audience).IsValid;

    [Benchmark(Baseline = true, Description = "Comparator: JsonWebTokenHandler.ValidateTokenAsync")]
    public async Task<bool> ValidateIdentityModel() => (await handler.ValidateTokenAsync(token, parameters)).IsValid;

    private sealed class FixedKeyEncryptionKey : IKeyEncryptionKeySource
    {
        private readonly byte[] key = RandomNumberGenerator.GetBytes(32);

        public ReadOnlySpan<byte> Key => key;
    }
}
