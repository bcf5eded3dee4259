using System.Formats.Asn1;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;

namespace Mandate.Server.Tests.Identity;

public sealed class X509SvidTests(X509SvidTests.Fixture fixture) : IClassFixture<X509SvidTests.Fixture>
{
    private const string Workload = "spiffe://demo.mandate.local/test/x509";

    public sealed class Fixture : IAsyncLifetime
    {
        internal MandateTestServer Server { get; private set; } = null!;

        public HttpClient Client { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Server = await MandateTestServer.StartAsync();
            await IdentityTestData.RegisterAsync(Server, Workload);
            Client = IdentityTestData.WorkloadClient(Server, IdentityTestData.MandateSvid(Server, Workload, TimeSpan.FromMinutes(30)));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
        }
    }

    private static string Csr(Action<CertificateRequest>? configure = null, AsymmetricAlgorithm? key = null)
    {
        key ??= ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsa
            ? new CertificateRequest("CN=w", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=w", (ECDsa)key, HashAlgorithmName.SHA256);
        configure?.Invoke(request);
        return request.CreateSigningRequestPem();
    }

    private static X509Extension San(Action<SubjectAlternativeNameBuilder> add)
    {
        var builder = new SubjectAlternativeNameBuilder();
        add(builder);
        return builder.Build();
    }

    private async Task<JsonElement> IssueAsync(string csr, HttpStatusCode expected)
    {
        var response = await fixture.Client.PostAsJsonAsync("/v1/svid/x509", new { csr }, TestContext.Current.CancellationToken);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Leaf_ShouldCarryExactlyOneUriSan_AndLeafConstraints()
    {
        var body = await IssueAsync(Csr(), HttpStatusCode.OK);
        using var leaf = X509Certificate2.CreateFromPem(body.GetProperty("certificate").GetString()!);

        Assert.Equal([Workload], X509SvidAssertions.UriSans(leaf));
        var constraints = Assert.IsType<X509BasicConstraintsExtension>(leaf.Extensions["2.5.29.19"]);
        Assert.False(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        var usage = Assert.IsType<X509KeyUsageExtension>(leaf.Extensions["2.5.29.15"]);
        Assert.True(usage.Critical);
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature));
        Assert.False(usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.False(usage.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign));
        var eku = Assert.IsType<X509EnhancedKeyUsageExtension>(leaf.Extensions["2.5.29.37"]);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).Order());
        Assert.InRange(leaf.NotAfter - leaf.NotBefore - TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.Single(body.GetProperty("chain").EnumerateArray());
        Assert.NotEmpty(body.GetProperty("bundle").EnumerateArray());
    }

    [Fact]
    public async Task RsaCsr_ShouldGetKeyEnciphermentRatherThanKeyAgreement()
    {
        using var rsa = RSA.Create(2048);
        var body = await IssueAsync(Csr(key: rsa), HttpStatusCode.OK);
        using var leaf = X509Certificate2.CreateFromPem(body.GetProperty("certificate").GetString()!);
        var usage = Assert.IsType<X509KeyUsageExtension>(leaf.Extensions["2.5.29.15"]);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, usage.KeyUsages);
    }

    [Fact]
    public async Task Csr_ShouldBeAccepted_WhenItAsksForItsOwnUriSanOnly()
    {
        await IssueAsync(Csr(r => r.CertificateExtensions.Add(San(b => b.AddUri(new Uri(Workload))))), HttpStatusCode.OK);
    }

    public static TheoryData<string> ExtraSans() => ["dns", "other-uri", "two-uris", "email", "ip"];

    [Theory]
    [MemberData(nameof(ExtraSans))]
    public async Task Csr_ShouldBeRefused_WhenItAsksForAnotherSan(string kind)
    {
        var csr = Csr(r => r.CertificateExtensions.Add(San(b =>
        {
            switch (kind)
            {
                case "dns":
                    b.AddUri(new Uri(Workload));
                    b.AddDnsName("billing.example.com");
                    break;
                case "other-uri":
                    b.AddUri(new Uri("spiffe://demo.mandate.local/svc/billing"));
                    break;
                case "two-uris":
                    b.AddUri(new Uri(Workload));
                    b.AddUri(new Uri(Workload));
                    break;
                case "email":
                    b.AddEmailAddress("x@example.com");
                    break;
                default:
                    b.AddIpAddress(IPAddress.Loopback);
                    break;
            }
        })));
        var problem = await IssueAsync(csr, HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-extra-san", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Csr_ShouldBeRefused_WhenItAsksToBeACa()
    {
        var ca = await IssueAsync(Csr(r => r.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true))), HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-ca-requested", ca.GetProperty("type").GetString());
        var signer = await IssueAsync(Csr(r => r.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true))), HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-ca-requested", signer.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Csr_ShouldBeRefused_WhenItsSignatureDoesNotVerify()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = new CertificateRequest("CN=w", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        der[^5] ^= 0x01; // inside the signature's last integer
        var problem = await IssueAsync(Convert.ToBase64String(der), HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-signature-invalid", problem.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----")]
    [InlineData("not base64 at all!")]
    public async Task Csr_ShouldBeRefused_WhenMalformed(string csr)
    {
        var problem = await IssueAsync(csr, HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-malformed", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Csr_ShouldBeRefused_WhenTheKeyIsWeak()
    {
        using var rsa = RSA.Create(1024);
        var problem = await IssueAsync(Csr(key: rsa), HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-key-refused", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Csr_ShouldBeRefusedWithProblemDetails_WhenItsKeyIsEd25519()
    {
        // .NET cannot load an Ed25519 key from a CSR; the refusal must still be a 400, not an unhandled exception.
        var problem = await IssueAsync(Ed25519Csr(), HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-key-refused", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Csr_ShouldBeRefused_WhenItsCurveIsNotP256OrP384()
    {
        // secp256k1 has a 256-bit key like P-256: the curve itself must be checked.
        using var key = ECDsa.Create(ECCurve.CreateFromValue("1.3.132.0.10"));
        var problem = await IssueAsync(Csr(key: key), HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-key-refused", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Csr_ShouldBeRefused_WhenSignedWithSha1()
    {
        // .NET will not sign a request with ecdsa-with-SHA1 itself.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = CsrSignedWith(
            AlgorithmIdentifier("1.2.840.10045.4.1"),
            data => key.SignData(data, HashAlgorithmName.SHA1, DSASignatureFormat.Rfc3279DerSequence),
            X509SignatureGenerator.CreateForECDsa(key).PublicKey);
        var problem = await IssueAsync(csr, HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-signature-invalid", problem.GetProperty("type").GetString());
        Assert.Contains("1.2.840.10045.4.1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csr_SignedWithRsaPss_ShouldBeAcceptedOverSha256_AndRefusedOverSha1()
    {
        using var rsa = RSA.Create(2048);
        var pss256 = new CertificateRequest("CN=w", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pss).CreateSigningRequestPem();
        await IssueAsync(pss256, HttpStatusCode.OK);

        // RSASSA-PSS with absent parameters means SHA-1 throughout (RFC 4055), and .NET verifies it as such.
        var pss1 = CsrSignedWith(
            AlgorithmIdentifier("1.2.840.113549.1.1.10", emptyParameters: true),
            data => rsa.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pss),
            X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pss).PublicKey);
        var problem = await IssueAsync(pss1, HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-signature-invalid", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Csr_ShouldBeRefused_WhenThePemBlockIsNotACertificateRequest()
    {
        var csr = Csr().Replace("CERTIFICATE REQUEST", "PRIVATE KEY", StringComparison.Ordinal);
        var problem = await IssueAsync(csr, HttpStatusCode.BadRequest);
        Assert.Equal("https://mandate.dev/problems/csr-malformed", problem.GetProperty("type").GetString());
    }

    /// <summary>
    /// A request signed the way .NET refuses to: <paramref name="algorithmIdentifier"/> is written as the signature
    /// algorithm (whatever hash the request asks for) and <paramref name="sign"/> makes a genuine signature with it.
    /// </summary>
    private static string CsrSignedWith(byte[] algorithmIdentifier, Func<byte[], byte[]> sign, PublicKey publicKey) =>
        PemEncoding.WriteString("CERTIFICATE REQUEST", new CertificateRequest(new X500DistinguishedName("CN=w"), publicKey, HashAlgorithmName.SHA256).CreateSigningRequest(new FixedSignatureGenerator(algorithmIdentifier, sign, publicKey)));

    /// <summary>An AlgorithmIdentifier: the OID, then the parameters' DER when there are any.</summary>
    private static byte[] AlgorithmIdentifier(string oid, bool emptyParameters = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (emptyParameters)
            {
                using (writer.PushSequence())
                {
                }
            }
        }

        return writer.Encode();
    }

    private sealed class FixedSignatureGenerator(byte[] algorithmIdentifier, Func<byte[], byte[]> sign, PublicKey publicKey) : X509SignatureGenerator
    {
        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => algorithmIdentifier;

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => sign(data);

        protected override PublicKey BuildPublicKey() => publicKey;
    }

    /// <summary>A well-formed, correctly self-signed PKCS#10 request for an Ed25519 key (RFC 2986, RFC 8410).</summary>
    private static string Ed25519Csr()
    {
        using var key = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        const string ed25519 = "1.3.101.112";
        var info = new AsnWriter(AsnEncodingRules.DER);
        using (info.PushSequence())
        {
            info.WriteInteger(0);
            info.WriteEncodedValue(new X500DistinguishedName("CN=w").RawData);
            using (info.PushSequence())
            {
                using (info.PushSequence())
                {
                    info.WriteObjectIdentifier(ed25519);
                }

                info.WriteBitString(key.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey));
            }

            info.WriteEncodedValue([0xA0, 0x00]); // attributes [0] IMPLICIT SET OF, empty
        }

        var encodedInfo = info.Encode();
        var request = new AsnWriter(AsnEncodingRules.DER);
        using (request.PushSequence())
        {
            request.WriteEncodedValue(encodedInfo);
            using (request.PushSequence())
            {
                request.WriteObjectIdentifier(ed25519);
            }

            request.WriteBitString(NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(key, encodedInfo));
        }

        return PemEncoding.WriteString("CERTIFICATE REQUEST", request.Encode());
    }

    [Fact]
    public async Task X509Svid_ShouldRefuseATtlAboveTheMaximum()
    {
        var response = await fixture.Client.PostAsJsonAsync("/v1/svid/x509", new { csr = Csr(), ttl_seconds = 7 * 24 * 3600 }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/svid-ttl-exceeded", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Bundle_ShouldFollowTheSpiffeBundleFormat()
    {
        var bundle = await fixture.Server.Client.GetFromJsonAsync<JsonElement>("/.well-known/spiffe-bundle", TestContext.Current.CancellationToken);
        var keys = bundle.GetProperty("keys").EnumerateArray().ToList();
        var x509 = Assert.Single(keys, k => k.GetProperty("use").GetString() == "x509-svid");
        Assert.False(x509.TryGetProperty("kid", out _));
        Assert.Equal(1, x509.GetProperty("x5c").GetArrayLength());
        using var ca = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(x509.GetProperty("x5c")[0].GetString()!));
        Assert.True(Assert.IsType<X509BasicConstraintsExtension>(ca.Extensions["2.5.29.19"]).CertificateAuthority);
        Assert.Equal(["spiffe://demo.mandate.local"], X509SvidAssertions.UriSans(ca));
        var jwt = Assert.Single(keys, k => k.GetProperty("use").GetString() == "jwt-svid");
        Assert.False(string.IsNullOrEmpty(jwt.GetProperty("kid").GetString()));
        Assert.True(bundle.GetProperty("spiffe_sequence").GetInt64() > 0);
        Assert.Equal(300, bundle.GetProperty("spiffe_refresh_hint").GetInt64());
        Assert.DoesNotContain(keys, k => k.TryGetProperty("d", out _));
    }
}
