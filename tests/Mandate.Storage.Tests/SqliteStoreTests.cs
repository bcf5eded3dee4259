using System.Globalization;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Mandate.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mandate.Storage.Tests;

public sealed class SqliteStoreTests : StoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("store", ".db")));

    [Fact]
    public async Task Migrate_ShouldRefuse_AFileThatIsNotADatabase_WithoutTouchingIt()
    {
        var path = TempPaths.NewFile("garbage", ".db");
        var garbage = "this is not a database, it is a text file that must survive"u8.ToArray();
        await File.WriteAllBytesAsync(path, garbage, TestContext.Current.CancellationToken);
        await using var store = new SqliteStore(path);

        var error = await Assert.ThrowsAsync<StoreException>(() => store.MigrateAsync(TestContext.Current.CancellationToken));

        Assert.Contains("not a SQLite database", error.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Check_ShouldReportNotReady_BeforeMigration()
    {
        await using var store = new SqliteStore(TempPaths.NewFile("fresh", ".db"));
        var status = await store.CheckAsync(TestContext.Current.CancellationToken);
        Assert.False(status.Ready);
    }

    [Fact]
    public async Task Sessions_ShouldHaveTheConnectionPragmas_OnNewAndPooledConnections()
    {
        // The pragmas are set once per native connection; a pooled connection handed out again must still have them.
        var ct = TestContext.Current.CancellationToken;
        await using var store = new SqliteStore(TempPaths.NewFile("pragmas", ".db"), TimeSpan.FromMilliseconds(4321));
        await store.MigrateAsync(ct);
        var handles = new List<object>();
        for (var i = 0; i < 4; i++)
        {
            var session = (RelationalSession)await store.BeginAsync(i % 2 == 0 ? StoreIntent.Read : StoreIntent.Write, ct);
            await using (session)
            {
                handles.Add(((SqliteConnection)session.Connection).Handle!);
                Assert.Equal(1L, await PragmaAsync(session, "foreign_keys"));
                Assert.Equal(4321L, await PragmaAsync(session, "busy_timeout"));
                Assert.Equal(2L, await PragmaAsync(session, "synchronous")); // FULL
            }
        }

        Assert.True(handles.Distinct().Count() < handles.Count, "the pool handed no connection out twice, so the pooled case was not exercised");
    }

    [Fact]
    public async Task WritesWithoutFlush_ShouldCommitUnsynced_AndOrdinaryWritesOnTheSamePooledConnection_ShouldSyncAgain()
    {
        // The decision ledger's batches commit with synchronous = NORMAL (written to the WAL, not synced); a pooled
        // connection that ran one must be back to FULL for the next ordinary write (a revocation must reach the disk).
        var ct = TestContext.Current.CancellationToken;
        await using var store = new SqliteStore(TempPaths.NewFile("unflushed", ".db"));
        await store.MigrateAsync(ct);
        var modes = new List<(StoreIntent Intent, long Mode, object Handle)>();
        foreach (var intent in new[] { StoreIntent.WriteWithoutFlush, StoreIntent.Write, StoreIntent.WriteWithoutFlush, StoreIntent.WriteWithoutFlush, StoreIntent.Write })
        {
            var session = (RelationalSession)await store.BeginAsync(intent, ct);
            await using (session)
            {
                modes.Add((intent, await PragmaAsync(session, "synchronous"), ((SqliteConnection)session.Connection).Handle!));
                await session.ExecuteAsync("INSERT INTO settings (key, value, updated_at) VALUES ('unflushed-" + modes.Count + "', 'x', 0)", ct);
                await session.CommitAsync(ct);
            }
        }

        Assert.All(modes, m => Assert.Equal(m.Intent == StoreIntent.WriteWithoutFlush ? 1L : 2L, m.Mode));
        Assert.True(modes.Select(m => m.Handle).Distinct().Count() < modes.Count, "the pool handed no connection out twice, so the switch back was not exercised");
    }

    [Fact]
    public async Task Flush_ShouldCheckpointTheLog_SoCommittedRowsAreInTheDatabaseFile()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = TempPaths.NewFile("flush", ".db");
        await using var store = new SqliteStore(path);
        await store.MigrateAsync(ct);
        var session = (RelationalSession)await store.BeginAsync(StoreIntent.WriteWithoutFlush, ct);
        await using (session)
        {
            await session.ExecuteAsync("INSERT INTO settings (key, value, updated_at) VALUES ('flushed', 'a-value-to-find-in-the-file', 0)", ct);
            await session.CommitAsync(ct);
        }

        await store.FlushAsync(ct);

        // Read the main database file alone (a copy without its -wal): the row was copied there by the checkpoint.
        var copy = TempPaths.NewFile("flush-copy", ".db");
        File.Copy(path, copy, overwrite: true);
        await using var reader = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await reader.OpenAsync(ct);
        await using var command = reader.CreateCommand();
        command.CommandText = "SELECT value FROM settings WHERE key = 'flushed'";
        Assert.Equal("a-value-to-find-in-the-file", await command.ExecuteScalarAsync(ct));
    }

    [Fact]
    public async Task Sessions_ShouldRollBack_WhenDisposedUncommitted_AndLeaveThePooledConnectionOutsideATransaction()
    {
        // Sessions begin and end their transactions through statements kept on the native connection
        // (SqliteStatementTransaction), not SqliteTransaction: what is not committed must still be undone.
        var ct = TestContext.Current.CancellationToken;
        await using var store = new SqliteStore(TempPaths.NewFile("rollback", ".db"));
        await store.MigrateAsync(ct);
        for (var i = 0; i < 4; i++)
        {
            var session = (RelationalSession)await store.BeginAsync(StoreIntent.Write, ct);
            await using (session)
            {
                await session.ExecuteAsync($"INSERT INTO settings (key, value, updated_at) VALUES ('undone-{i}', 'x', 0)", ct);
            }
        }

        var reader = (RelationalSession)await store.BeginAsync(StoreIntent.Read, ct);
        await using (reader)
        {
            Assert.Equal(0L, Convert.ToInt64(await reader.ScalarAsync("SELECT COUNT(*) FROM settings WHERE key LIKE 'undone-%'", ct), CultureInfo.InvariantCulture));
        }

        var writer = (RelationalSession)await store.BeginAsync(StoreIntent.Write, ct);
        await using (writer)
        {
            await writer.ExecuteAsync("INSERT INTO settings (key, value, updated_at) VALUES ('kept', 'x', 0)", ct);
            await writer.CommitAsync(ct);
            Assert.NotEqual(0, SQLitePCL.raw.sqlite3_get_autocommit(((SqliteConnection)writer.Connection).Handle!));
        }
    }

    [Fact]
    public async Task Sessions_ShouldRefuseFurtherStatementsAndTheCommit_AfterSqliteEndedTheTransactionByItself()
    {
        // SQLite rolls a transaction back by itself after some errors (a full disk, an I/O error); a statement run after
        // that would commit on its own, so the session refuses it, as Microsoft.Data.Sqlite's transaction does.
        var ct = TestContext.Current.CancellationToken;
        await using var store = new SqliteStore(TempPaths.NewFile("ended", ".db"));
        await store.MigrateAsync(ct);
        var session = (RelationalSession)await store.BeginAsync(StoreIntent.Write, ct);
        await using (session)
        {
            await session.ExecuteAsync("INSERT INTO settings (key, value, updated_at) VALUES ('first', 'x', 0)", ct);
            Assert.Equal(SQLitePCL.raw.SQLITE_OK, SQLitePCL.raw.sqlite3_exec(((SqliteConnection)session.Connection).Handle!, "ROLLBACK"));
            await Assert.ThrowsAsync<InvalidOperationException>(() => session.ExecuteAsync("INSERT INTO settings (key, value, updated_at) VALUES ('second', 'x', 0)", ct));
            await Assert.ThrowsAnyAsync<Exception>(() => session.CommitAsync(ct));
        }

        var reader = (RelationalSession)await store.BeginAsync(StoreIntent.Read, ct);
        await using (reader)
        {
            Assert.Equal(0L, Convert.ToInt64(await reader.ScalarAsync("SELECT COUNT(*) FROM settings WHERE key IN ('first', 'second')", ct), CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task WriteSessions_ShouldQueueInProcess_AndTheNextShouldBeginOnlyOnceTheWriterBeforeItEnded()
    {
        // Writers of one process take turns on an in-process lock instead of SQLite's busy handler (which sleeps a thread
        // between retries): the next one begins only when the one before commits, rolls back or is disposed, and reads are
        // never held up by it.
        var ct = TestContext.Current.CancellationToken;
        await using var store = new SqliteStore(TempPaths.NewFile("turns", ".db"));
        await store.MigrateAsync(ct);
        var first = (RelationalSession)await store.BeginAsync(StoreIntent.Write, ct);
        await first.ExecuteAsync("INSERT INTO settings (key, value, updated_at) VALUES ('first', 'x', 0)", ct);
        var second = store.BeginAsync(StoreIntent.WriteWithoutFlush, ct);
        var third = store.BeginAsync(StoreIntent.Write, ct);
        var reader = (RelationalSession)await store.BeginAsync(StoreIntent.Read, ct);
        await using (reader)
        {
            Assert.Equal(0L, Convert.ToInt64(await reader.ScalarAsync("SELECT COUNT(*) FROM settings WHERE key = 'first'", ct), CultureInfo.InvariantCulture));
        }

        Assert.False(second.IsCompleted);
        await first.CommitAsync(ct);
        Assert.False(second.IsCompleted && third.IsCompleted);
        await first.DisposeAsync();

        // Committed, then rolled back by disposal: each hands the lock on.
        var next = (RelationalSession)await second.WaitAsync(TimeSpan.FromSeconds(10), ct);
        await next.ExecuteAsync("INSERT INTO settings (key, value, updated_at) VALUES ('second', 'x', 0)", ct);
        Assert.False(third.IsCompleted);
        await next.DisposeAsync();
        var last = (RelationalSession)await third.WaitAsync(TimeSpan.FromSeconds(10), ct);
        await using (last)
        {
            Assert.Equal(1L, Convert.ToInt64(await last.ScalarAsync("SELECT COUNT(*) FROM settings WHERE key IN ('first', 'second')", ct), CultureInfo.InvariantCulture));
            await last.CommitAsync(ct);
        }
    }

    [Fact]
    public async Task AWriteSession_ShouldFailAsBusy_AfterTheBusyTimeout_AndACancelledWaitShouldNotTakeTheLock()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = new SqliteStore(TempPaths.NewFile("busy", ".db"), TimeSpan.FromMilliseconds(300));
        await store.MigrateAsync(ct);
        var holder = await store.BeginAsync(StoreIntent.Write, ct);
        await using (holder)
        {
            var busy = await Assert.ThrowsAsync<StoreException>(() => store.BeginAsync(StoreIntent.Write, ct));
            Assert.Equal(StoreFault.Busy, busy.Fault);
            Assert.Contains("locked by another session of this process", busy.Message, StringComparison.Ordinal);

            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var cancelled = store.BeginAsync(StoreIntent.Write, cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        }

        // Neither the refused nor the cancelled wait kept the lock.
        var after = (RelationalSession)await store.BeginAsync(StoreIntent.Write, ct);
        await using (after)
        {
            await after.ExecuteAsync("INSERT INTO settings (key, value, updated_at) VALUES ('after', 'x', 0)", ct);
            await after.CommitAsync(ct);
        }
    }

    private static async Task<long> PragmaAsync(RelationalSession session, string name) =>
        Convert.ToInt64(await session.ScalarAsync("PRAGMA " + name, TestContext.Current.CancellationToken), CultureInfo.InvariantCulture);
}
