using Mandate.Core.Storage;
using Mandate.Storage.Postgres;

namespace Mandate.Storage.Tests.Exceptions;

public sealed class PostgresGrantStoreTests : GrantStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
