using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Mandate.Server.Tests.DynamicCredentials;

/// <summary>
/// A task estate whose server has a PostgreSQL engine <c>orders-db</c> pointed at the PostgreSQL that test.sh starts
/// (MANDATE_TEST_PG, whose pg_hba.conf checks SCRAM passwords for every role but postgres), granting a fresh role that
/// may read a fresh table; a policy lets tasks whose intent reads ask for it.
/// </summary>
internal sealed class DynamicCredentialEstate : IAsyncDisposable
{
    public const string Engine = "orders-db";

    private const string Policy = """

        @id("orders-db-for-reading-tasks")
        permit (principal, action == Action::"IssueDynamicCredential", resource == DynamicCredentialEngine::"orders-db")
        when { context.task.actions.contains("read") && context.engine_kind == "postgresql" };
        """;

    private DynamicCredentialEstate(TaskEstate tasks, string management, string prefix, string grantRole, string schema, CapturedLogs logs)
    {
        Tasks = tasks;
        Management = management;
        Prefix = prefix;
        GrantRole = grantRole;
        Schema = schema;
        Logs = logs;
    }

    public TaskEstate Tasks { get; }

    /// <summary>The superuser connection the engine manages roles with (and the tests look with).</summary>
    public string Management { get; }

    public string Prefix { get; }

    public string GrantRole { get; }

    public string Schema { get; }

    public CapturedLogs Logs { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts the estate; <paramref name="engineConnection"/> overrides where the engine connects (a proxy).</summary>
    public static async Task<DynamicCredentialEstate> StartAsync(Func<string, string>? engineConnection = null, bool postgresStore = false)
    {
        var management = Base();
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var prefix = $"dc{suffix}_";
        var grantRole = $"orders_reader_{suffix}";
        var schema = $"orders_{suffix}";
        await ExecuteAsync(management, $"""
            CREATE ROLE {grantRole} NOLOGIN;
            CREATE SCHEMA {schema};
            CREATE TABLE {schema}.orders (id int);
            INSERT INTO {schema}.orders VALUES (1), (2), (3);
            GRANT USAGE ON SCHEMA {schema} TO {grantRole};
            GRANT SELECT ON {schema}.orders TO {grantRole};
            """);
        var logs = new CapturedLogs();
        var settings = new Dictionary<string, string?>
        {
            [$"Mandate:DynamicCredentials:Engines:{Engine}:Kind"] = "postgresql",
            [$"Mandate:DynamicCredentials:Engines:{Engine}:ConnectionString"] = engineConnection?.Invoke(management) ?? management,
            [$"Mandate:DynamicCredentials:Engines:{Engine}:GrantRoles:0"] = grantRole,
            [$"Mandate:DynamicCredentials:Engines:{Engine}:RoleNamePrefix"] = prefix,
        };
        var store = postgresStore ? MandateTestServer.PostgresLocation(await PostgresTestDatabase.CreateSchemaAsync()) : null;
        var tasks = await TaskEstate.StartAsync(
            configure: o => o.Store = store ?? o.Store,
            configureBuilder: b =>
            {
                b.Configuration.AddInMemoryCollection(settings);
                b.Logging.AddProvider(logs);
            },
            morePolicies: Policy);
        return new DynamicCredentialEstate(tasks, management, prefix, grantRole, schema, logs);
    }

    /// <summary>MANDATE_TEST_PG, or a clean skip (a failure under CI) without it.</summary>
    public static string Base()
    {
        var baseConnection = Environment.GetEnvironmentVariable("MANDATE_TEST_PG");
        if (string.IsNullOrEmpty(baseConnection))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("MANDATE_TEST_PG is not set under CI: run the tests through ./test.sh, which starts PostgreSQL.");
            }

            Assert.Skip("MANDATE_TEST_PG is not set; run ./test.sh to test dynamic credentials against PostgreSQL.");
        }

        return new NpgsqlConnectionStringBuilder(baseConnection) { Pooling = false }.ToString();
    }

    /// <summary>Asks for an <c>orders-db</c> credential with the task's own credential.</summary>
    public async Task<HttpResponseMessage> RequestAsync(string taskId, string taskToken, string engine = Engine)
    {
        using var client = new HttpClient { BaseAddress = Tasks.Server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", taskToken);
        return await client.PostAsJsonAsync($"/v1/tasks/{taskId}/dynamic-credentials", new { engine }, Ct);
    }

    /// <summary>Opens a task and gets a credential for it: (task id, task token, username, password).</summary>
    public async Task<(string TaskId, string TaskToken, string Username, string Password)> IssueAsync(int ttlSeconds = 600)
    {
        var (taskId, token, _) = await Tasks.OpenAsync(ttlSeconds: ttlSeconds);
        using var response = await RequestAsync(taskId, token);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        var json = JsonDocument.Parse(body).RootElement;
        return (taskId, token, json.GetProperty("username").GetString()!, json.GetProperty("password").GetString()!);
    }

    /// <summary>A connection as the minted role, over TCP (so pg_hba's SCRAM rule applies).</summary>
    public async Task<NpgsqlConnection> ConnectAsync(string username, string password)
    {
        var builder = new NpgsqlConnectionStringBuilder(Management) { Username = username, Password = password, Pooling = false, Timeout = 5 };
        var connection = new NpgsqlConnection(builder.ToString());
        try
        {
            await connection.OpenAsync(Ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<long> CountOrdersAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Schema}.orders", connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    public async Task<bool> RoleExistsAsync(string username) =>
        await ScalarAsync(Management, "SELECT count(*) FROM pg_roles WHERE rolname = @n", username) is long n && n > 0;

    /// <summary>How many roles of this estate's prefix exist.</summary>
    public async Task<long> PrefixedRolesAsync() =>
        (long)(await ScalarAsync(Management, "SELECT count(*) FROM pg_roles WHERE starts_with(rolname, @n)", Prefix))!;

    /// <summary>Polls until <paramref name="condition"/> holds (the revoker runs right after the task's end commits).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Every ledger event's canonical JSON.</summary>
    public async Task<List<string>> LedgerAsync()
    {
        var store = Tasks.Server.Services.GetRequiredService<IMandateStore>();
        var found = new List<string>();
        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
        {
            found.Add(record.CanonicalJson);
        }

        return found;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql, string parameter)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("n", parameter);
        return await command.ExecuteScalarAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Tasks.DisposeAsync();
        Logs.Dispose();
        try
        {
            // Roles are cluster-wide: leave none behind (a failed test may have left a minted one).
            await ExecuteAsync(Management, $"""
                DO $$ DECLARE r text; BEGIN
                  FOR r IN SELECT rolname FROM pg_roles WHERE starts_with(rolname, '{Prefix}') LOOP
                    EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
                  END LOOP;
                END $$;
                DROP SCHEMA {Schema} CASCADE;
                DROP ROLE {GrantRole};
                """);
        }
        catch (NpgsqlException)
        {
            // Best effort: a leftover role of a failed test does not fail the next one (names are random).
        }
    }
}
