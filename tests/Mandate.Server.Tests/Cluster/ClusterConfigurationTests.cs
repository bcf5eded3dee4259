using System.Security.Cryptography;
using System.Text.Json;
using Mandate.Core.Identity.Keys;
using Mandate.Server.Hosting;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Cluster.ClusterNodes;

namespace Mandate.Server.Tests.Cluster;

/// <summary>
/// Nodes started identically from one configuration file on one PostgreSQL schema, each with a state directory of its
/// own and the key-encryption key supplied rather than generated: each serves, and each accepts the credentials the
/// other issued (over HTTP). A node given another key refuses to start and says why.
/// </summary>
public sealed class ClusterConfigurationTests
{
    [Fact]
    public async Task Nodes_FromOneConfigurationFile_WithTheKeySuppliedTwoWays_ShouldVerifyEachOthersCredentials()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var directory = NewStateDirectory();
        Directory.CreateDirectory(directory);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var keyFile = Path.Combine(directory, "cluster.kek");
        await File.WriteAllTextAsync(keyFile, key, ct);
        var file = await WriteConfigurationAsync(directory);

        // A as from an environment secret (ranked above the file), B from a mounted key file.
        var auditKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var a = await StartAsync(connection, Path.Combine(directory, "a"), clock, new Dictionary<string, string> { ["Mandate:KeyEncryption:Key"] = key, ["Mandate:Audit:KeyEncryptionKey"] = auditKey }, file);
        await using var b = await StartAsync(As(connection, "mandate-node-b"), Path.Combine(directory, "b"), clock, new Dictionary<string, string> { ["Mandate:KeyEncryption:KeyFile"] = keyFile, ["Mandate:Audit:KeyEncryptionKey"] = auditKey }, file);

        // The file's settings reached both nodes.
        Assert.Equal(TimeSpan.FromSeconds(3), a.Server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Storage.ClusterOptions>>().Value.FreshnessBound);
        Assert.Equal(TimeSpan.FromSeconds(3), b.Server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Storage.ClusterOptions>>().Value.FreshnessBound);
        Assert.Equal(a.Server.Services.GetRequiredService<KeyRing>().CurrentSigningKey().Kid, b.Server.Services.GetRequiredService<KeyRing>().CurrentSigningKey().Kid);
        Assert.False(File.Exists(Path.Combine(directory, "a", "identity.kek")));
        Assert.False(File.Exists(Path.Combine(directory, "b", "identity.kek")));

        var (_, fromA, _) = await a.OpenAsync();
        var (_, fromB, _) = await b.OpenAsync(TaskEstate.SubAgent);
        Assert.True((await DecideAsync(b, fromA)).Decision, "node B refused a credential node A issued");
        Assert.True((await DecideAsync(a, fromA)).Decision, "node A refused its own credential");
        Assert.Equal(TaskEstate.SubAgent, (await a.IntrospectAsync(fromB)).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Node_WithAnotherKeyEncryptionKey_ShouldRefuseToStart_SayingWhereItsKeyCameFrom()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var directory = NewStateDirectory();
        Directory.CreateDirectory(directory);
        var file = await WriteConfigurationAsync(directory);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var a = await StartAsync(connection, Path.Combine(directory, "a"), clock, new Dictionary<string, string> { ["Mandate:KeyEncryption:Key"] = key }, file);

        var other = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var refused = await Assert.ThrowsAsync<StartupException>(() => StartAsync(connection, Path.Combine(directory, "c"), clock, new Dictionary<string, string> { ["Mandate:KeyEncryption:Key"] = other }, file));
        Assert.Contains("cannot be decrypted with this node's key-encryption key (from Mandate:KeyEncryption:Key)", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(other, refused.Message, StringComparison.Ordinal);

        var generated = await Assert.ThrowsAsync<StartupException>(() => StartAsync(connection, Path.Combine(directory, "d"), clock, file: file));
        Assert.Contains("(generated in the state directory)", generated.Message, StringComparison.Ordinal);
    }

    private static async Task<ConfigurationFile> WriteConfigurationAsync(string directory)
    {
        var path = Path.Combine(directory, "mandate.json");
        await File.WriteAllTextAsync(
            path,
            JsonSerializer.Serialize(new { Mandate = new { Cluster = new { FreshnessBound = "00:00:03" }, Identity = new { ClockSkew = "00:00:30" } } }),
            TestContext.Current.CancellationToken);
        return ConfigurationFile.Read(path);
    }
}
