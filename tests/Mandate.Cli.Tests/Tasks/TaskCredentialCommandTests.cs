using System.Text.Json;
using Mandate.Cli.Tests.Contract;
using Npgsql;

namespace Mandate.Cli.Tests.Tasks;

/// <summary>
/// <c>mandate task credential</c> against a real server with a PostgreSQL engine (MANDATE_TEST_PG): a task opened with
/// <c>mandate task open</c> gets a role it can log in with, the password nowhere but standard output, and the
/// server's refusals become the CLI's exit codes.
/// </summary>
public sealed class TaskCredentialCommandTests(ContractServer server) : IClassFixture<ContractServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Credential_ShouldPrintALoginThatWorks_AndThePasswordNowhereElse()
    {
        server.RequirePostgres();
        var credentialFile = await OpenAsync("read");

        var (code, output, error) = await Cli.RunAsync("task", "credential", TaskId(credentialFile), "--engine", ContractServer.Engine, "--credential-file", credentialFile.Path, "--server", server.Url, "--json");
        Assert.True(code == 0, error);
        using var answer = JsonDocument.Parse(output);
        var username = answer.RootElement.GetProperty("username").GetString()!;
        var password = answer.RootElement.GetProperty("password").GetString()!;
        Assert.StartsWith(server.RolePrefix, username, StringComparison.Ordinal);
        Assert.Equal(ContractServer.Engine, answer.RootElement.GetProperty("engine").GetString());

        // The printed password logs in to PostgreSQL over TCP, where pg_hba.conf checks it (SCRAM).
        var login = new NpgsqlConnectionStringBuilder(server.Postgres) { Username = username, Password = password, Pooling = false, Timeout = 5 };
        await using (var connection = new NpgsqlConnection(login.ToString()))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("SELECT current_user", connection);
            Assert.Equal(username, await command.ExecuteScalarAsync(Ct));
        }

        // A wrong one does not.
        login.Password = password[..^1] + (password[^1] == 'A' ? "B" : "A");
        await using (var wrong = new NpgsqlConnection(login.ToString()))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => wrong.OpenAsync(Ct));
            Assert.Equal("28P01", refused.SqlState);
        }

        Assert.DoesNotContain(password, error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.LogLines, line => line.Contains(password, StringComparison.Ordinal));

        // The human form shows it once too, with the note on standard error.
        var (humanCode, human, humanError) = await Cli.RunAsync("task", "credential", TaskId(credentialFile), "--engine", ContractServer.Engine, "--credential-file", credentialFile.Path, "--server", server.Url);
        Assert.True(humanCode == 0, humanError);
        Assert.Matches(@"(?m)^password\s+[A-Za-z0-9_-]{43}\s*$", human);
        Assert.Matches(@"(?m)^username\s+" + server.RolePrefix, human);
        Assert.Contains("shown only this once", humanError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credential_ShouldExit1_WhenThePolicyDenies_TheEngineIsUnknown_OrTheEngineFails()
    {
        server.RequirePostgres();

        // The contract's policy lets only tasks that read have one.
        var writer = await OpenAsync("write");
        var (denied, deniedOutput, deniedError) = await Cli.RunAsync("task", "credential", TaskId(writer), "--engine", ContractServer.Engine, "--credential-file", writer.Path, "--server", server.Url);
        Assert.True(denied == 1, deniedOutput + deniedError);
        Assert.StartsWith("mandate: error: dynamic-credential-denied: ", deniedError, StringComparison.Ordinal);
        Assert.Empty(deniedOutput);

        var reader = await OpenAsync("read");
        var (unknown, _, unknownError) = await Cli.RunAsync("task", "credential", TaskId(reader), "--engine", "no-such-db", "--credential-file", reader.Path, "--server", server.Url);
        Assert.Equal(1, unknown);
        Assert.StartsWith("mandate: error: dynamic-credential-engine-not-found: ", unknownError, StringComparison.Ordinal);

        var (failed, _, failedError) = await Cli.RunAsync("task", "credential", TaskId(reader), "--engine", ContractServer.BrokenEngine, "--credential-file", reader.Path, "--server", server.Url);
        Assert.Equal(1, failed);
        Assert.StartsWith("mandate: error: dynamic-credential-engine-failed: ", failedError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credential_ShouldBeAUsageError_WithoutTheTaskCredential()
    {
        var previous = Environment.GetEnvironmentVariable("MANDATE_TASK_CREDENTIAL");
        Environment.SetEnvironmentVariable("MANDATE_TASK_CREDENTIAL", null);
        try
        {
            var (code, _, error) = await Cli.RunAsync("task", "credential", "task_x", "--engine", ContractServer.Engine, "--server", server.Url, "--token-file", server.TokenFile);
            Assert.Equal(2, code);
            Assert.Contains("--credential-file", error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MANDATE_TASK_CREDENTIAL", previous);
        }
    }

    private static string TaskId((string Path, string TaskId) opened) => opened.TaskId;

    /// <summary>Opens a task with <c>mandate task open --json</c> and keeps its credential in a file, as a workload would.</summary>
    private async Task<(string Path, string TaskId)> OpenAsync(string action)
    {
        var (code, output, error) = await Cli.RunAsync("task", "open", "--svid-file", server.SvidFile, "--description", "cli credential", "--action", action, "--resource", "Ticket", "--ttl", "300", "--server", server.Url, "--json");
        Assert.True(code == 0, error);
        using var opened = JsonDocument.Parse(output);
        var path = Path.Combine(server.Directory, Guid.NewGuid().ToString("N") + ".credential");
        await File.WriteAllTextAsync(path, opened.RootElement.GetProperty("credential").GetProperty("access_token").GetString(), Ct);
        return (path, opened.RootElement.GetProperty("task").GetProperty("id").GetString()!);
    }
}
