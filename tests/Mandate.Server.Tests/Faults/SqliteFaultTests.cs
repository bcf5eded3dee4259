using System.Diagnostics;
using System.Net;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mandate.Server.Tests.Faults;

/// <summary>
/// The SQLite file made unusable under a running server: held by another connection's exclusive lock, or made
/// immutable (<c>chattr +i</c>, which refuses writes even to root and even through descriptors already open). Writes
/// answer 503 <c>store-unavailable</c>, reads and decisions go on, the host keeps running, and the first write after
/// the fault is lifted succeeds.
/// </summary>
public sealed class SqliteFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALockedDatabase_ShouldAnswer503_AndRecover_WhenTheLockIsReleased()
    {
        await using var server = await FaultServer.StartAsync();
        using var admin = server.CreateAdminClient();
        var path = server.Options.EffectiveStore.Target;

        await using (var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await holder.OpenAsync(Ct);
            await using (var exclusive = holder.CreateCommand())
            {
                exclusive.CommandText = "BEGIN EXCLUSIVE";
                await exclusive.ExecuteNonQueryAsync(Ct);
            }

            var (status, code) = await FaultServer.RegisterAsync(admin, "spiffe://demo.mandate.local/fault/locked", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("store-unavailable", code);

            // A decision is answered only once its record committed (AuditDurability = Committed): refused, not allowed.
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "audit-unavailable"), await FaultServer.DecideAsync(server.Client, "locked-read", Ct));
            await FaultServer.WaitForReadinessAsync(admin, r => FaultServer.LoopState(r, WritingLoop) == "degraded", TimeSpan.FromSeconds(15), Ct);
            FaultServer.AssertStillRunning(server);

            await using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync(Ct);
        }

        Assert.Equal(HttpStatusCode.Created, (await FaultServer.RegisterAsync(admin, "spiffe://demo.mandate.local/fault/unlocked", Ct)).Status);
        await FaultServer.WaitForReadinessAsync(admin, r => r.GetProperty("status").GetString() == "ready" && FaultServer.AllLoopsRunning(r), TimeSpan.FromSeconds(45), Ct);
    }

    [Fact]
    public async Task AnImmutableDatabaseFile_ShouldAnswer503_AndRecover_WhenItIsWritableAgain()
    {
        await using var server = await FaultServer.StartAsync();
        using var admin = server.CreateAdminClient();
        var path = server.Options.EffectiveStore.Target;
        Assert.Equal(HttpStatusCode.Created, (await FaultServer.RegisterAsync(admin, "spiffe://demo.mandate.local/fault/before", Ct)).Status);

        // The WAL is where SQLite writes first; the database file itself is written at checkpoints.
        var files = new[] { path, path + "-wal" }.Where(File.Exists).ToArray();
        if (!await ChattrAsync("+i", files))
        {
            Assert.Skip("chattr +i is not available here (it needs root and a file system with the immutable attribute).");
        }

        try
        {
            var (status, code) = await FaultServer.RegisterAsync(admin, "spiffe://demo.mandate.local/fault/immutable", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("store-unavailable", code);

            // A decision is answered only once its record committed (AuditDurability = Committed): refused, not allowed.
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "audit-unavailable"), await FaultServer.DecideAsync(server.Client, "immutable-read", Ct));
            await FaultServer.WaitForReadinessAsync(admin, r => FaultServer.LoopState(r, WritingLoop) == "degraded", TimeSpan.FromSeconds(15), Ct);
            FaultServer.AssertStillRunning(server);
        }
        finally
        {
            await ChattrAsync("-i", files);
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpStatusCode after;
        var attempt = 0;
        do
        {
            // The first write after the fault may still meet a connection that saw the I/O error; a retry must succeed.
            after = (await FaultServer.RegisterAsync(admin, $"spiffe://demo.mandate.local/fault/after-{attempt++}", Ct)).Status;
        }
        while (after != HttpStatusCode.Created && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.Created, after);
        await FaultServer.WaitForReadinessAsync(admin, r => r.GetProperty("status").GetString() == "ready" && FaultServer.AllLoopsRunning(r), TimeSpan.FromSeconds(45), Ct);
    }

    // The decision made during the fault queued an audit record (the decision was refused when its commit did not come):
    // the writer meets the fault and must retry the same batch until it is written (all loops running again at the end
    // means it was).
    private const string WritingLoop = "decision-audit-writer";

    private static async Task<bool> ChattrAsync(string change, string[] files)
    {
        var start = new ProcessStartInfo("chattr") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(change);
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }

        try
        {
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync(Ct);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
