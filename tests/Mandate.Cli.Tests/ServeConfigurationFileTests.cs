using System.Security.Cryptography;
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
