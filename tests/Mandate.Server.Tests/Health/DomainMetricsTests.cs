using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mandate.Server.Tests.Security;
using Mandate.Server.Tests.Tasks;
using Microsoft.Data.Sqlite;

namespace Mandate.Server.Tests.Health;

/// <summary>
/// The domain metrics of docs/operations.md ("Metrics"), scraped from <c>/metrics</c> over HTTP after real traffic: a
/// task opened, decisions allowed, denied and refused, a token exchanged and one refused, a JWT-SVID and a join token
/// issued, a task revoked, and a store fault (a table renamed under the server). Counters are at least what this test
/// did; the gauges are read from this server's state.
/// </summary>
/// <remarks>
/// Alone in its collection, run after the parallel tests: OpenTelemetry's meter provider listens to every meter named
/// <c>Mandate</c> in the process, so another test's server running at the same time would register the instruments
/// first and this server's measurements would be dropped as duplicates. One server per process (production) never meets this.
/// </remarks>
[Collection(nameof(DomainMetricsCollection))]
public sealed partial class DomainMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_AfterRealTraffic_ShouldCountEveryDomainEvent()
    {
        await using var estate = await TaskEstate.StartAsync(configureBuilder: b => b.Configuration["Mandate:Metrics:StoreGaugeMaxAge"] = "00:00:00.2");

        // A task (OpenTask allowed, a task credential), and a second one completed: one stays active for the gauge.
        var (taskId, token, _) = await estate.OpenAsync(TaskEstate.Agent);
        var (completedId, _, _) = await estate.OpenAsync(TaskEstate.Agent);
        using (var owner = estate.As(TaskEstate.Agent))
        using (var complete = await owner.PostAsync(new Uri($"/v1/tasks/{completedId}/complete", UriKind.Relative), null, Ct))
        {
            Assert.True(complete.IsSuccessStatusCode, await complete.Content.ReadAsStringAsync(Ct));
        }

        // Allow (the task credential covers reading a ticket), deny (no task), error (no subject).
        Assert.True((await LifecycleEstate.DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1", token)).Decision);
        Assert.False((await LifecycleEstate.DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1")).Decision);
        using (var invalid = await estate.Admin.PostAsync("/access/v1/evaluation", new StringContent("""{"action":{"name":"read"},"resource":{"type":"Ticket","id":"T-1"}}""", Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        // An exchange issued to the delegate, one refused.
        using (var exchanged = await estate.ExchangeAsync(token, TaskEstate.SubAgent))
        {
            Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        }

        using (var refused = await estate.ExchangeAsync("not-a-token", TaskEstate.SubAgent))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        // A JWT-SVID and a join token.
        using (var agent = estate.As(TaskEstate.Agent))
        using (var svid = await agent.PostAsJsonAsync("/v1/svid/jwt", new { audience = "spiffe://demo.mandate.local/svc/reports" }, Ct))
        {
            Assert.True(svid.IsSuccessStatusCode, await svid.Content.ReadAsStringAsync(Ct));
        }

        using (var join = await estate.Admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = TaskEstate.Helper }, Ct))
        {
            Assert.True(join.IsSuccessStatusCode, await join.Content.ReadAsStringAsync(Ct));
        }

        // Revoke the first task's credentials: its own and the exchanged one (the task itself stays open).
        using (var revoke = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "task", target = taskId, reason = "metrics test" }, Ct))
        {
            Assert.True(revoke.IsSuccessStatusCode, await revoke.Content.ReadAsStringAsync(Ct));
        }

        // A store fault: the identities table renamed under the server, a registration answered 503, then put back.
        var database = estate.Server.Options.EffectiveStore.Target;
        await SqliteExecuteAsync(database, "ALTER TABLE identities RENAME TO identities_moved");
        try
        {
            var (status, code) = await Faults.FaultServer.RegisterAsync(estate.Admin, "spiffe://demo.mandate.local/metrics/fault", Ct);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "store-unavailable"), (status, code));
        }
        finally
        {
            await SqliteExecuteAsync(database, "ALTER TABLE identities_moved RENAME TO identities");
        }

        // Counters and histograms are there at once; the store gauges within a few refreshes.
        Scrape metrics = default!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            metrics = await ScrapeAsync(estate);
            if ((metrics.Value("mandate_tasks_active") == 1 && metrics.Value("mandate_audit_unsigned_events") > 0) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250, Ct);
        }

        Assert.True(metrics.Value("mandate_decisions_total", "outcome", "allow") >= 2, metrics.Text); // OpenTask twice, the evaluation
        Assert.True(metrics.Value("mandate_decisions_total", "outcome", "deny") >= 1, metrics.Text);
        Assert.True(metrics.Value("mandate_decisions_total", "outcome", "error") >= 1, metrics.Text);
        var allowCount = metrics.Value("mandate_decision_duration_seconds_count", "outcome", "allow");
        var allowSum = metrics.Value("mandate_decision_duration_seconds_sum", "outcome", "allow");
        Assert.True(allowCount >= 2, metrics.Text);
        Assert.InRange(allowSum / allowCount, 1e-7, 5); // seconds, not milliseconds or ticks
        Assert.True(metrics.Value("mandate_decision_duration_seconds_bucket", "outcome", "allow", "le", "+Inf") >= allowCount - 0.5, metrics.Text);

        Assert.True(metrics.Value("mandate_credentials_issued_total", "kind", "task") >= 2, metrics.Text);
        Assert.True(metrics.Value("mandate_credentials_issued_total", "kind", "exchanged") >= 1, metrics.Text);
        Assert.True(metrics.Value("mandate_credentials_issued_total", "kind", "jwt_svid") >= 1, metrics.Text);
        Assert.True(metrics.Value("mandate_credentials_issued_total", "kind", "join_token") >= 1, metrics.Text);
        Assert.True(metrics.Value("mandate_token_exchanges_total", "outcome", "issued") >= 1, metrics.Text);
        Assert.True(metrics.Value("mandate_token_exchanges_total", "error", "invalid_request") >= 1, metrics.Text);
        Assert.True(metrics.Value("mandate_revocations_total", "target_kind", "task") >= 1, metrics.Text);
        Assert.True(metrics.Value("mandate_credentials_revoked_total", "target_kind", "task") >= 2, metrics.Text); // the task's and the exchanged
        Assert.True(metrics.Value("mandate_audit_appends_total") >= 8, metrics.Text);
        Assert.True(metrics.Value("mandate_store_errors_total", "fault", "schema") >= 1, metrics.Text);

        // Gauges: this server's own state.
        Assert.Equal(1, metrics.Value("mandate_tasks_active"));
        Assert.True(metrics.Value("mandate_revocation_set_size") >= 2, metrics.Text);
        Assert.True(metrics.Value("mandate_audit_unsigned_events") > 0, metrics.Text);

        // Bounded labels: no identity, token or id in any label of a Mandate metric.
        Assert.All(metrics.Samples.Where(s => s.Name.StartsWith("mandate_", StringComparison.Ordinal)), s =>
            Assert.DoesNotMatch("spiffe:|task_|eyJ|" + Regex.Escape(taskId), s.Labels));
    }

    private static async Task<Scrape> ScrapeAsync(TaskEstate estate)
    {
        var text = await estate.Server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
        return new Scrape(text);
    }

    private static async Task SqliteExecuteAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>A Prometheus text exposition: its samples (name, raw label text, value).</summary>
    private sealed partial class Scrape(string text)
    {
        public string Text { get; } = text;

        public List<(string Name, string Labels, double Value)> Samples { get; } = [.. text.Split('\n')
            .Select(l => Sample().Match(l))
            .Where(m => m.Success)
            .Select(m => (m.Groups["name"].Value, m.Groups["labels"].Value, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))];

        /// <summary>The sum over the samples of <paramref name="name"/> with the given label pairs (NaN when there is none).</summary>
        public double Value(string name, params string[] labels)
        {
            var matching = Samples.Where(s => s.Name == name && Enumerable.Range(0, labels.Length / 2).All(i => s.Labels.Contains($"{labels[2 * i]}=\"{labels[(2 * i) + 1]}\"", StringComparison.Ordinal))).ToList();
            return matching.Count == 0 ? double.NaN : matching.Sum(s => s.Value);
        }

        [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eEInfa]+)")]
        private static partial Regex Sample();
    }
}

/// <summary>Runs <see cref="DomainMetricsTests"/> without any other test's server alive in the process.</summary>
[CollectionDefinition(nameof(DomainMetricsCollection), DisableParallelization = true)]
public sealed class DomainMetricsCollection;
