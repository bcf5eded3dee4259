using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mandate.Cli.Tests.Audit;

namespace Mandate.Cli.Tests;

/// <summary>
/// <c>mandate serve --config FILE</c>: a bad file stops the start naming file, line and column before anything is
/// touched; nodes started from one file on one PostgreSQL share their keys when given the same key-encryption key
/// (from the environment or from a file), and a node given another key refuses to start, saying why.
/// </summary>
public sealed class ServeConfigurationFileTests
{
    public static TheoryData<string, string, string> BadFiles => new()
    {
        // content, "line:column", what the message says
        { "{\n  \"Mandate\": {\n    \"Cluster\": { \"FreshnesBound\": \"00:00:05\" }\n  }\n}\n", "3:18", "unknown setting Mandate:Cluster:FreshnesBound; Mandate:Cluster has FreshnessBound" },
        { "{\n  \"Mandate\": {\n    \"Cluster\": {\n      \"FreshnessBound\": \"soon\"\n    }\n  }\n}\n", "4:7", "Mandate:Cluster:FreshnessBound: \"soon\" is not a duration" },
        { "{\n  \"Mandate\": {\n    \"Audit\": { \"MaxBatchSize\": 10 }\n    \"Tasks\": {}\n  }\n}\n", "4:5", "not valid JSON" },
        { "{ \"Mandate\": {}, \"Mandtae\": {} }", "1:18", "unknown section \"Mandtae\"" },
        { "{ \"Mandate\": { \"Urls\": \"http://127.0.0.1:0\", \"urls\": \"http://127.0.0.1:1\" } }", "1:46", "\"urls\" appears twice" },
        { "{ \"Mandate\": { \"Audit\": 5 } }", "1:16", "Mandate:Audit is a section, not a single value" },
        { "{ \"Mandate\": { \"TokenExchange\": { \"Clients\": { \"x\": 1 } } } }", "1:48", "Mandate:TokenExchange:Clients is a list" },
        { "{\n\"Mandate\": { \"Identity\": { \"SigningAlgorithm\": \"ES256\", \"Bogus\": true } }\n}", "2:57", "unknown setting Mandate:Identity:Bogus" },
        { "[1, 2]", "1:1", "must hold one JSON object" },
        { "{ \"Mandate\": { \"Decisions\": { \"AuditDurability\": \"Eventually\" } } }", "1:31", "Mandate:Decisions:AuditDurability: \"Eventually\" is not one of Committed, Queued" },
        { "{ \"Mandate\": { \"ForwardedHeaders\": { \"KnownProxy\": [\"10.0.0.5\"] } } }", "1:53", "unknown setting Mandate:ForwardedHeaders:KnownProxy; Mandate:ForwardedHeaders has ForwardLimit, KnownNetworks, KnownProxies" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Serve_WithABadConfigurationFile_ShouldNameFileLineAndColumn_AndTouchNothing(string content, string where, string message)
    {
        var directory = NewDirectory();
        var file = Path.Combine(directory, "mandate.json");
        await File.WriteAllTextAsync(file, content, TestContext.Current.CancellationToken);
        var state = Path.Combine(directory, "state");

        var (code, output, error) = await Cli.RunAsync("serve", "--config", file, "--urls", "http://127.0.0.1:0", "--state", state);

        Assert.Equal(1, code);
        Assert.StartsWith($"mandate: error: {file}:{where}: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(state), "a refused configuration created the state directory");
    }

    [Fact]
    public async Task Serve_WithAKeyEncryptionKeyOfTheWrongLength_ShouldRefuseToStart_WithoutRepeatingIt()
    {
        var directory = NewDirectory();
        var file = Path.Combine(directory, "mandate.json");
        var shortKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { Mandate = new { KeyEncryption = new { Key = shortKey } } }), TestContext.Current.CancellationToken);

        var (code, output, error) = await Cli.RunAsync("serve", "--config", file, "--urls", "http://127.0.0.1:0", "--state", Path.Combine(directory, "state"));

        Assert.Equal(1, code);
        Assert.Contains("invalid configuration: Mandate:KeyEncryption:Key holds 16 bytes; a key-encryption key is 32 bytes", error, StringComparison.Ordinal);
        Assert.DoesNotContain(shortKey, output + error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "state", "identity.kek")));
    }

    [Fact]
    public async Task Serve_WithAKeyFileThatDoesNotExist_ShouldRefuseToStart_NamingIt()
    {
        var directory = NewDirectory();
        var missing = Path.Combine(directory, "no-such.kek");
        var file = Path.Combine(directory, "mandate.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { Mandate = new { KeyEncryption = new { KeyFile = missing } } }), TestContext.Current.CancellationToken);

        var (code, _, error) = await Cli.RunAsync("serve", "--config", file, "--urls", "http://127.0.0.1:0", "--state", Path.Combine(directory, "state"));

        Assert.Equal(1, code);
        Assert.Contains($"invalid configuration: Mandate:KeyEncryption:KeyFile: the file {missing} does not exist.", error, StringComparison.Ordinal);
        Assert.False(File.Exists(missing), "a configured key file was created");
        Assert.False(Directory.Exists(Path.Combine(directory, "state")), "the store was touched before the settings were checked");
    }

    [Fact]
    public async Task Serve_Nodes_FromOneConfigurationFile_ShouldShareTheStoresKeys_AndANodeWithAnotherKeyShouldRefuseToStart()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var directory = NewDirectory();
        var file = Path.Combine(directory, "mandate.json");
        await File.WriteAllTextAsync(
            file,
            JsonSerializer.Serialize(new
            {
                Mandate = new
                {
                    Store = new { Location = "postgres:" + connection },
                    Identity = new { TrustDomain = "cluster.example" },
                    Cluster = new { FreshnessBound = "00:00:05" },
                },
            }),
            ct);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var auditKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var keyFile = Path.Combine(directory, "identity.kek");
        var auditKeyFile = Path.Combine(directory, "audit.kek");
        await File.WriteAllTextAsync(keyFile, key + "\n", ct);
        await File.WriteAllTextAsync(auditKeyFile, auditKey + "\n", ct);

        // Node A has its keys from the environment (a secret), node B from files (a mounted secret); nothing else differs.
        await using var a = await ServerProcess.StartAsync(
            Path.Combine(directory, "a"),
            ["--config", file],
            new Dictionary<string, string> { ["Mandate__KeyEncryption__Key"] = key, ["Mandate__Audit__KeyEncryptionKey"] = auditKey },
            ct);
        await using var b = await ServerProcess.StartAsync(
            Path.Combine(directory, "b"),
            ["--config", file],
            new Dictionary<string, string> { ["Mandate__KeyEncryption__KeyFile"] = keyFile, ["Mandate__Audit__KeyEncryptionKeyPath"] = auditKeyFile },
            ct);

        var keysA = await KidsAsync(a, ct);
        Assert.NotEmpty(keysA);
        Assert.Equal(keysA, await KidsAsync(b, ct));
        foreach (var node in new[] { a, b })
        {
            Assert.False(File.Exists(Path.Combine(node.StateDirectory, "identity.kek")), "a node generated its own key-encryption key");
            Assert.DoesNotContain(key, node.Log, StringComparison.Ordinal);
            Assert.DoesNotContain(auditKey, node.Log, StringComparison.Ordinal);
        }

        // Node C, from the same file, with a key-encryption key generated in its own state directory (a forgotten secret).
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(Path.Combine(directory, "c"), ["--config", file], new Dictionary<string, string>(), ct));
        Assert.Contains("mandate serve exited with 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be decrypted with this node's key-encryption key (from the file " + Path.Combine(directory, "c", "identity.kek") + " (generated in the state directory))", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Every node sharing a store must be given the same key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithAnotherAuditKeyEncryptionKeyThanTheStoreWasWrittenWith_ShouldRefuseToStart_NamingWhereItsKeyCameFrom()
    {
        var ct = TestContext.Current.CancellationToken;
        var state = Path.Combine(NewDirectory(), "state");
        var first = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var other = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        // The first start seals the store's checkpoint key under the first key.
        await using (await ServerProcess.StartAsync(state, [], new Dictionary<string, string> { ["Mandate__Audit__KeyEncryptionKey"] = first }, ct))
        {
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync(state, [], new Dictionary<string, string> { ["Mandate__Audit__KeyEncryptionKey"] = other }, ct));
        Assert.Contains("mandate serve exited with 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be decrypted with this node's audit key-encryption key (from the setting Mandate:Audit:KeyEncryptionKey)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Every node sharing a store must be given the same audit key", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(other, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(first, refused.Message, StringComparison.Ordinal);

        // Nothing was replaced: the first key still opens the store.
        await using var again = await ServerProcess.StartAsync(state, [], new Dictionary<string, string> { ["Mandate__Audit__KeyEncryptionKey"] = first }, ct);
        using var client = new HttpClient { BaseAddress = again.Address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(state, "admin.token"), ct)).Trim());
        using var keys = JsonDocument.Parse(await client.GetStringAsync(new Uri("/v1/audit/keys", UriKind.Relative), ct));
        Assert.Equal(1, keys.RootElement.GetProperty("keys").GetArrayLength());
    }

    [Fact]
    public async Task Serve_WithACertificateInTheConfigurationFilesKestrelSection_ShouldServeTls_ToClientsThatTrustIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = NewDirectory();
        var (certificate, pfx, pem) = SelfSignedCertificate(directory, "pfx-password-from-the-environment");
        using var trusted = certificate;
        var file = Path.Combine(directory, "mandate.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { Kestrel = new { Certificates = new { Default = new { Path = pfx } } } }), ct);

        // As docs/deployment.md says: an https URL, the certificate in the file, its password from the environment.
        HttpMessageHandler Trusting() => new SocketsHttpHandler
        {
            SslOptions = { CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { trusted }, RevocationMode = X509RevocationMode.NoCheck } },
        };
        await using var node = await ServerProcess.StartAsync(
            Path.Combine(directory, "state"),
            ["--config", file],
            new Dictionary<string, string> { ["Kestrel__Certificates__Default__Password"] = "pfx-password-from-the-environment" },
            ct,
            Trusting);
        Assert.Equal(Uri.UriSchemeHttps, node.Address.Scheme);

        using (var client = new HttpClient(Trusting()) { BaseAddress = node.Address })
        using (var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // A client that does not trust the certificate is refused by its own TLS validation.
        using (var untrusting = new HttpClient { BaseAddress = node.Address })
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri("/healthz", UriKind.Relative), ct));
            Assert.IsType<AuthenticationException>(refused.InnerException);
        }

        // The CLI, trusting the certificate the way OpenSSL is told to (SSL_CERT_FILE), reaches it; without, it does not.
        var (code, output, error) = await RunCliAsync(["health", "--url", node.Address + "healthz"], new Dictionary<string, string> { ["SSL_CERT_FILE"] = pem }, ct);
        Assert.True(code == 0, $"mandate health exited {code}: {output}{error}");
        Assert.Contains("\"up\"", output, StringComparison.Ordinal);
        (code, _, error) = await RunCliAsync(["health", "--url", node.Address + "healthz", "--timeout", "5"], new Dictionary<string, string> { ["SSL_CERT_FILE"] = Path.Combine(directory, "no-such-bundle.pem") }, ct);
        Assert.Equal(1, code);
        Assert.Contains("mandate: error:", error, StringComparison.Ordinal);
    }

    /// <summary>A self-signed server certificate for 127.0.0.1: the certificate, a password-protected PKCS#12 file and a PEM file of the certificate alone.</summary>
    private static (X509Certificate2 Certificate, string Pfx, string Pem) SelfSignedCertificate(string directory, string password)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mandate test server", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var pfx = Path.Combine(directory, "tls.pfx");
        File.WriteAllBytes(pfx, withKey.Export(X509ContentType.Pkcs12, password));
        var pem = Path.Combine(directory, "tls.pem");
        File.WriteAllText(pem, withKey.ExportCertificatePem());
        return (X509CertificateLoader.LoadCertificate(withKey.RawData), pfx, pem);
    }

    /// <summary>The CLI in a process of its own (TLS trust is read from the environment once per process).</summary>
    private static async Task<(int Code, string Output, string Error)> RunCliAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mandate.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Serve_Settings_ShouldRankFileThenEnvironmentThenOptions()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = NewDirectory();
        var file = Path.Combine(directory, "mandate.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { Mandate = new { PublicUrl = "https://file.example" } }), ct);

        await using (var fromFile = await ServerProcess.StartAsync(Path.Combine(directory, "a"), ["--config", file], new Dictionary<string, string>(), ct))
        {
            Assert.Equal("https://file.example/oauth2/token", await TokenEndpointAsync(fromFile, ct));
        }

        var environment = new Dictionary<string, string> { ["Mandate__PublicUrl"] = "https://environment.example" };
        await using (var fromEnvironment = await ServerProcess.StartAsync(Path.Combine(directory, "b"), ["--config", file], environment, ct))
        {
            Assert.Equal("https://environment.example/oauth2/token", await TokenEndpointAsync(fromEnvironment, ct));
        }

        await using var fromOption = await ServerProcess.StartAsync(Path.Combine(directory, "c"), ["--config", file, "--public-url", "https://option.example"], environment, ct);
        Assert.Equal("https://option.example/oauth2/token", await TokenEndpointAsync(fromOption, ct));
    }

    private static async Task<string?> TokenEndpointAsync(ServerProcess node, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = node.Address };
        using var metadata = JsonDocument.Parse(await client.GetStringAsync(new Uri("/.well-known/oauth-authorization-server", UriKind.Relative), ct));
        return metadata.RootElement.GetProperty("token_endpoint").GetString();
    }

    private static async Task<List<string>> KidsAsync(ServerProcess node, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = node.Address };
        using var jwks = JsonDocument.Parse(await client.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), ct));
        return [.. jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", "config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }
}
