using Npgsql;

namespace Mandate.Tests.Shared;

/// <summary>
/// A fresh schema per call in the PostgreSQL that test.sh starts (MANDATE_TEST_PG). Under CI a missing server fails
/// the test; on a developer machine without one it skips.
/// </summary>
public static class PostgresTestDatabase
{
    public static async Task<string> CreateSchemaAsync()
    {
        var baseConnection = Environment.GetEnvironmentVariable("MANDATE_TEST_PG");
        if (string.IsNullOrEmpty(baseConnection))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("MANDATE_TEST_PG is not set under CI: run the tests through ./test.sh, which starts PostgreSQL.");
            }

            Assert.Skip("MANDATE_TEST_PG is not set; run ./test.sh to test against PostgreSQL.");
        }

        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(baseConnection))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = schema }.ToString();
    }

    /// <summary>Runs one statement (a test tampering with stored rows, say).</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
