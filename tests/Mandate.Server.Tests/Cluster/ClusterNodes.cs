using System.Diagnostics;
using System.Net.Http.Json;
using Mandate.Server.Tests.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Mandate.Server.Tests.Decisions.AuthZenHttp;

namespace Mandate.Server.Tests.Cluster;

/// <summary>
/// Nodes of one deployment on one PostgreSQL schema, for the multi-node tests: each is a <see cref="TaskEstate"/> (the
/// task policies, the registered agents), they share the state directory (key-encryption key, admin token) and one
/// clock, and each connects under an application name of its own so a test can cut exactly its connections.
/// </summary>
internal static class ClusterNodes
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    public static string NewStateDirectory() => Path.Combine(Path.GetTempPath(), "mandate-tests", "cluster-" + Guid.NewGuid().ToString("N"));

    /// <summary>The connection string of a node: <paramref name="connection"/> under the application name <paramref name="node"/>.</summary>
    public static string As(string connection, string node) =>
        new NpgsqlConnectionStringBuilder(connection) { ApplicationName = node }.ToString();

    public static Task<TaskEstate> StartAsync(string connection, string state, TimeProvider clock, IDictionary<string, string>? settings = null, Hosting.ConfigurationFile? file = null) =>
        TaskEstate.StartAsync(
            o =>
            {
                o.Store = Infrastructure.MandateTestServer.PostgresLocation(connection);
                o.StateDirectory = state;
                o.ConfigurationFile = file;
            },
            b => Configure(b, clock, settings));

    /// <summary>
    /// The periodic safety nets (key and inventory reload, policy and detection catch-up) at their longest, so what a
    /// test sees arriving within <see cref="Bound"/> came through the announcements or the reconnect catch-up.
    /// </summary>
    private static void Configure(WebApplicationBuilder builder, TimeProvider clock, IDictionary<string, string>? settings)
    {
        builder.Services.AddSingleton(clock);
        builder.Configuration["Mandate:Identity:KeyCheckInterval"] = "00:10:00";
        builder.Configuration["Mandate:PolicySync:CatchUpInterval"] = "00:05:00";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Configuration[key] = value;
        }
    }

    /// <summary>The agent reads a ticket at <paramref name="node"/>'s decision endpoint presenting <paramref name="credential"/>.</summary>
    public static async Task<(int Status, bool Decision, System.Text.Json.JsonElement Body)> DecideAsync(TaskEstate node, string credential)
    {
        var json = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + TaskEstate.Agent + "\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Ticket\",\"id\":\"T-1\"},\"context\":{\"credential\":\"" + credential + "\"}}";
        var (status, body, response) = await PostAsync(node.Server.Client, "/access/v1/evaluation", json);
        response.Dispose();
        return (status, status == 200 && body.GetProperty("decision").GetBoolean(), body);
    }

    public static async Task WaitForDecisionAsync(TaskEstate node, string credential, bool expected, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (status, decision, body) = await DecideAsync(node, credential);
            Assert.True(status == 200, $"{what}: status {status}: {body}");
            if (decision == expected)
            {
                return;
            }

            Assert.True(clock.Elapsed < Bound, $"{what}: the node still decided {decision} after {Bound.TotalSeconds} s");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Bound, what + $" (not within {Bound.TotalSeconds} s)");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    public static async Task PostOkAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }

    /// <summary>Ends, from another connection, the backends of <paramref name="node"/> listening on channels starting with <paramref name="channelPrefix"/>.</summary>
    public static async Task<long> TerminateListenersAsync(string connection, string node, string channelPrefix)
    {
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync(TestContext.Current.CancellationToken);
        await using var terminate = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @app AND query LIKE @listen",
            database);
        terminate.Parameters.AddWithValue("app", node);
        terminate.Parameters.AddWithValue("listen", "LISTEN \"" + channelPrefix + "%");
        return (long)(await terminate.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
