using System.Net;
using System.Text.Json;
using Mandate.Core.Identity.Keys;
using Mandate.Server.Hosting;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tests.Identity;

public sealed class KeyRingEndpointTests : IAsyncLifetime
{
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync() => server = await MandateTestServer.StartAsync();

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Jwks_ShouldPublishTheES256SigningKey_WithoutPrivateMaterial()
    {
        var response = await server.Client.GetAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var jwks = JsonDocument.Parse(text);
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.Equal(server.Services.GetRequiredService<IKeyRing>().CurrentSigningCredentials().Key.KeyId, key.GetProperty("kid").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    [Fact]
    public async Task KeyRing_ShouldSignTokens_ThatMicrosoftIdentityModelValidatesWithThePublishedKeys()
    {
        var ring = server.Services.GetRequiredService<IKeyRing>();
        var handler = new JsonWebTokenHandler();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ring.Issuer,
            Audience = "consumer",
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", "spiffe://demo.mandate.local/x")]),
            SigningCredentials = ring.CurrentSigningCredentials(),
        });
        var jwks = new JsonWebKeySet(await server.Client.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), TestContext.Current.CancellationToken));

        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = ring.Issuer,
            ValidAudience = "consumer",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = ["ES256"],
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("ES256", ring.CurrentSigningCredentials().Algorithm);
        Assert.Single(ring.ValidationKeys());
        Assert.Single(ring.PublicJwks().Keys);
    }

    [Fact]
    public async Task KeyEncryptionKeyFile_ShouldBeOwnerOnly_AndTheStoreShouldHoldNoPlainPrivateKey()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only.");
        var kek = Path.Combine(server.Options.StateDirectory, "identity.kek");
#pragma warning disable CA1416 // Skipped on Windows just above.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kek));
#pragma warning restore CA1416
        var store = server.Services.GetRequiredService<Mandate.Core.Storage.IMandateStore>();
        await using var session = await store.BeginAsync(Mandate.Core.Storage.StoreIntent.Read, TestContext.Current.CancellationToken);
        var keys = await session.Get<IKeyRepository>().ListAsync(TestContext.Current.CancellationToken);
        var ring = server.Services.GetRequiredService<KeyRing>();
        var signing = ring.CurrentSigningKey();
        var stored = keys.Single(k => k.Kid == signing.Kid);
        var pkcs8 = ((System.Security.Cryptography.ECDsa)signing.SigningCredentials.Key.GetType().GetProperty("ECDsa")!.GetValue(signing.SigningCredentials.Key)!).ExportPkcs8PrivateKey();
        Assert.False(stored.EncryptedPrivateKey.AsSpan().IndexOf(pkcs8.AsSpan(^32..)) >= 0, "the raw private scalar must not appear in the stored bytes");
        Assert.Contains(keys, k => k.Purpose == KeyPurposes.X509Authority && k.Certificate is not null);
    }

    [Fact]
    public async Task Restart_ShouldReloadTheSameKeys_FromTheStore()
    {
        var kid = server.Services.GetRequiredService<IKeyRing>().CurrentSigningCredentials().Key.KeyId;
        var state = server.Options.StateDirectory;
        await server.DisposeAsync();
        server = await MandateTestServer.StartAsync(o => o.StateDirectory = state);
        Assert.Equal(kid, server.Services.GetRequiredService<IKeyRing>().CurrentSigningCredentials().Key.KeyId);
    }

    [Fact]
    public async Task Restart_ShouldRefuseToStart_WhenTheKeyEncryptionKeyChanged()
    {
        var state = server.Options.StateDirectory;
        await server.DisposeAsync();
        File.WriteAllText(Path.Combine(state, "identity.kek"), Convert.ToBase64String(new byte[32]));
        var error = await Assert.ThrowsAsync<StartupException>(() => MandateTestServer.StartAsync(o => o.StateDirectory = state));
        Assert.Contains("identity.kek", error.Message, StringComparison.Ordinal);
        server = await MandateTestServer.StartAsync();
    }
}
