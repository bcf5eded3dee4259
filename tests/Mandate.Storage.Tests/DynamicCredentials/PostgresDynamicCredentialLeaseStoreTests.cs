using Mandate.Core.Storage;
using Mandate.Storage.Postgres;

namespace Mandate.Storage.Tests.DynamicCredentials;

public sealed class PostgresDynamicCredentialLeaseStoreTests : DynamicCredentialLeaseStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
