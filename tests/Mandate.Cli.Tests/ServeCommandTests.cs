using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mandate.Cli.Tests;

public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_OnAPortInUse_ShouldPrintOneCleanErrorNamingTheAddress_AndExitNonZero()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)occupant.LocalEndpoint).Port}";
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "mandate.dll"), "serve", "--demo", "--urls", url, "--state", state })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        var stdout = await output;
        var stderr = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single(stderr);
        Assert.StartsWith("mandate: error: ", line, StringComparison.Ordinal);
        Assert.Contains(url, line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ShouldRefuseACorruptDatabase_WithAClearMessage()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "corrupt.db");
        await File.WriteAllTextAsync(path, "definitely not SQLite", TestContext.Current.CancellationToken);

        var (code, _, error) = await Cli.RunAsync("serve", "--store", "sqlite:" + path, "--urls", "http://127.0.0.1:0", "--state", directory);

        Assert.Equal(1, code);
        Assert.Contains("not a SQLite database", error, StringComparison.Ordinal);
        Assert.Equal("definitely not SQLite", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Serve_WithAGatewayOnAPortInUse_ShouldPrintOneCleanErrorNamingTheFileAndAddress()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)occupant.LocalEndpoint).Port}";
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "gateway.json");
        await File.WriteAllTextAsync(config, $$"""{ "listen": "{{url}}", "upstreams": [ { "name": "files", "url": "http://127.0.0.1:9/mcp" } ] }""", TestContext.Current.CancellationToken);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "mandate.dll"), "serve", "--demo", "--urls", "http://127.0.0.1:0", "--state", directory, "--mcp-gateway", config })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;

        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mandate: error: MCP gateway " + config, line, StringComparison.Ordinal);
        Assert.Contains(url, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output + line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ShouldRefuseAMissingGatewayFile_AndTwoGatewaysOnOneAddress()
    {
        var (code, _, error) = await Cli.RunAsync("serve", "--mcp-gateway", "/nonexistent/gateway.json");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/gateway.json", error, StringComparison.Ordinal);

        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var first = Path.Combine(directory, "first.json");
        var second = Path.Combine(directory, "second.json");
        foreach (var file in new[] { first, second })
        {
            await File.WriteAllTextAsync(file, """{ "upstreams": [ { "name": "files", "url": "http://127.0.0.1:9/mcp" } ] }""", TestContext.Current.CancellationToken);
        }

        (code, _, error) = await Cli.RunAsync("serve", "--state", directory, "--mcp-gateway", first, "--mcp-gateway", second);
        Assert.Equal(2, code);
        Assert.Contains("both listen on http://127.0.0.1:8090", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ShouldRefuseAMissingDataDirectory()
    {
        var (code, _, error) = await Cli.RunAsync("serve", "--data", "/nonexistent/mandate-data");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/mandate-data", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ShouldReportAnUnreachablePostgres()
    {
        var (code, _, error) = await Cli.RunAsync("serve", "--store", "postgres:Host=127.0.0.1;Port=1;Username=x;Database=y;Timeout=2", "--urls", "http://127.0.0.1:0", "--state", Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N")));
        Assert.Equal(1, code);
        Assert.Contains("PostgreSQL", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=127.0.0.1", error, StringComparison.Ordinal);
    }
}
