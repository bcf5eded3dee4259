using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Credentials;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Policies;
using Mandate.Core.Storage;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Mandate.Benchmarks.Cluster;

/// <summary>
/// <c>fanout [REVOCATIONS] [ACTIVATIONS] [NODES]</c>: a bounded driver for multi-node fan-out. Starts NODES Mandate
/// nodes in this process on one fresh PostgreSQL schema (loopback HTTP; <see cref="ThrowawayPostgres"/>), opens
/// REVOCATIONS tasks on node A, then revokes their credentials one at a time through node A's API and times, from the
/// moment node A acknowledged each revocation (its 200), until every other node's revocation set holds it; then
/// activates ACTIVATIONS policy versions through node A's API (alternately permitting and forbidding a request) and
/// times from each acknowledgement until every other node's active policy set is that version, checking each round with
/// a real decision on node B. Prints p50/p99/max per node and whether p99 stays under 250 ms; stops by itself.
/// </summary>
internal static class FanOutCommand
{
    // The default trust domain of a node started without --demo.
    private const string Agent = "spiffe://mandate.local/agent/fanout";
    private const string AliceReadsRecord = """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""";
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var revocations = DocsSmoke.Cap(Argument(args, 0, 1000, 1, 100_000), 20, "revocations", Console.Error);
        var activations = DocsSmoke.Cap(Argument(args, 1, 20, 1, 1000), 3, "activations", Console.Error);
        var nodeCount = Argument(args, 2, 3, 2, 5);
        await using var postgres = await ThrowawayPostgres.StartAsync();
        var schema = "fanout_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(postgres.ConnectionString, $"CREATE SCHEMA {schema}");
        var connection = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { SearchPath = schema }.ToString();
        var root = Path.Combine(Path.GetTempPath(), "mandate-fanout-" + Guid.NewGuid().ToString("N"));
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "policies.cedar"), "permit (principal, action == Action::\"OpenTask\", resource is Task);");
        await File.WriteAllTextAsync(Path.Combine(data, "entities.json"), "[]");
        var nodes = new List<WebApplication>();
        try
        {
            for (var i = 0; i < nodeCount; i++)
            {
                nodes.Add(await StartNodeAsync(connection, Path.Combine(root, "state"), data));
            }

            var addresses = nodes.Select(n => new Uri(n.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First())).ToList();
            var first = nodes[0];
            var options = first.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MandateServerOptions>>().Value;
            using var admin = new HttpClient { BaseAddress = addresses[0] };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(options.AdminTokenPath)).Trim());
            await RegisterAsync(first);
            var svid = first.Services.GetRequiredService<JwtSvidIssuer>()
                .Issue(SpiffeId.Parse(Agent), [first.Services.GetRequiredService<IKeyRing>().Issuer], TimeSpan.FromHours(1)).Token;
            using var agent = new HttpClient { BaseAddress = addresses[0] };
            agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", svid);

            var jtis = new List<string>(revocations);
            for (var i = 0; i < revocations; i++)
            {
                jtis.Add(await OpenTaskAsync(agent));
            }

            var others = nodes.Skip(1).ToList();
            var revocationLatency = others.Select(_ => new List<double>(revocations)).ToList();
            foreach (var jti in jtis)
            {
                using var response = await admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "credential", target = jti, reason = "fan-out benchmark" });
                await EnsureAsync(response, "POST /v1/revocations");
                var acknowledged = Stopwatch.GetTimestamp();
                Await(others, node => node.Services.GetRequiredService<IRevocationSet>().IsRevoked(jti), acknowledged, revocationLatency, "revocation " + jti);
            }

            var activationLatency = others.Select(_ => new List<double>(activations)).ToList();
            using var pep = new HttpClient { BaseAddress = addresses[1] };
            for (var round = 1; round <= activations; round++)
            {
                var permit = round % 2 == 1;
                var policy = $"// fan-out round {round.ToString(CultureInfo.InvariantCulture)}\n{(permit ? "permit" : "forbid")} (principal, action, resource);";
                using var response = await admin.PutAsJsonAsync("/v1/policies", new { policies = new Dictionary<string, string> { ["p.cedar"] = policy } });
                await EnsureAsync(response, "PUT /v1/policies");
                var acknowledged = Stopwatch.GetTimestamp();
                var version = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetString()!;
                Await(others, node => node.Services.GetRequiredService<ActivePolicySet>().Current.Version == version, acknowledged, activationLatency, "activation " + version);
                if (await DecideAsync(pep) != permit)
                {
                    throw new InvalidOperationException($"node B's decision endpoint did not enforce policy version {version} (round {round}) although its active set is that version");
                }
            }

            output.WriteLine($"nodes: {nodeCount} in one process on {postgres.Describe}, loopback HTTP; node A acknowledges, the others enforce");
            output.WriteLine($"{"change",-12} {"node",4} {"count",6} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
            var met = true;
            for (var i = 0; i < others.Count; i++)
            {
                met &= Print(output, "revocation", (char)('B' + i), revocationLatency[i]);
            }

            for (var i = 0; i < others.Count; i++)
            {
                met &= Print(output, "activation", (char)('B' + i), activationLatency[i]);
            }

            output.WriteLine($"target p99 < {Target.TotalMilliseconds} ms: {(met ? "met" : "MISSED")}");
            return 0;
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.StopAsync();
                await node.DisposeAsync();
            }

            if (Environment.GetEnvironmentVariable("MANDATE_TEST_PG") is { Length: > 0 })
            {
                await ExecuteAsync(postgres.ConnectionString, $"DROP SCHEMA {schema} CASCADE");
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static int Argument(string[] args, int index, int fallback, int min, int max) =>
        args.Length > index + 1 && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, min, max) : fallback;

    private static async Task<WebApplication> StartNodeAsync(string connection, string state, string data)
    {
        var app = await MandateServer.CreateAsync(
            new MandateServerOptions
            {
                Urls = "http://127.0.0.1:0",
                StateDirectory = state,
                DataDirectory = data,
                Demo = false,
                Store = new StoreLocation(StoreKind.Postgres, connection),
            },
            builder =>
            {
                builder.Configuration["Mandate:Decisions:AllowAnonymousPeps"] = "Loopback";
                builder.Configuration["Mandate:RateLimits:Decisions:Enabled"] = "false";
                builder.Configuration["Mandate:RateLimits:AuthenticatedDecisions:Enabled"] = "false";
                builder.Configuration["Mandate:RateLimits:Credentials:Enabled"] = "false";

                // A thousand tasks opened by one agent in seconds is what detection is for; this driver measures fan-out.
                builder.Configuration["Mandate:Detection:Enabled"] = "false";
            });
        await app.StartAsync();
        await app.Services.GetRequiredService<RevocationSync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await app.Services.GetRequiredService<PolicySync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return app;
    }

    /// <summary>
    /// Polls every other node (a yield between rounds, never a timer: a timer's granularity would be measured) until
    /// each holds the change; records each node's delay from the acknowledgement.
    /// </summary>
    private static void Await(List<WebApplication> others, Func<WebApplication, bool> holds, long acknowledged, List<List<double>> latency, string what)
    {
        var pending = Enumerable.Range(0, others.Count).ToList();
        while (pending.Count > 0)
        {
            for (var i = pending.Count - 1; i >= 0; i--)
            {
                if (holds(others[pending[i]]))
                {
                    latency[pending[i]].Add(Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds);
                    pending.RemoveAt(i);
                }
            }

            if (Stopwatch.GetElapsedTime(acknowledged) > GiveUp)
            {
                throw new InvalidOperationException($"{what} did not reach node {(char)('B' + pending[0])} within {GiveUp.TotalSeconds} s");
            }

            Thread.Yield();
        }
    }

    private static async Task<string> OpenTaskAsync(HttpClient agent)
    {
        var body = new
        {
            intent = new { description = "fan-out", actions = new[] { "read" }, resources = new[] { "Ticket" }, sensitivity_ceiling = "low" },
            ttl_seconds = 3600,
        };
        using var response = await agent.PostAsJsonAsync("/v1/tasks", body);
        await EnsureAsync(response, "POST /v1/tasks");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("credential").GetProperty("jti").GetString()!;
    }

    private static async Task<bool> DecideAsync(HttpClient pep)
    {
        using var content = new StringContent(AliceReadsRecord, System.Text.Encoding.UTF8, "application/json");
        using var response = await pep.PostAsync("/access/v1/evaluation", content);
        await EnsureAsync(response, "POST /access/v1/evaluation on node B");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("decision").GetBoolean();
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static bool Print(TextWriter output, string change, char node, List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        var p99 = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.99) - 1)];
        output.WriteLine($"{change,-12} {node,4} {sorted.Length,6} {sorted[sorted.Length / 2],8:F2} {p99,8:F2} {sorted[^1],8:F2}");
        return p99 < Target.TotalMilliseconds;
    }

    private static async Task RegisterAsync(WebApplication app)
    {
        var now = DateTimeOffset.UtcNow;
        var identity = new WorkloadIdentity
        {
            SpiffeId = Agent,
            Kind = NhiKind.Agent,
            Owner = "team:bench",
            Purpose = "fan-out driver",
            Environment = "bench",
            Status = IdentityStatus.Active,
            CreatedAt = now,
            ExpiresAt = now.AddDays(1),
            UpdatedAt = now,
        };
        var store = app.Services.GetRequiredService<IMandateStore>();
        await using (var session = await store.BeginAsync(StoreIntent.Write, CancellationToken.None))
        {
            var repository = session.Get<IIdentityRepository>();
            if (await repository.GetAsync(Agent, CancellationToken.None) is null)
            {
                await repository.InsertAsync(identity, CancellationToken.None);
                await repository.NotifyChangedAsync(Agent, CancellationToken.None);
            }

            await session.CommitAsync(CancellationToken.None);
        }

        app.Services.GetRequiredService<IdentityDirectory>().Apply(identity);
    }

    private static async Task ExecuteAsync(string connection, string sql)
    {
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync();
        await using var command = new NpgsqlCommand(sql, database);
        await command.ExecuteNonQueryAsync();
    }
}
