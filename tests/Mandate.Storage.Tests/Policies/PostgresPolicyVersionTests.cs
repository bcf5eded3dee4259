using Mandate.Core.Storage;
using Mandate.Storage.Postgres;

namespace Mandate.Storage.Tests.Policies;

public sealed class PostgresPolicyVersionTests : PolicyVersionContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
