using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests.DynamicCredentials;

public sealed class SqliteDynamicCredentialLeaseStoreTests : DynamicCredentialLeaseStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("leases", ".db")));
}
