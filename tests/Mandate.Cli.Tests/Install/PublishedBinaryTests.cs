using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Mandate.Cli.Tests.Install;

/// <summary>
/// The self-contained single-file binary from build/publish.sh, run as a user would run it: no SDK, its own working
/// directory. test.sh publishes it and names it in MANDATE_TEST_PUBLISHED (without it the test is skipped; under CI it fails).
/// </summary>
public sealed class PublishedBinaryTests
{
    private const string Variable = "MANDATE_TEST_PUBLISHED";

    [Fact]
    public async Task PublishedBinary_ShouldServeTheDemo_DecideAndVerifyItsLedger()
    {
        var binary = InstallArtifact.Require(Variable, "run build/publish.sh and set it to artifacts/publish/mandate");
        Assert.True(File.Exists(binary), $"{Variable} names {binary}, which does not exist");

        // One file: nothing beside the binary that it needs at run time.
        Assert.Equal(["mandate"], Directory.GetFiles(Path.GetDirectoryName(binary)!).Select(Path.GetFileName));

        var work = Path.Combine(Path.GetTempPath(), "mandate-tests", "published-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var url = $"http://127.0.0.1:{FreePort()}";
        using var server = Start(binary, work, "serve", "--demo", "--urls", url);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            await WaitReadyAsync(http, server.Process);

            using var decision = await http.PostAsJsonAsync("/access/v1/evaluation", new
            {
                subject = new { type = "Workload", id = "spiffe://demo.mandate.local/svc/billing" },
                action = new { name = "read" },
                resource = new { type = "Invoice", id = "INV-2026-001" },
            }, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, decision.StatusCode);
            using var body = JsonDocument.Parse(await decision.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.True(body.RootElement.GetProperty("decision").GetBoolean());

            // The CLI of the same binary reads the demo's admin token from ./.mandate and asks the server to verify.
            using var verify = Start(binary, work, "audit", "verify", "--server", url);
            var (code, output, error) = await verify.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(code == 0, $"audit verify exited {code}: {output}{error}");
            Assert.Contains("verified", output, StringComparison.Ordinal);
        }
        finally
        {
            server.Process.Kill(entireProcessTree: true);
            await server.Process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task WaitReadyAsync(HttpClient http, Process server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(server.HasExited, "the published server exited before it was ready");
            try
            {
                using var ready = await http.GetAsync("/readyz", TestContext.Current.CancellationToken);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        Assert.Fail("the published server was not ready within 90 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static RunningProcess Start(string binary, string work, params string[] args)
    {
        var start = new ProcessStartInfo(binary)
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        // Where the single file extracts its native libraries (SQLite, libsodium): this run's own folder.
        start.Environment["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Path.Combine(work, "bundle");
        start.Environment["HOME"] = work;
        start.Environment.Remove("MANDATE_TOKEN");
        start.Environment.Remove("MANDATE_SERVER");
        return new RunningProcess(Process.Start(start)!);
    }

    private sealed class RunningProcess : IDisposable
    {
        private readonly Task<string> _output;
        private readonly Task<string> _error;

        public RunningProcess(Process process)
        {
            Process = process;
            _output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            _error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        }

        public Process Process { get; }

        public async Task<(int Code, string Output, string Error)> WaitAsync(TimeSpan limit)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(limit);
            await Process.WaitForExitAsync(timeout.Token);
            return (Process.ExitCode, await _output, await _error);
        }

        public void Dispose() => Process.Dispose();
    }
}
