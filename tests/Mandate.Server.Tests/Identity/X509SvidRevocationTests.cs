using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;
using Microsoft.AspNetCore.Hosting;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// X.509-SVIDs revoked one by one and by cascade (suspension, owner offboarding) land in the CRL the server publishes,
/// signed by the CA of the trust bundle, over real HTTP on SQLite and PostgreSQL.
/// </summary>
public sealed class X509SvidRevocationTests
{
    private const string PublicUrl = "https://mandate.example.test";
    private const string Crl = "/v1/svid/x509/crl";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RevokedX509Svid_ShouldBeInTheSignedCrl_AndAnotherOneShouldNot()
    {
        await using var server = await MandateTestServer.StartAsync(o => o.PublicUrl = PublicUrl);
        await RevokeOneAndReadTheCrlAsync(server, server, "spiffe://demo.mandate.local/test/crl-one");
    }

    [Fact]
    public async Task SuspendingAnIdentity_ShouldPutItsX509SvidsInTheCrl_AndReactivationShouldNotTakeThemOut()
    {
        const string Workload = "spiffe://demo.mandate.local/test/crl-suspend";
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        await IdentityTestData.RegisterAsync(server, Workload);
        using var workload = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, Workload, TimeSpan.FromMinutes(10)));
        var first = await IssueAsync(workload);
        var second = await IssueAsync(workload);
        var before = await FetchCrlAsync(server);
        Assert.DoesNotContain(first.SerialNumber, before.Serials);

        using (var suspended = await admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = Workload, reason = "investigation" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);
        }

        var after = await FetchCrlAsync(server);
        Assert.Contains(first.SerialNumber, after.Serials);
        Assert.Contains(second.SerialNumber, after.Serials);
        Assert.True(after.Number > before.Number, $"CRL number {after.Number} after {before.Number}");
        var ledger = await admin.GetFromJsonAsync<JsonElement>($"/v1/audit/events?jti=x509:{first.SerialNumber}&type=credential.revoked", Ct);
        var revokedEvent = Assert.Single(ledger.GetProperty("events").EnumerateArray());
        Assert.Contains("identity suspended: investigation", revokedEvent.GetRawText(), StringComparison.Ordinal);

        using (var reactivated = await admin.PostAsJsonAsync("/v1/identities/reactivate", new { spiffe_id = Workload }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, reactivated.StatusCode);
        }

        var fresh = await IssueAsync(workload);
        var later = await FetchCrlAsync(server);
        Assert.Contains(first.SerialNumber, later.Serials);
        Assert.DoesNotContain(fresh.SerialNumber, later.Serials);
    }

    [Fact]
    public async Task OffboardingTheOwner_ShouldPutItsIdentitiesX509SvidsInTheCrl()
    {
        const string Workload = "spiffe://demo.mandate.local/test/crl-offboard";
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        await IdentityTestData.RegisterAsync(server, Workload);
        using var workload = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, Workload, TimeSpan.FromMinutes(10)));
        var svid = await IssueAsync(workload);

        using var offboarded = await admin.PostAsJsonAsync("/v1/offboardings", new { owner = "team:test", reason = "team dissolved" }, Ct);
        var pack = await offboarded.Content.ReadAsStringAsync(Ct);
        Assert.True(offboarded.StatusCode == HttpStatusCode.Created, pack);
        Assert.Contains(svid.SerialNumber, pack, StringComparison.Ordinal);

        Assert.Contains(svid.SerialNumber, (await FetchCrlAsync(server)).Serials);
        var credential = await admin.GetFromJsonAsync<JsonElement>($"/v1/credentials/x509:{svid.SerialNumber}", Ct);
        Assert.Equal(JsonValueKind.String, credential.GetProperty("revoked_at").ValueKind);
    }

    [Fact]
    public async Task Crl_ShouldBeServedOnPostgres_AndReflectARevocationMadeOnAnotherNode()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        await using var first = await MandateTestServer.StartAsync(o => { o.Store = MandateTestServer.PostgresLocation(connection); o.PublicUrl = PublicUrl; });
        var secondState = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(secondState);
        File.Copy(Path.Combine(first.Options.StateDirectory, "identity.kek"), Path.Combine(secondState, "identity.kek"));
        File.Copy(Path.Combine(first.Options.StateDirectory, "audit-signing.kek"), Path.Combine(secondState, "audit-signing.kek"));
        await using var second = await MandateTestServer.StartAsync(o => { o.Store = MandateTestServer.PostgresLocation(connection); o.StateDirectory = secondState; o.PublicUrl = PublicUrl; });
        var before = await FetchCrlAsync(second);
        await RevokeOneAndReadTheCrlAsync(first, second, "spiffe://demo.mandate.local/test/crl-pg");
        var after = await FetchCrlAsync(first);
        Assert.True(after.Number > before.Number, $"CRL number {after.Number} after {before.Number}: one sequence for every node");
    }

    [Fact]
    public async Task Crl_ShouldNeedNoCredentials_AndX509SvidsShouldCarryNoDistributionPointWithoutAPublicUrl()
    {
        const string Workload = "spiffe://demo.mandate.local/test/crl-nourl";
        await using var server = await MandateTestServer.StartAsync();
        await IdentityTestData.RegisterAsync(server, Workload);
        using var workload = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, Workload, TimeSpan.FromMinutes(10)));
        using var svid = await IssueAsync(workload);
        Assert.Null(svid.Extensions["2.5.29.31"]);

        var crl = await FetchCrlAsync(server);
        Assert.Empty(crl.Serials);
    }

    [Fact]
    public async Task RevokingAnUnknownX509Serial_ShouldBeNotFound()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        using var response = await admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "credential", target = "x509:0123456789ABCDEF" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpeningATaskOverMutualTls_ShouldBindTheX509Svid_UntilItIsRevoked_AndItsRevocationShouldReachTheBoundCredential()
    {
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        using var serverEphemeral = serverRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var serverCertificate = X509CertificateLoader.LoadPkcs12(serverEphemeral.Export(X509ContentType.Pfx), null);
        await using var estate = await Tasks.TaskEstate.StartAsync(
            o => o.Urls = "https://127.0.0.1:0",
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = serverCertificate;
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
                https.AllowAnyClientCertificate();
            })));
        using var admin = TlsClient(estate.Server, estate.Server.AdminToken);

        // The agent gets an X.509-SVID over plain bearer auth, then opens tasks presenting it as its TLS client certificate.
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var bearer = TlsClient(estate.Server, estate.Svid(Tasks.TaskEstate.Agent));
        using var issued = await bearer.PostAsJsonAsync("/v1/svid/x509", new { csr = new CertificateRequest("CN=w", clientKey, HashAlgorithmName.SHA256).CreateSigningRequestPem() }, Ct);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        using var leaf = X509Certificate2.CreateFromPem((await issued.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("certificate").GetString()!);
        using var withKey = leaf.CopyWithPrivateKey(clientKey);
        using var clientCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);

        async Task<HttpResponseMessage> OpenAsync()
        {
            var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true, ClientCertificateOptions = ClientCertificateOption.Manual };
            handler.ClientCertificates.Add(clientCertificate);
            using var mtls = new HttpClient(handler) { BaseAddress = estate.Server.Address, Timeout = TimeSpan.FromSeconds(30) };
            mtls.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", estate.Svid(Tasks.TaskEstate.Agent));
            return await mtls.PostAsJsonAsync("/v1/tasks", new { intent = Tasks.TaskEstate.Intent(), ttl_seconds = 300 }, Ct);
        }

        string boundJti;
        using (var bound = await OpenAsync())
        {
            var body = await bound.Content.ReadAsStringAsync(Ct);
            Assert.True(bound.StatusCode == HttpStatusCode.Created, body);
            var token = JsonDocument.Parse(body).RootElement.GetProperty("credential").GetProperty("access_token").GetString()!;
            var claims = Tasks.TaskEstate.Claims(token);
            Assert.Equal(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(SHA256.HashData(leaf.RawData)), claims.GetProperty("cnf").GetProperty("x5t#S256").GetString());
            boundJti = claims.GetProperty("jti").GetString()!;
        }

        // Revoking the certificate also revokes the credential bound to it, in the same revocation.
        using (var revoked = await admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "credential", target = "x509:" + leaf.SerialNumber }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, revoked.StatusCode);
            var jtis = (await revoked.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("revoked_jtis").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal);
            Assert.Equal(new[] { boundJti, "x509:" + leaf.SerialNumber }.Order(StringComparer.Ordinal), jtis);
        }

        var boundRecord = await admin.GetFromJsonAsync<JsonElement>($"/v1/credentials/{boundJti}", Ct);
        Assert.Equal(JsonValueKind.String, boundRecord.GetProperty("revoked_at").ValueKind);

        using var refused = await OpenAsync();
        await ProblemAssert.ProblemAsync(refused, HttpStatusCode.BadRequest, "client-certificate-revoked");
    }

    /// <summary>A client of the test server's self-signed HTTPS endpoint (loopback only) with a bearer token.</summary>
    private static HttpClient TlsClient(MandateTestServer server, string token)
    {
        var client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Issues two X.509-SVIDs on <paramref name="issuer"/>, revokes one by its <c>jti</c>, and reads the CRL from <paramref name="reader"/>.</summary>
    private static async Task RevokeOneAndReadTheCrlAsync(MandateTestServer issuer, MandateTestServer reader, string workloadId)
    {
        using var admin = issuer.CreateAdminClient();
        await IdentityTestData.RegisterAsync(issuer, workloadId);
        using var workload = IdentityTestData.WorkloadClient(issuer, IdentityTestData.MandateSvid(issuer, workloadId, TimeSpan.FromMinutes(10)));
        using var revokedSvid = await IssueAsync(workload);
        using var keptSvid = await IssueAsync(workload);

        var distribution = revokedSvid.Extensions["2.5.29.31"];
        Assert.NotNull(distribution);
        Assert.Contains(PublicUrl + Crl, System.Text.Encoding.ASCII.GetString(distribution.RawData), StringComparison.Ordinal);

        var jti = "x509:" + revokedSvid.SerialNumber;
        using (var revoked = await admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "credential", target = jti, reason = "key leaked" }, Ct))
        {
            var body = await revoked.Content.ReadAsStringAsync(Ct);
            Assert.True(revoked.StatusCode == HttpStatusCode.Created, body);
            Assert.Equal([jti], JsonDocument.Parse(body).RootElement.GetProperty("revoked_jtis").EnumerateArray().Select(e => e.GetString()));
        }

        var ledger = await admin.GetFromJsonAsync<JsonElement>($"/v1/audit/events?jti={jti}&type=credential.revoked", Ct);
        Assert.Single(ledger.GetProperty("events").EnumerateArray());

        var crl = await FetchCrlAsync(reader);
        Assert.Contains(revokedSvid.SerialNumber, crl.Serials);
        Assert.DoesNotContain(keptSvid.SerialNumber, crl.Serials);
        Assert.True(crl.NextUpdate > DateTimeOffset.UtcNow && crl.NextUpdate <= crl.ThisUpdate + TimeSpan.FromHours(1), $"nextUpdate {crl.NextUpdate:O}");
        Assert.Equal(revokedSvid.IssuerName.RawData, crl.IssuerName);
    }

    private static async Task<X509Certificate2> IssueAsync(HttpClient workload)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=w", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        using var response = await workload.PostAsJsonAsync("/v1/svid/x509", new { csr }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var answer = JsonDocument.Parse(body).RootElement;
        var certificate = X509Certificate2.CreateFromPem(answer.GetProperty("certificate").GetString()!);
        Assert.Equal("x509:" + certificate.SerialNumber, answer.GetProperty("jti").GetString());
        return certificate;
    }

    /// <summary>
    /// Fetches the CRL anonymously and checks it the way a relying party would: its signature verifies with a CA
    /// certificate of the published trust bundle.
    /// </summary>
    private static async Task<CrlTestReader.ParsedCrl> FetchCrlAsync(MandateTestServer server)
    {
        using var anonymous = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await anonymous.GetAsync(new Uri(Crl, UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pkix-crl", response.Content.Headers.ContentType?.MediaType);
        var der = await response.Content.ReadAsByteArrayAsync(Ct);
        var crl = CrlTestReader.Parse(der);

        var bundle = await anonymous.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/spiffe-bundle", UriKind.Relative), Ct);
        var authorities = bundle.GetProperty("keys").EnumerateArray()
            .Where(k => k.GetProperty("use").GetString() == "x509-svid")
            .Select(k => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(k.GetProperty("x5c")[0].GetString()!)))
            .ToList();
        try
        {
            Assert.Contains(authorities, ca => ca.SubjectName.RawData.AsSpan().SequenceEqual(crl.IssuerName) && crl.IsSignedBy(ca));
        }
        finally
        {
            authorities.ForEach(ca => ca.Dispose());
        }

        return crl;
    }
}
