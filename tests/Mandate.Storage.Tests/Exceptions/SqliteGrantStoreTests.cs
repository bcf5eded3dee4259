using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests.Exceptions;

public sealed class SqliteGrantStoreTests : GrantStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("grants", ".db")));
}
