using Mandate.Core.Storage;
using Mandate.Storage.Postgres;

namespace Mandate.Storage.Tests.Signals;

public sealed class PostgresSignalStoreTests : SignalStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
