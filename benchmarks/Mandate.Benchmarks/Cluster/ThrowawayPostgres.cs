using System.Diagnostics;
using Mandate.Tests.Shared;

namespace Mandate.Benchmarks.Cluster;

/// <summary>
/// The PostgreSQL the fan-out driver runs on: <c>MANDATE_TEST_PG</c> when set (the loopback server ./test.sh starts),
/// otherwise a throwaway cluster of its own (initdb into a temporary directory, a free loopback port below the kernel's
/// ephemeral range as the tests pick it (<see cref="LoopbackPorts"/>, shared with them), run as the postgres user when
/// the driver runs as root), stopped and deleted when the driver ends.
/// </summary>
internal sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string? binaries;
    private readonly string? root;

    private ThrowawayPostgres(string connectionString, string? binaries, string? root)
    {
        ConnectionString = connectionString;
        this.binaries = binaries;
        this.root = root;
    }

    public string ConnectionString { get; }

    public string Describe => root is null ? "MANDATE_TEST_PG" : "a throwaway cluster started by the driver";

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("MANDATE_TEST_PG") is { Length: > 0 } given)
        {
            return new ThrowawayPostgres(given, null, null);
        }

        var binaries = (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            .OrderByDescending(d => d, StringComparer.Ordinal)
            .FirstOrDefault()
            ?? throw new InvalidOperationException("Set MANDATE_TEST_PG to a loopback PostgreSQL, or install the PostgreSQL server (initdb, pg_ctl under /usr/lib/postgresql/*/bin).");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The driver starts its own PostgreSQL on Linux only; set MANDATE_TEST_PG.");
        }

        var root = Path.Combine(Path.GetTempPath(), "mandate-fanout-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres", data]);
        }

        var setup = new ThrowawayPostgres(string.Empty, binaries, root);
        await setup.AsPostgresAsync("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions", "--no-sync"]);

        // A port taken between the check and PostgreSQL's bind costs another try on another port.
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPorts.BelowEphemeralRange();
            try
            {
                await setup.AsPostgresAsync("pg_ctl", [
                    "-D", data, "-w", "-t", "60", "-l", Path.Combine(data, "server.log"),
                    "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off -c synchronous_commit=off -c max_connections=200",
                    "start"]);
                return new ThrowawayPostgres($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=40", binaries, root);
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                // Try another port.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (root is null)
        {
            return;
        }

        var data = Path.Combine(root, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            await AsPostgresAsync("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"]);
        }

        Directory.Delete(root, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task AsPostgresAsync(string tool, IReadOnlyList<string> arguments) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(binaries!, tool), .. arguments])
            : RunAsync(Path.Combine(binaries!, tool), arguments);

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
