using System.Diagnostics;

namespace Mandate.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL cluster the test owns: its own data directory under /tmp and its own loopback port
/// (below the kernel's ephemeral range, <see cref="LoopbackPorts"/>), started and stopped with pg_ctl (as the postgres user when the tests run as root, like test.sh), so a
/// test can take the database away under a running server and give it back. Skips where no PostgreSQL server binaries
/// are installed (test.sh installs them, and under CI their absence fails).
/// </summary>
internal sealed class PrivatePostgresCluster : IAsyncDisposable
{
    private readonly string binaries;
    private readonly string root;
    private readonly string data;

    private PrivatePostgresCluster(string binaries, string root)
    {
        this.binaries = binaries;
        this.root = root;
        data = Path.Combine(root, "data");
    }

    public int Port { get; private set; }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=20;Timeout=3;Command Timeout=10";

    public static async Task<PrivatePostgresCluster> StartAsync()
    {
        var binaries = FindBinaries();
        if (binaries is null || OperatingSystem.IsWindows())
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin; test.sh installs them.");
            }

            Assert.Skip("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install postgresql, or run ./test.sh).");
        }

        var root = Path.Combine(Path.GetTempPath(), "mandate-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        // The postgres user must reach its data directory inside.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var cluster = new PrivatePostgresCluster(binaries, root);
        Directory.CreateDirectory(cluster.data);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres", cluster.data]);
        }

        await cluster.AsPostgresAsync("initdb", ["-D", cluster.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions", "--no-sync"]);

        // A port taken between the check and PostgreSQL's bind costs another try on another port.
        for (var attempt = 1; ; attempt++)
        {
            cluster.Port = LoopbackPorts.BelowEphemeralRange();
            try
            {
                await cluster.StartAgainAsync();
                return cluster;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                // Try another port.
            }
        }
    }

    /// <summary>Starts the stopped cluster again on the same port and data.</summary>
    public Task StartAgainAsync() => AsPostgresAsync("pg_ctl", [
        "-D", data, "-w", "-t", "60", "-l", Path.Combine(data, "server.log"),
        "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {data} -c fsync=off -c max_connections=100",
        "start"]);

    /// <summary>Stops the cluster abruptly (SIGQUIT to every backend: connections break mid-transaction).</summary>
    public Task StopAbruptlyAsync() => AsPostgresAsync("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"]);

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                await StopAbruptlyAsync();
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        Directory.Delete(root, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task AsPostgresAsync(string tool, IReadOnlyList<string> arguments) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(binaries, tool), .. arguments])
            : RunAsync(Path.Combine(binaries, tool), arguments);

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
