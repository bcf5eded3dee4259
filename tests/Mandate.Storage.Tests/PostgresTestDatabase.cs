namespace Mandate.Storage.Tests;

/// <summary>The storage tests' name for the shared PostgreSQL schema factory.</summary>
public static class PostgresTestDatabase
{
    public static Task<string> CreateSchemaAsync() => Mandate.Tests.Shared.PostgresTestDatabase.CreateSchemaAsync();
}
