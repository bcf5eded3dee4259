using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests.Policies;

public sealed class SqlitePolicyVersionTests : PolicyVersionContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("policies", ".db")));
}
