using Mandate.Storage.Relational;
using Npgsql;

namespace Mandate.Storage.Postgres;

/// <summary>The multi-node store on PostgreSQL.</summary>
internal sealed class PostgresStore : RelationalStore
{
    private readonly NpgsqlDataSource dataSource;

    public PostgresStore(string connectionString)
        : this(NpgsqlDataSource.Create(connectionString))
    {
    }

    private PostgresStore(NpgsqlDataSource dataSource)
        : base(new PostgresDialect(dataSource))
    {
        this.dataSource = dataSource;
    }

    internal NpgsqlDataSource DataSource => dataSource;

    public override async ValueTask DisposeAsync()
    {
        await dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
