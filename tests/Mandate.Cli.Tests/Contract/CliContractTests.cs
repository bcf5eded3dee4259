using System.CommandLine;
using System.Text.Json;

namespace Mandate.Cli.Tests.Contract;

/// <summary>
/// The grammar every command keeps, checked for every command of the System.CommandLine tree: the global options, help
/// (exit 0), an unknown subcommand (exit 2, with or without --help), a usage error (exit 2), an unreachable server and
/// a refused credential (exit 3), and --json printing one JSON document. A new command fails
/// <see cref="EveryCommand_ShouldHaveASample"/> until it is given a sample command line here.
/// </summary>
public sealed class CliContractTests(ContractServer server) : IClassFixture<ContractServer>
{
    private const string Unreachable = "http://127.0.0.1:1";

    /// <summary>What a command talks to, which decides which exit codes apply.</summary>
    public enum Reach
    {
        /// <summary>The admin API with the admin token (or a workload SVID).</summary>
        Server,

        /// <summary>A public endpoint of the server: no credential is sent, so none can be refused.</summary>
        Public,

        /// <summary>Files named on the command line only; the server options do not matter.</summary>
        Local,

        /// <summary>
        /// <c>mandate health</c>: a probe for health checks, which read every exit but 0 as unhealthy and reserve 2, so
        /// an unreachable server exits 1 there, not 3 (HealthCommandTests).
        /// </summary>
        Probe,

        /// <summary><c>mandate serve</c>: it is the server.</summary>
        Serve,

        /// <summary>
        /// <c>mandate gateway mcp</c>: a long-running enforcement point; it reads its token when it starts and asks the
        /// server only when agents call (its runs are in Mandate.Gateway.Mcp.Tests).
        /// </summary>
        Gateway,
    }

    /// <summary>Every leaf command with a command line that succeeds against <see cref="ContractServer"/>.</summary>
    private static readonly Dictionary<string, (Reach Reach, string[] Args)> Samples = new(StringComparer.Ordinal)
    {
        ["mandate serve"] = (Reach.Serve, []),
        ["mandate status"] = (Reach.Server, []),
        ["mandate health"] = (Reach.Probe, []),
        ["mandate findings accept"] = (Reach.Server, ["{finding}", "--reason", "contract", "--until", "1d"]),
        ["mandate compliance report"] = (Reach.Server, []),
        ["mandate identity register"] = (Reach.Server, ["spiffe://demo.mandate.local/contract/registered", "--kind", "agent", "--owner", "team:contract", "--purpose", "contract", "--expires", "1d"]),
        ["mandate identity list"] = (Reach.Server, ["--owner", "team:contract"]),
        ["mandate identity import"] = (Reach.Server, ["{inventory}", "--format", "k8s-serviceaccounts", "--dry-run"]),
        ["mandate identity show"] = (Reach.Server, ["spiffe://demo.mandate.local/svc/billing"]),
        ["mandate identity suspend"] = (Reach.Server, ["{id:suspend}", "--reason", "contract"]),
        ["mandate identity reactivate"] = (Reach.Server, ["{id:reactivate}"]),
        ["mandate identity revoke"] = (Reach.Server, ["{id:revoke}"]),
        ["mandate identity offboard"] = (Reach.Server, ["{id:offboard}"]),
        ["mandate identity join-token"] = (Reach.Server, ["spiffe://demo.mandate.local/svc/billing", "--ttl", "60"]),
        ["mandate identity timeline"] = (Reach.Server, ["spiffe://demo.mandate.local/agent/support-assistant"]),
        ["mandate task open"] = (Reach.Server, ["--svid-file", "{svid}", "--description", "contract", "--action", "read", "--resource", "Ticket"]),
        ["mandate task list"] = (Reach.Server, []),
        ["mandate task show"] = (Reach.Server, ["{task:show}"]),
        ["mandate task renew"] = (Reach.Server, ["{task:renew}", "--ttl", "900"]),
        ["mandate task complete"] = (Reach.Server, ["{task:complete}"]),
        ["mandate task revoke"] = (Reach.Server, ["{task:revoke}", "--reason", "contract"]),
        ["mandate task credential"] = (Reach.Server, ["{task:credential}", "--engine", ContractServer.Engine, "--credential-file", "{credential:credential}"]),
        ["mandate task dynamic-credentials"] = (Reach.Server, ["--status", "active"]),
        ["mandate revocations list"] = (Reach.Server, []),
        ["mandate revocations add"] = (Reach.Server, ["{id:revocations}", "--kind", "identity", "--reason", "contract"]),
        ["mandate credential show"] = (Reach.Server, ["{jti:show}"]),
        ["mandate policy show"] = (Reach.Server, ["{version}"]),
        ["mandate policy versions"] = (Reach.Server, []),
        ["mandate policy diff"] = (Reach.Server, ["{version:demo}", "{version}"]),
        ["mandate policy activate"] = (Reach.Server, ["{version}"]),
        ["mandate policy rollback"] = (Reach.Server, []),
        ["mandate policy push"] = (Reach.Server, ["--data", "{demo}", "--dry-run"]),
        ["mandate policy validate"] = (Reach.Local, ["{demo}/policies.cedar", "--schema", "{demo}/schema.cedarschema"]),
        ["mandate policy format"] = (Reach.Local, ["{demo}/policies.cedar", "--check"]),
        ["mandate policy eval"] = (Reach.Local, ["{demo}/policies.cedar", "--entities", "{demo}/entities.json", "--schema", "{demo}/schema.cedarschema",
            "--principal", "Workload::\"spiffe://demo.mandate.local/svc/billing\"", "--action", "Action::\"read\"", "--resource", "Invoice::\"INV-2026-001\""]),
        ["mandate policy test"] = (Reach.Local, ["--corpus", "{corpus}"]),
        ["mandate policy bench"] = (Reach.Local, ["--corpus", "{corpus}", "--iterations", "1"]),
        ["mandate audit verify"] = (Reach.Server, []),
        ["mandate audit export"] = (Reach.Server, ["--output", "{dir}/export.jsonl"]),
        ["mandate audit query"] = (Reach.Server, ["--limit", "5"]),
        ["mandate audit timeline"] = (Reach.Server, ["spiffe://demo.mandate.local/agent/support-assistant"]),
        ["mandate audit prove"] = (Reach.Server, ["1"]),
        ["mandate audit keys"] = (Reach.Public, []),
        ["mandate audit checkpoints"] = (Reach.Server, []),
        ["mandate audit checkpoint"] = (Reach.Server, []),
        ["mandate audit annotate"] = (Reach.Server, ["--reason", "contract"]),
        ["mandate operator add"] = (Reach.Server, ["contract-added", "--role", "auditor", "--role", "reviewer", "--display-name", "Contract"]),
        ["mandate operator list"] = (Reach.Server, []),
        ["mandate operator show"] = (Reach.Server, ["{op}"]),
        ["mandate operator disable"] = (Reach.Server, ["{op:disable}", "--reason", "contract"]),
        ["mandate operator enable"] = (Reach.Server, ["{op:enable}"]),
        ["mandate operator sign-in"] = (Reach.Public, ["--id-token-file", "{idtoken}"]),
        ["mandate operator roles"] = (Reach.Server, ["{op}", "--role", "security", "--role", "reviewer", "--reason", "contract"]),
        ["mandate operator token create"] = (Reach.Server, ["{op}", "--label", "contract", "--ttl", "1d"]),
        ["mandate operator token list"] = (Reach.Server, ["{op}"]),
        ["mandate operator token revoke"] = (Reach.Server, ["{op}", "{otk:revoke}", "--reason", "contract"]),
        ["mandate operator token rotate"] = (Reach.Server, ["{op}", "{otk:rotate}", "--ttl", "1d"]),
        ["mandate pep-credential create"] = (Reach.Server, ["contract-pep", "--ttl", "1d"]),
        ["mandate pep-credential list"] = (Reach.Server, []),
        ["mandate pep-credential revoke"] = (Reach.Server, ["{pcr:revoke}", "--reason", "contract"]),
        ["mandate alerts"] = (Reach.Server, ["--rule", "beyond_task_scope", "--since", "2026-01-01T00:00:00Z"]),
        ["mandate risk show"] = (Reach.Server, ["spiffe://demo.mandate.local/svc/billing"]),
        ["mandate review start"] = (Reach.Server, ["--owner", "team:payments", "--reviewer", "{op:reviewer}", "--due", "14d"]),
        ["mandate review list"] = (Reach.Server, ["--status", "open"]),
        ["mandate review show"] = (Reach.Server, ["{review}"]),
        ["mandate review decide"] = (Reach.Server, ["{review}", "1", "--certify", "--reason", "contract"]),
        ["mandate review lift"] = (Reach.Server, ["{review:lift}", "{item:lift}", "--reason", "contract"]),
        ["mandate review report"] = (Reach.Server, ["{review}"]),
        ["mandate offboard"] = (Reach.Server, ["team:contract-leaving", "--reason", "contract", "--evidence", "{dir}/offboard-evidence.json"]),
        ["mandate evidence verify"] = (Reach.Local, ["{evidence}", "--key", "{keys}"]),
        ["mandate evidence show"] = (Reach.Server, ["{offboarding}"]),
        ["mandate evidence list"] = (Reach.Server, []),
        ["mandate exception request"] = (Reach.Server, ["--identity", "spiffe://demo.mandate.local/svc/billing", "--action", "read", "--resource", "Ticket::\"T-1001\"", "--ttl", "1h", "--reason", "contract"]),
        ["mandate exception approve"] = (Reach.Server, ["{exc:approve}"]),
        ["mandate exception deny"] = (Reach.Server, ["{exc:deny}", "--reason", "contract"]),
        ["mandate exception revoke"] = (Reach.Server, ["{exc:revoke}", "--reason", "contract"]),
        ["mandate exception list"] = (Reach.Server, ["--status", "pending"]),
        ["mandate exception show"] = (Reach.Server, ["{exc:approve}"]),
        ["mandate breakglass"] = (Reach.Server, ["--identity", "spiffe://demo.mandate.local/svc/billing", "--action", "read", "--resource", "Ticket::\"T-1002\"", "--ttl", "30m", "--reason", "contract"]),
        ["mandate risk clear"] = (Reach.Server, ["spiffe://demo.mandate.local/svc/billing", "--reason", "contract"]),
        ["mandate gateway mcp"] = (Reach.Gateway, ["--name", "contract", "--upstream", "stdio:true", "--listen", "http://127.0.0.1:0"]),
        ["mandate webhook add"] = (Reach.Server, ["http://127.0.0.1:9/contract", "--event", "alert.raised", "--event", "credential.revoked", "--description", "contract"]),
        ["mandate webhook list"] = (Reach.Server, []),
        ["mandate webhook remove"] = (Reach.Server, ["{wh:remove}"]),
        ["mandate webhook dead-letters"] = (Reach.Server, ["--webhook", "{wh:redeliver}", "--limit", "10"]),
        ["mandate webhook redeliver"] = (Reach.Server, ["{wh:redeliver}"]),
        ["mandate secrets scan"] = (Reach.Local, ["{demo}"]),
    };

    /// <summary>
    /// Samples that succeed only against a real downstream system: the contract server configures its PostgreSQL
    /// engine from MANDATE_TEST_PG, and without it these samples are skipped, saying so (never passed silently).
    /// </summary>
    private static readonly HashSet<string> NeedPostgres = new(StringComparer.Ordinal) { "mandate task credential" };

    public static TheoryData<string> Commands() => [.. CliApplication.Walk(CliApplication.BuildRoot()).Select(c => c.Path)];

    public static TheoryData<string> Leaves() => [.. Samples.Keys];

    public static TheoryData<string> ServerLeaves() => [.. Samples.Where(s => s.Value.Reach is Reach.Server or Reach.Public).Select(s => s.Key)];

    public static TheoryData<string> CredentialLeaves() => [.. Samples.Where(s => s.Value.Reach == Reach.Server).Select(s => s.Key)];

    [Fact]
    public void EveryCommand_ShouldHaveASample()
    {
        var leaves = CliApplication.Walk(CliApplication.BuildRoot()).Where(c => c.Command.Subcommands.Count == 0).Select(c => c.Path).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(leaves, Samples.Keys.Order(StringComparer.Ordinal).ToList());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_ShouldExit0_AndListTheGlobalOptions(string path)
    {
        var (code, output, error) = await Cli.RunAsync([.. Words(path), "--help"]);
        Assert.True(code == 0, error);
        // serve is the server: it takes --json only (Serve_ShouldNeitherOfferNorTakeTheClientOptions).
        string[] globals = path == "mandate serve" ? ["--json"] : ["--server", "--token-file", "--json"];
        foreach (var option in globals)
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task UnknownSubcommand_ShouldExit2_WithAndWithoutHelp(string path)
    {
        // After a complete command line (a leaf's arguments are filled in first), a word more is not a command.
        var complete = Complete(path);

        // A command whose last argument takes any number of files reads a word more as a file (a usage error when
        // it does not exist, checked without --help); with --help that word is an argument and help is shown.
        var variadic = Samples.ContainsKey(path) && CliApplication.Walk(CliApplication.BuildRoot()).Single(c => c.Path == path).Command.Arguments
            .Any(a => a.Arity.MaximumNumberOfValues > 1);
        var lines = variadic
            ? new[] { [.. complete, "no-such-verb"], new[] { "no-such-noun", "--help" } }
            : [[.. complete, "no-such-verb"], [.. complete, "no-such-verb", "--help"], ["no-such-noun", "--help"]];
        foreach (var args in lines)
        {
            var (code, output, error) = await Cli.RunAsync(args);
            Assert.True(code == 2, $"{string.Join(' ', args)} exited {code}: {output}{error}");
            Assert.StartsWith("mandate: error: ", error, StringComparison.Ordinal);
            Assert.Contains("no-such-", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task UnknownOption_ShouldBeAUsageError(string path)
    {
        var (code, _, error) = await Cli.RunAsync([.. Complete(path), "--no-such-option"]);
        Assert.Equal(2, code);
        Assert.StartsWith("mandate: error: ", error, StringComparison.Ordinal);
        Assert.Contains("usage: " + path, error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ServerLeaves))]
    public async Task UnreachableServer_ShouldExit3(string path)
    {
        var (code, output, error) = await Run(path, "--server", Unreachable, "--token-file", server.TokenFile);
        Assert.True(code == 3, $"exit {code}: {output}{error}");
        Assert.StartsWith("mandate: error: cannot reach http://127.0.0.1:1/", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Theory]
    [MemberData(nameof(CredentialLeaves))]
    public async Task RefusedCredential_ShouldExit3(string path)
    {
        var (code, output, error) = await Run(path, "--server", server.Url, "--token-file", server.WrongTokenFile, "--svid-file=" + server.WrongSvidFile);
        Assert.True(code == 3, $"exit {code}: {output}{error}");
        Assert.StartsWith("mandate: error: ", error, StringComparison.Ordinal);
        Assert.Contains("refused the credential (401)", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Leaves))]
    public async Task Json_ShouldPrintOneJsonDocument(string path)
    {
        if (Samples[path].Reach == Reach.Serve)
        {
            // The server prints one document when it has started; a bad store stops it before that, cleanly.
            var (failed, output, error) = await Cli.RunAsync("serve", "--json", "--urls", "http://127.0.0.1:0", "--store", "mysql:nope");
            Assert.Equal(2, failed);
            Assert.Empty(output);
            Assert.StartsWith("mandate: error: --store:", error, StringComparison.Ordinal);
            return;
        }

        if (Samples[path].Reach == Reach.Gateway)
        {
            // The gateway prints one document when it listens; a bad upstream stops it before that, cleanly.
            var (failed, output, error) = await Cli.RunAsync("gateway", "mcp", "--json", "--name", "contract", "--upstream", "ftp://nope", "--token-file", server.TokenFile);
            Assert.Equal(2, failed);
            Assert.Empty(output);
            Assert.StartsWith("mandate: error: --upstream:", error, StringComparison.Ordinal);
            return;
        }

        if (NeedPostgres.Contains(path))
        {
            server.RequirePostgres();
        }

        var (code, json, problems) = await Run(path, "--server", server.Url, "--token-file", server.TokenFile, "--json");
        Assert.True(code == 0, $"exit {code}: {problems}");
        using var document = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Fact]
    public async Task Serve_ShouldNeitherOfferNorTakeTheClientOptions()
    {
        // serve is the server (its address is --urls): --server and --token-file are not in its help, and refused.
        var (helpCode, help, _) = await Cli.RunAsync("serve", "--help");
        Assert.Equal(0, helpCode);
        Assert.Contains("--urls", help, StringComparison.Ordinal);
        Assert.Contains("--json", help, StringComparison.Ordinal);
        Assert.DoesNotContain("--server", help, StringComparison.Ordinal);
        Assert.DoesNotContain("--token-file", help, StringComparison.Ordinal);

        foreach (var option in new[] { "--server", "--token-file" })
        {
            var (code, _, error) = await Cli.RunAsync("serve", option, server.Url);
            Assert.Equal(2, code);
            Assert.Contains($"'{option}'", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoCredentialAnywhere_ShouldExit3()
    {
        // In-process: the working directory has no .mandate/admin.token and MANDATE_TOKEN is not set by the tests.
        Assert.Null(Environment.GetEnvironmentVariable("MANDATE_TOKEN"));
        Assert.False(File.Exists(Path.Combine(".mandate", "admin.token")));
        var (code, _, error) = await Cli.RunAsync("status", "--server", server.Url);
        Assert.Equal(3, code);
        Assert.Contains("no admin token", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditQuery_ShouldPrintTheSameEvents_FromTheServerAndFromTheStore()
    {
        var task = server.Values["task:show"];
        var (fromServer, serverJson, serverError) = await Cli.RunAsync("audit", "query", "--task", task, "--limit", "8", "--json", "--server", server.Url, "--token-file", server.TokenFile);
        var (fromStore, storeJson, storeError) = await Cli.RunAsync("audit", "query", "--task", task, "--limit", "8", "--json", "--store", server.Store);
        Assert.True(fromServer == 0, serverError);
        Assert.True(fromStore == 0, storeError);
        Assert.Equal(serverJson, storeJson);
        Assert.Contains("\"jti\"", serverJson, StringComparison.Ordinal);
        Assert.DoesNotContain("credential_id", serverJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tables_ShouldShowTimesInRfc3339Utc()
    {
        var (code, output, error) = await Cli.RunAsync("identity", "list", "--server", server.Url, "--token-file", server.TokenFile);
        Assert.True(code == 0, error);
        Assert.Matches(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", output);
        Assert.DoesNotContain("\\u002B", output, StringComparison.Ordinal);
    }

    private static string[] Words(string path) => path.Split(' ')[1..];

    /// <summary>The command's words, then (for a leaf) its sample arguments: a command line that parses.</summary>
    private string[] Complete(string path) =>
        Samples.TryGetValue(path, out var sample)
            ? [.. Words(path), .. sample.Args.Select(a => server.Expand(a.Replace("{svid}", server.SvidFile, StringComparison.Ordinal)))]
            : Words(path);

    private Task<(int Code, string Output, string Error)> Run(string path, params string[] extra)
    {
        var args = Samples[path].Args;
        var expanded = args.Select(a => server.Expand(a.Replace("{svid}", server.SvidFile, StringComparison.Ordinal))).ToList();

        // A refused-credential run swaps the workload's SVID too (task open authenticates with it), and the task's
        // own credential (task credential authenticates with that).
        var svidOverride = extra.FirstOrDefault(e => e.StartsWith("--svid-file=", StringComparison.Ordinal));
        var rest = extra.Where(e => e != svidOverride).ToList();
        if (svidOverride is not null)
        {
            foreach (var option in new[] { "--svid-file", "--credential-file" })
            {
                var at = expanded.IndexOf(option);
                if (at >= 0)
                {
                    expanded[at + 1] = svidOverride["--svid-file=".Length..];
                }
            }
        }

        return Cli.RunAsync([.. Words(path), .. expanded, .. rest]);
    }
}
