using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Identity.X509;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// Seeded random damage to real JWT-SVIDs and CSRs (so a failure replays): the validators must answer every time with
/// an error code, never throw, and never accept anything whose decoded content differs from what was signed.
/// </summary>
public sealed class IdentityInputFuzzTests : IAsyncLifetime
{
    private const string Workload = "spiffe://demo.mandate.local/test/fuzz";
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"";
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await MandateTestServer.StartAsync();
        await IdentityTestData.RegisterAsync(server, Workload);
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public void DamagedJwtSvids_ShouldBeRefusedWithACode_UnlessTheyDecodeToTheSignedBytes()
    {
        var validator = server.Services.GetRequiredService<JwtSvidValidator>();
        var issued = server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(Workload), ["rp"], TimeSpan.FromMinutes(5)).Token;
        Assert.True(validator.Validate(issued, "rp").IsValid);
        var original = Segments(issued)!.Value;
        var random = new Random(7519);
        for (var round = 0; round < 1500; round++)
        {
            var damaged = Damage(issued, random);
            var result = validator.Validate(damaged, "rp");
            Assert.True(result.IsValid || result.Error is { Code.Length: > 0 }, $"round {round}: neither valid nor a coded refusal");
            if (result.IsValid)
            {
                // Only a different spelling of the same bytes (base64url's unused low bits) may pass.
                var decoded = Segments(damaged);
                Assert.True(decoded is not null && decoded.Value.Header.SequenceEqual(original.Header) && decoded.Value.Payload.SequenceEqual(original.Payload) && decoded.Value.Signature.SequenceEqual(original.Signature), $"round {round}: accepted {damaged}");
            }
        }
    }

    [Fact]
    public void DamagedCsrs_ShouldBeRefusedWithACode_OrKeepTheirKey_NeverThrow()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = new CertificateRequest("CN=w", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var caller = SpiffeId.Parse(Workload);
        var expectedKey = key.ExportSubjectPublicKeyInfo();
        var random = new Random(2986);
        for (var round = 0; round < 1500; round++)
        {
            var damaged = (byte[])der.Clone();
            switch (random.Next(3))
            {
                case 0:
                    damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    damaged = damaged[..random.Next(damaged.Length)];
                    break;
                default:
                    damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
                    break;
            }

            var text = random.Next(2) == 0 ? Convert.ToBase64String(damaged) : PemEncoding.WriteString("CERTIFICATE REQUEST", damaged);
            if (CertificateSigningRequestInspector.TryInspect(text, caller, out var publicKey, out var error))
            {
                Assert.Equal(expectedKey, publicKey!.ExportSubjectPublicKeyInfo());
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error?.Code), $"round {round}: refused without a code");
            }
        }
    }

    private static string Damage(string token, Random random)
    {
        var at = random.Next(token.Length);
        return random.Next(5) switch
        {
            0 => token[..at] + Alphabet[random.Next(Alphabet.Length)] + token[(at + 1)..],
            1 => token.Remove(at, 1),
            2 => token.Insert(at, Alphabet[random.Next(Alphabet.Length)].ToString()),
            3 => token[..at],
            _ => string.Join('.', token.Split('.').OrderBy(_ => random.Next())),
        };
    }

    private static (byte[] Header, byte[] Payload, byte[] Signature)? Segments(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            return (Base64Url.DecodeFromChars(parts[0]), Base64Url.DecodeFromChars(parts[1]), Base64Url.DecodeFromChars(parts[2]));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
