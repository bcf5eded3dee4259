using System.Diagnostics;
using System.Formats.Tar;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Mandate.Cli.Tests.Install;

/// <summary>
/// The OCI image from build/image.sh, run without Docker by build/run-image.sh as a runtime would run it with
/// <c>--read-only --tmpfs /tmp -v STATE:/var/lib/mandate</c>: its own user, working directory and environment, new
/// mount and PID namespaces, the host's network (so the test reaches it on loopback). test.sh builds the image and
/// names the archive in MANDATE_TEST_IMAGE; without it the test is skipped (fails under CI). Needs root (mounts).
/// </summary>
public sealed class ImageTests
{
    private const string Variable = "MANDATE_TEST_IMAGE";
    private const string AppUid = "1654";

    [Fact]
    public async Task Image_ShouldRunAsApp_OnAReadOnlyRoot_AndAnswerItsProbes()
    {
        var archive = InstallArtifact.Require(Variable, "run build/image.sh and set it to artifacts/image/mandate.tar");
        Assert.True(File.Exists(archive), $"{Variable} names {archive}, which does not exist");
        var (uid, _, _) = await RunAsync("id", ["-u"], TimeSpan.FromSeconds(10));
        Assert.True(uid.Trim() == "0", "running the image needs root (mount and PID namespaces, chroot)");

        var work = Path.Combine(Path.GetTempPath(), "mandate-tests", "image-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            AssertImageConfig(archive, work);

            var script = RepositoryRoot.Combine("build", "run-image.sh");
            var bundle = Path.Combine(work, "bundle");
            var state = Path.Combine(work, "state");
            var (_, unpackError, unpackCode) = await RunAsync(script, ["unpack", archive, bundle], TimeSpan.FromSeconds(120));
            Assert.True(unpackCode == 0, unpackError);

            // The root file system is read-only: a store anywhere but the state volume cannot be opened.
            var (_, readOnlyError, readOnlyCode) = await RunAsync(script, ["run", bundle, state, "serve", "--urls", "http://127.0.0.1:0", "--store", "sqlite:/app/elsewhere.db"], TimeSpan.FromSeconds(60));
            Assert.Equal(1, readOnlyCode);
            Assert.Contains("Read-only file system", readOnlyError, StringComparison.Ordinal);

            var url = $"http://127.0.0.1:{FreePort()}";
            var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "run", bundle, state, "serve", "--demo", "--urls", url, "--state", "/var/lib/mandate" })
            {
                start.ArgumentList.Add(argument);
            }

            using var server = Process.Start(start)!;
            var serverError = server.StandardError.ReadToEndAsync(CancellationToken.None);
            _ = server.StandardOutput.ReadToEndAsync(CancellationToken.None);
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
                await WaitReadyAsync(http, server, serverError);

                using var health = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                Assert.Contains("\"up\"", await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

                using var decision = await http.PostAsJsonAsync("/access/v1/evaluation", new
                {
                    subject = new { type = "Workload", id = "spiffe://demo.mandate.local/svc/billing" },
                    action = new { name = "read" },
                    resource = new { type = "Invoice", id = "INV-2026-001" },
                }, TestContext.Current.CancellationToken);
                using var body = JsonDocument.Parse(await decision.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                Assert.True(body.RootElement.GetProperty("decision").GetBoolean());

                // The exec probe a runtime runs inside the image (a health check, a Kubernetes exec probe).
                var (probeOutput, probeError, probeCode) = await RunAsync(script, ["run", bundle, state, "health", "--ready", "--url", url + "/readyz"], TimeSpan.FromSeconds(60));
                Assert.True(probeCode == 0, probeError);
                Assert.Contains("ready", probeOutput, StringComparison.Ordinal);

                // Everything the server wrote is in the state volume, owned by the image's user.
                var (owner, _, _) = await RunAsync("stat", ["-c", "%u", Path.Combine(state, "mandate.db")], TimeSpan.FromSeconds(10));
                Assert.Equal(AppUid, owner.Trim());
                Assert.True(File.Exists(Path.Combine(state, "admin.token")));
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync(CancellationToken.None);
            }

            // A stopped server's probe fails: the probe does not answer 0 by default.
            var (_, _, downCode) = await RunAsync(script, ["run", bundle, state, "health", "--url", url + "/healthz", "--timeout", "2"], TimeSpan.FromSeconds(60));
            Assert.Equal(1, downCode);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A mount namespace that outlived the test (it cannot: --kill-child) would leave a busy directory.
            }
        }
    }

    /// <summary>The image's configuration as the SDK wrote it: user, working directory, entrypoint, port, volume, labels.</summary>
    private static void AssertImageConfig(string archive, string work)
    {
        var layout = Path.Combine(work, "layout");
        Directory.CreateDirectory(layout);
        TarFile.ExtractToDirectory(archive, layout, overwriteFiles: false);
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(File.ReadAllText(Blob(layout, manifestDigest)));
        using var config = JsonDocument.Parse(File.ReadAllText(Blob(layout, manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!)));
        var image = config.RootElement.GetProperty("config");

        Assert.Equal($"{AppUid}:{AppUid}", image.GetProperty("User").GetString());
        Assert.Equal("/app/", image.GetProperty("WorkingDir").GetString());
        Assert.Equal(["/app/mandate"], image.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["serve", "--urls", "http://0.0.0.0:8080", "--state", "/var/lib/mandate"], image.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.True(image.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        Assert.True(image.GetProperty("Volumes").TryGetProperty("/var/lib/mandate", out _));
        var labels = image.GetProperty("Labels");
        Assert.Equal("Mandate", labels.GetProperty("org.opencontainers.image.title").GetString());
        Assert.Equal("Apache-2.0", labels.GetProperty("org.opencontainers.image.licenses").GetString());
        Assert.False(string.IsNullOrEmpty(labels.GetProperty("org.opencontainers.image.version").GetString()));
        Assert.False(labels.TryGetProperty("org.opencontainers.image.base.name", out var baseName) && baseName.GetString()!.StartsWith("127.0.0.1", StringComparison.Ordinal),
            "the base image's name is the build's throwaway registry");
    }

    private static string Blob(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    private static async Task WaitReadyAsync(HttpClient http, Process server, Task<string> serverError)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited)
            {
                Assert.Fail("the image's server exited before it was ready: " + await serverError);
            }

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

        Assert.Fail("the image's server was not ready within 90 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(string Output, string Error, int Code)> RunAsync(string file, string[] args, TimeSpan limit)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (await output, await error, process.ExitCode);
    }
}
