namespace Mandate.Server.Tests.Infrastructure;

/// <summary>The server tests' name for the shared PostgreSQL schema factory.</summary>
public static class PostgresSchema
{
    public static Task<string> CreateAsync() => Mandate.Tests.Shared.PostgresTestDatabase.CreateSchemaAsync();
}
