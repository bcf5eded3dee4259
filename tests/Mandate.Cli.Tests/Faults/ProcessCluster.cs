using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Cli.Tests.Audit;
using Npgsql;

namespace Mandate.Cli.Tests.Faults;

/// <summary>
/// Real <c>mandate serve</c> processes (the built CLI) on one private PostgreSQL cluster the test owns, all started
/// from one configuration file with the same key-encryption keys, as docs/deployment.md tells an operator to run them:
/// a test can SIGKILL a node or stop PostgreSQL under them. Decisions are asked anonymously from loopback (the
/// enforcement points' credentials are not what these tests are about), and the per-client rate limits are off, since
/// every client here shares one loopback address.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    public const string TrustDomain = "cluster.test";

    private readonly ServerProcess?[] nodes;
    private readonly Uri[] addresses;
    private readonly string directory;

    private ProcessCluster(PrivatePostgresCluster postgres, ServerProcess?[] nodes, string directory, string token, TimeSpan freshnessBound)
    {
        Postgres = postgres;
        this.nodes = nodes;
        addresses = [.. nodes.Select(n => n!.Address)];
        this.directory = directory;
        Token = token;
        FreshnessBound = freshnessBound;
    }

    public PrivatePostgresCluster Postgres { get; }

    /// <summary>The store as <c>mandate --store</c> takes it.</summary>
    public string Store => "postgres:" + Postgres.ConnectionString;

    public string Token { get; }

    public TimeSpan FreshnessBound { get; }

    public int Count => nodes.Length;

    /// <summary>The nodes still running (not killed by the test).</summary>
    public IEnumerable<int> Alive => Enumerable.Range(0, nodes.Length).Where(i => nodes[i] is not null);

    public static async Task<ProcessCluster> StartAsync(int count, TimeSpan freshnessBound, CancellationToken cancellationToken)
    {
        var postgres = await PrivatePostgresCluster.StartAsync();
        try
        {
            var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", "process-cluster-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, "mandate.json");
            await File.WriteAllTextAsync(
                file,
                JsonSerializer.Serialize(new
                {
                    Mandate = new
                    {
                        Store = new { Location = "postgres:" + postgres.ConnectionString },
                        Identity = new { TrustDomain, AttestationRateLimit = new { Enabled = false } },
                        Cluster = new { FreshnessBound = freshnessBound.ToString("c", System.Globalization.CultureInfo.InvariantCulture) },
                        Decisions = new { AllowAnonymousPeps = "Loopback", AuditRepeatWindow = "00:00:00", AuditQueueWaitTimeout = "00:00:02" },
                        RateLimits = new { Decisions = new { Enabled = false }, Credentials = new { Enabled = false } },
                    },
                }),
                cancellationToken);
            var environment = new Dictionary<string, string>
            {
                ["Mandate__KeyEncryption__Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Mandate__Audit__KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            };

            // The nodes start together, as a Deployment's pods do: one of them migrates the store (the others wait for
            // its lock) and one mints the bootstrap admin token into its state directory (the store keeps its hash,
            // so every node accepts it).
            var starts = Enumerable.Range(0, count)
                .Select(i => StartNodeAsync(Path.Combine(directory, "node" + i), file, environment, cancellationToken))
                .ToList();
            try
            {
                await Task.WhenAll(starts);
            }
            catch
            {
                foreach (var started in starts.Where(s => s.IsCompletedSuccessfully))
                {
                    await started.Result.DisposeAsync();
                }

                throw;
            }

            var nodes = starts.Select(s => (ServerProcess?)s.Result).ToArray();
            try
            {
                var tokens = nodes.Select(n => Path.Combine(n!.StateDirectory, "admin.token")).Where(File.Exists).ToList();
                Assert.True(tokens.Count == 1, $"{tokens.Count} nodes minted a bootstrap admin token for one store");
                var token = (await File.ReadAllTextAsync(tokens[0], cancellationToken)).Trim();
                return new ProcessCluster(postgres, nodes, directory, token, freshnessBound);
            }
            catch
            {
                foreach (var node in nodes)
                {
                    await node!.DisposeAsync();
                }

                throw;
            }
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts one node; one that exits at start because the store did not answer within the connection timeout (three
    /// nodes and their migrations connecting at once, on a machine the other test assemblies keep busy) is started once
    /// more, as a Deployment restarts its pod. Any other exit fails the test.
    /// </summary>
    private static async Task<ServerProcess> StartNodeAsync(string stateDirectory, string configuration, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        try
        {
            return await ServerProcess.StartAsync(stateDirectory, ["--config", configuration], environment, cancellationToken);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("PostgreSQL is unreachable: The operation has timed out", StringComparison.Ordinal))
        {
            return await ServerProcess.StartAsync(stateDirectory, ["--config", configuration], environment, cancellationToken);
        }
    }

    /// <summary>Where <paramref name="node"/> listens (listened, once killed: a client that does not know yet is refused).</summary>
    public Uri Address(int node) => addresses[node];

    /// <summary>A client of <paramref name="node"/> with the admin token, or anonymous.</summary>
    public HttpClient Client(int node, bool admin = true)
    {
        var client = new HttpClient { BaseAddress = Address(node), Timeout = TimeSpan.FromSeconds(20) };
        if (admin)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        return client;
    }

    /// <summary>SIGKILL: no shutdown, no flush of anything queued.</summary>
    public void Kill(int node)
    {
        var process = nodes[node] ?? throw new InvalidOperationException($"node {node} was already killed");
        nodes[node] = null;
        process.Kill();
    }

    public string Log(int node) => nodes[node]?.Log ?? string.Empty;

    /// <summary>The admin's <c>/readyz</c> answer of <paramref name="node"/>: its status code and body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> ReadinessAsync(int node, CancellationToken cancellationToken)
    {
        using var client = Client(node);
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Registers identities and attests each with a join token: their JWT-SVIDs, in order.</summary>
    public async Task<IReadOnlyList<(string SpiffeId, string Svid)>> AttestAsync(string prefix, int count, CancellationToken cancellationToken)
    {
        var result = new (string, string)[count];
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                using var admin = Client(i % nodes.Length);
                using var anonymous = Client(i % nodes.Length, admin: false);
                var id = $"spiffe://{TrustDomain}/agent/{prefix}{i}";
                await PostOkAsync(admin, "/v1/identities", new { spiffe_id = id, kind = "agent", owner = "team:faults", purpose = "fault test", environment = "test", ttl_seconds = 86400 }, cancellationToken);
                var join = await PostOkAsync(admin, "/v1/attest/join-tokens", new { spiffe_id = id, ttl_seconds = 300 }, cancellationToken);
                var svid = await PostOkAsync(anonymous, "/v1/attest/join", new { token = join.GetProperty("token").GetString() }, cancellationToken);
                result[i] = (id, svid.GetProperty("token").GetString()!);
            }
            finally
            {
                gate.Release();
            }
        }));
        return result;
    }

    /// <summary>Whether <paramref name="node"/> holds <paramref name="svid"/> valid (RFC 7662 introspection, which consults the node's views).</summary>
    public async Task<bool> ActiveAtAsync(HttpClient admin, string svid, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent([new("token", svid)]);
        using var response = await admin.PostAsync(new Uri("/oauth2/introspect", UriKind.Relative), content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"introspection at {admin.BaseAddress}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("active").GetBoolean();
    }

    /// <summary>The policy text every node activates: reading invoices is allowed, whatever the generation.</summary>
    public static object PolicyBundle(int generation) => new
    {
        policies = new Dictionary<string, string>
        {
            ["main.cedar"] = $"@id(\"allow-invoices-{generation}\")\npermit (principal, action == Action::\"read\", resource is Invoice);\n",
        },
    };

    /// <summary>
    /// The generation of the policy set active at <paramref name="node"/>, from its <c>GET /v1/policies</c>; -1 while it
    /// still enforces a set that is none of this test's (the empty set it started with, before the first activation
    /// reaches it): callers wait for a generation, so that is "not yet", not a failure.
    /// </summary>
    public async Task<(int Generation, string Version)> ActivePolicyAsync(int node, CancellationToken cancellationToken)
    {
        using var client = Client(node);
        var body = await client.GetFromJsonAsync<JsonElement>(new Uri("/v1/policies", UriKind.Relative), cancellationToken);
        var text = string.Concat(body.GetProperty("bundle").GetProperty("policies").EnumerateObject().Select(p => p.Value.GetString()));
        if (!text.Contains("allow-invoices-", StringComparison.Ordinal))
        {
            return (-1, body.GetProperty("version").GetString()!);
        }

        var start = text.IndexOf("allow-invoices-", StringComparison.Ordinal) + "allow-invoices-".Length;
        return (int.Parse(text[start..text.IndexOf('"', start)], System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("version").GetString()!);
    }

    /// <summary>The resource ids of every <c>decision</c> event in the store's ledger.</summary>
    public async Task<HashSet<string>> AuditedDecisionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Postgres.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT resource FROM audit_events WHERE type = 'decision'", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Invoice::"id"
            var resource = reader.IsDBNull(0) ? string.Empty : reader.GetString(0);
            var quote = resource.IndexOf('"', StringComparison.Ordinal);
            ids.Add(quote < 0 ? resource : resource[(quote + 1)..].TrimEnd('"'));
        }

        return ids;
    }

    /// <summary>The activations the store holds (their versions), newest first.</summary>
    public async Task<List<string>> ActivationsAsync(int node, CancellationToken cancellationToken)
    {
        using var client = Client(node);
        var body = await client.GetFromJsonAsync<JsonElement>(new Uri("/v1/policies/activations?limit=1000", UriKind.Relative), cancellationToken);
        return [.. body.GetProperty("activations").EnumerateArray().Select(a => a.GetProperty("version").GetString()!)];
    }

    public static async Task<JsonElement> PostOkAsync(HttpClient client, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(path, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path} at {client.BaseAddress}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<string?> ProblemCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("code", out var code) ? code.GetString() : text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        await Postgres.DisposeAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary directory.
        }
    }
}
