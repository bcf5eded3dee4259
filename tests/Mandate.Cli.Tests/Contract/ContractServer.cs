using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Mandate.Cli.Tests.Contract;

/// <summary>
/// A demo server on a loopback port with what the contract's sample command lines refer to: identities to change,
/// tasks opened by a workload over the real join-token flow, three policy versions, a signed checkpoint, and (with
/// MANDATE_TEST_PG) a PostgreSQL dynamic credential engine <c>contract-db</c> that a policy lets reading tasks use.
/// </summary>
public sealed class ContractServer : IAsyncLifetime
{
    /// <summary>The dynamic credential engine the contract configures when MANDATE_TEST_PG is set.</summary>
    public const string Engine = "contract-db";

    /// <summary>An engine pointed at a closed port (configured with <see cref="Engine"/>).</summary>
    public const string BrokenEngine = "contract-unreachable-db";

    private readonly Operators.LocalOidcProvider oidc = new();
    private readonly ConcurrentQueue<string> logLines = new();
    private WebApplication app = null!;

    /// <summary>The PostgreSQL connection the engine manages roles with; null without MANDATE_TEST_PG.</summary>
    public string? Postgres { get; private set; }

    /// <summary>Why the samples that need PostgreSQL cannot run (no MANDATE_TEST_PG); null when they can.</summary>
    public string? PostgresUnavailable { get; private set; }

    /// <summary>The start of every role the engine creates (unique per fixture, so its roles can be dropped at the end).</summary>
    public string RolePrefix { get; } = "ct" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + "_";

    /// <summary>Every line the server logged.</summary>
    public IReadOnlyCollection<string> LogLines => logLines;

    public string Url { get; private set; } = null!;

    public string Directory { get; private set; } = null!;

    public string TokenFile { get; private set; } = null!;

    public string WrongTokenFile { get; private set; } = null!;

    public string SvidFile { get; private set; } = null!;

    public string WrongSvidFile { get; private set; } = null!;

    public string Store { get; private set; } = null!;

    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        Directory = Path.Combine(Path.GetTempPath(), "mandate-tests", "contract-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = Path.Combine(Directory, "state"), Demo = true };
        if (Environment.GetEnvironmentVariable("MANDATE_TEST_PG") is { Length: > 0 } pg)
        {
            Postgres = new NpgsqlConnectionStringBuilder(pg) { Pooling = false }.ToString();
        }
        else if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("MANDATE_TEST_PG is not set under CI: run the tests through ./test.sh, which starts PostgreSQL.");
        }
        else
        {
            PostgresUnavailable = "MANDATE_TEST_PG is not set, so the contract server has no PostgreSQL dynamic credential engine; run ./test.sh to run this sample.";
        }

        app = await MandateServer.CreateAsync(
            options,
            builder =>
            {
                foreach (var (key, value) in oidc.Settings)
                {
                    builder.Configuration[key] = value;
                }

                if (Postgres is not null)
                {
                    builder.Configuration[$"Mandate:DynamicCredentials:Engines:{Engine}:Kind"] = "postgresql";
                    builder.Configuration[$"Mandate:DynamicCredentials:Engines:{Engine}:ConnectionString"] = Postgres;
                    builder.Configuration[$"Mandate:DynamicCredentials:Engines:{Engine}:RoleNamePrefix"] = RolePrefix;

                    // An engine whose database cannot be reached, for the CLI's answer to a 502.
                    builder.Configuration[$"Mandate:DynamicCredentials:Engines:{BrokenEngine}:Kind"] = "postgresql";
                    builder.Configuration[$"Mandate:DynamicCredentials:Engines:{BrokenEngine}:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=unused;Timeout=2";
                }

                builder.Logging.AddProvider(new LineLogger(logLines));
            },
            ct);
        await app.StartAsync(ct);
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        TokenFile = options.AdminTokenPath;
        Store = "sqlite:" + options.EffectiveStore.Target;
        WrongTokenFile = Write("wrong.token", "mdt_not-the-admin-token");
        WrongSvidFile = Write("wrong.svid", "eyJhbGciOiJFUzI1NiJ9.e30.bm90LWEtc2lnbmF0dXJl");

        using var admin = new HttpClient { BaseAddress = new Uri(Url) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(TokenFile, ct)).Trim());
        foreach (var name in new[] { "suspend", "reactivate", "revoke", "offboard", "revocations" })
        {
            var id = $"spiffe://demo.mandate.local/contract/{name}";
            Values["id:" + name] = id;
            (await admin.PostAsJsonAsync("/v1/identities", new { spiffe_id = id, kind = "workload", owner = "team:contract", purpose = "CLI contract test", ttl_seconds = 86400 }, ct)).EnsureSuccessStatusCode();
        }

        (await admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = Values["id:reactivate"] }, ct)).EnsureSuccessStatusCode();

        // A workload credential the way a host gets one: a join token, redeemed.
        var join = await Json(await admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = "spiffe://demo.mandate.local/agent/support-assistant", ttl_seconds = 300 }, ct));
        var svid = await Json(await admin.PostAsJsonAsync("/v1/attest/join", new { token = join.GetProperty("token").GetString() }, ct));
        SvidFile = Write("agent.svid", svid.GetProperty("token").GetString()!);
        using var workload = new HttpClient { BaseAddress = new Uri(Url) };
        workload.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", svid.GetProperty("token").GetString());
        foreach (var name in new[] { "show", "renew", "complete", "revoke", "credential" })
        {
            var opened = await Json(await workload.PostAsJsonAsync(
                "/v1/tasks",
                new { intent = new { description = "contract " + name, actions = new[] { "read" }, resources = new[] { "Ticket" }, sensitivity_ceiling = "low" }, ttl_seconds = 120 },
                ct));
            Values["task:" + name] = opened.GetProperty("task").GetProperty("id").GetString()!;
            Values["jti:" + name] = opened.GetProperty("credential").GetProperty("jti").GetString()!;
            Values["credential:" + name] = Write($"task-{name}.credential", opened.GetProperty("credential").GetProperty("access_token").GetString()!);
        }

        // Two more policy versions, so that diff and rollback have something to work with. Both let reading tasks have
        // a dynamic credential (the demo's policies let no task have one), so that 'policy rollback' (from the
        // third to the second) leaves 'task credential' permitted whichever sample runs first.
        var active = await Json(await admin.GetAsync("/v1/policies", ct));
        Values["version:demo"] = active.GetProperty("version").GetString()!;
        var bundle = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(active.GetProperty("bundle").GetRawText())!;
        var policies = JsonSerializer.Deserialize<Dictionary<string, string>>(bundle["policies"].GetRawText())!;
        policies["contract-db.cedar"] = $"@id(\"contract-db-for-reading-tasks\")\npermit (principal, action == Action::\"IssueDynamicCredential\", resource)\nwhen {{ context.task.actions.contains(\"read\") }};\n";
        (await admin.PutAsJsonAsync("/v1/policies", new { policies, entities = bundle["entities"], schema = bundle["schema"] }, ct)).EnsureSuccessStatusCode();
        policies["contract.cedar"] = "@id(\"contract-extra\")\nforbid (principal == Workload::\"spiffe://demo.mandate.local/contract/none\", action, resource);\n";
        var pushed = await Json(await admin.PutAsJsonAsync("/v1/policies", new { policies, entities = bundle["entities"], schema = bundle["schema"] }, ct));
        Values["version"] = pushed.GetProperty("version").GetString()!;

        // Operators, their tokens and an issued PEP credential for the operator and pep-credential verbs.
        Values["op"] = "contract-op";
        foreach (var name in new[] { "contract-op", "contract-disable", "contract-enable" })
        {
            (await admin.PostAsJsonAsync("/v1/operators", new { name, roles = new[] { "security" } }, ct)).EnsureSuccessStatusCode();
        }

        // An operator who signs in with an ID token from the (local) OIDC provider.
        (await admin.PostAsJsonAsync("/v1/operators", new { name = "contract-oidc", roles = new[] { "auditor" }, oidc_subject = "oidc@contract.example" }, ct)).EnsureSuccessStatusCode();
        Values["idtoken"] = Write("contract.idtoken", oidc.IdToken("oidc@contract.example"));

        Values["op:disable"] = "contract-disable";
        Values["op:enable"] = "contract-enable";
        (await admin.PostAsJsonAsync("/v1/operators/contract-enable/disable", new { reason = "contract" }, ct)).EnsureSuccessStatusCode();
        foreach (var name in new[] { "revoke", "rotate" })
        {
            var token = await Json(await admin.PostAsJsonAsync("/v1/operators/contract-op/tokens", new { label = name }, ct));
            Values["otk:" + name] = token.GetProperty("token_id").GetString()!;
        }

        var pep = await Json(await admin.PostAsJsonAsync("/v1/pep-credentials", new { name = "contract-revoke" }, ct));
        Values["pcr:revoke"] = pep.GetProperty("id").GetString()!;
        foreach (var name in new[] { "remove", "redeliver" })
        {
            var webhook = await Json(await admin.PostAsJsonAsync("/v1/webhooks", new { url = "http://127.0.0.1:9/contract-" + name }, ct));
            Values["wh:" + name] = webhook.GetProperty("id").GetString()!;
        }

        // Reviews and offboarding: a reviewer to name, an owner to offboard, and a transfer by a security operator whose
        // review (no reviewer named) the admin token may decide, with its evidence pack and the keys to check it.
        (await admin.PostAsJsonAsync("/v1/operators", new { name = "contract-reviewer", roles = new[] { "reviewer" } }, ct)).EnsureSuccessStatusCode();
        Values["op:reviewer"] = "contract-reviewer";
        foreach (var (name, owner) in new[] { ("leaving", "team:contract-leaving"), ("moving", "team:contract-moving") })
        {
            (await admin.PostAsJsonAsync("/v1/identities", new { spiffe_id = "spiffe://demo.mandate.local/contract/owner-" + name, kind = "workload", owner, purpose = "CLI contract test", ttl_seconds = 86400 }, ct)).EnsureSuccessStatusCode();
        }

        var securityToken = (await Json(await admin.PostAsJsonAsync("/v1/operators/contract-op/tokens", new { label = "offboarding" }, ct))).GetProperty("token").GetString()!;
        using (var security = new HttpClient { BaseAddress = new Uri(Url) })
        {
            security.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", securityToken);
            using var moved = await security.PostAsJsonAsync("/v1/offboardings", new { owner = "team:contract-moving", reason = "contract", transfer_to = "team:contract-new" }, ct);
            var evidence = await moved.Content.ReadAsStringAsync(ct);
            Assert.True(moved.IsSuccessStatusCode, evidence);
            using var pack = JsonDocument.Parse(evidence);
            Values["offboarding"] = pack.RootElement.GetProperty("id").GetString()!;
            Values["review"] = pack.RootElement.GetProperty("review").GetString()!;
            Values["evidence"] = Write("evidence.json", evidence);

            // Exceptions the security operator asked for (so the admin token may approve or deny them), and a break-glass
            // grant to revoke.
            foreach (var name in new[] { "approve", "deny" })
            {
                var requested = await Json(await security.PostAsJsonAsync("/v1/exceptions", new { identity = "spiffe://demo.mandate.local/svc/billing", action = "read", resource = "Ticket::\"T-1001\"", ttl_seconds = 3600, reason = "contract" }, ct));
                Values["exc:" + name] = requested.GetProperty("id").GetString()!;
            }
        }

        var glass = await Json(await admin.PostAsJsonAsync("/v1/breakglass", new { identity = "spiffe://demo.mandate.local/svc/billing", action = "read", resource = "Ticket::\"T-1002\"", reason = "contract" }, ct));
        Values["exc:revoke"] = glass.GetProperty("id").GetString()!;

        // A revoked entitlement to lift: the reviewer takes away one of team:payments' entitlements in a review the
        // admin token starts.
        var reviewerToken = (await Json(await admin.PostAsJsonAsync("/v1/operators/contract-reviewer/tokens", new { label = "lift" }, ct))).GetProperty("token").GetString()!;
        var liftReview = await Json(await admin.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", reviewer = "contract-reviewer", due = DateTimeOffset.UtcNow.AddDays(14) }, ct));
        Values["review:lift"] = liftReview.GetProperty("id").GetString()!;
        var liftItems = await Json(await admin.GetAsync(new Uri("/v1/reviews/" + Values["review:lift"], UriKind.Relative), ct));
        var entitlement = liftItems.GetProperty("items").EnumerateArray().First(i => i.GetProperty("kind").GetString() == "entitlement");
        Values["item:lift"] = entitlement.GetProperty("item").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var reviewer = new HttpClient { BaseAddress = new Uri(Url) })
        {
            reviewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", reviewerToken);
            (await reviewer.PostAsJsonAsync($"/v1/reviews/{Values["review:lift"]}/items/{Values["item:lift"]}/decision", new { decision = "revoke", reason = "contract" }, ct)).EnsureSuccessStatusCode();
        }

        Values["keys"] = Write("keys.json", await (await admin.GetAsync(new Uri("/v1/audit/keys", UriKind.Relative), ct)).Content.ReadAsStringAsync(ct));
        (await admin.PostAsync("/v1/audit/checkpoints", null, ct)).EnsureSuccessStatusCode();
        var findings = await Json(await admin.GetAsync(new Uri("/v1/findings?kind=long_lived_secret", UriKind.Relative), ct));
        Values["finding"] = findings.GetProperty("findings")[0].GetProperty("id").GetString()!;
        Values["dir"] = Directory;
        Values["inventory"] = Write("service-accounts.json", """{"kind":"List","items":[{"kind":"ServiceAccount","metadata":{"name":"contract","namespace":"contract"}}]}""");
        Values["demo"] = RepositoryRoot.Combine("src", "Mandate.Server", "Demo");
        Values["corpus"] = RepositoryRoot.Combine("tests", "conformance", "cedar", "handwritten");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        oidc.Dispose();
        if (Postgres is not null)
        {
            // The roles the samples were given outlive this server (it stops before their tasks end): drop them here.
            await using var connection = new NpgsqlConnection(Postgres);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "DO $$ DECLARE r text; BEGIN FOR r IN SELECT rolname FROM pg_roles WHERE starts_with(rolname, '" + RolePrefix + "') LOOP EXECUTE format('DROP ROLE %I', r); END LOOP; END $$",
                connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Fails the calling test with a skip naming MANDATE_TEST_PG when the PostgreSQL engine is not configured.</summary>
    public void RequirePostgres()
    {
        if (PostgresUnavailable is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    /// <summary>Replaces <c>{name}</c> in a sample argument by the value the fixture prepared.</summary>
    public string Expand(string argument) =>
        Values.Aggregate(argument, (text, pair) => text.Replace("{" + pair.Key + "}", pair.Value, StringComparison.Ordinal));

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Keeps every formatted log line of the server (to check that no secret is in them).</summary>
    private sealed class LineLogger(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category} {logLevel} {formatter(state, exception)} {exception}");
        }
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
