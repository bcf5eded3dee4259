using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests.Signals;

public sealed class SqliteSignalStoreTests : SignalStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("signals", ".db")));
}
