namespace Mandate.Cli.Tests.Gateway;

/// <summary>
/// <c>mandate gateway mcp</c>'s command line before it listens: usage errors (exit 2) for missing or malformed options,
/// and a bad configuration file named with its line and column (exit 1). Its runs are in Mandate.Gateway.Mcp.Tests.
/// </summary>
public sealed class GatewayCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("mandate-gateway-cli-").FullName;
    private readonly string tokenFile;

    public GatewayCommandTests()
    {
        tokenFile = Path.Combine(directory, "pep.token");
        File.WriteAllText(tokenFile, "mpt_gateway-cli-test-token-0123456789abcdef");
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(new[] { "--upstream", "stdio:true" }, "--name is required")]
    [InlineData(new[] { "--name", "files" }, "--upstream is required")]
    [InlineData(new[] { "--name", "a b", "--upstream", "stdio:true" }, "--name: the upstream name 'a b' may only hold")]
    [InlineData(new[] { "--name", "files", "--upstream", "stdio:node 'open" }, "--upstream: stdio: the command has an unclosed quote.")]
    [InlineData(new[] { "--name", "files", "--upstream", "stdio:true", "--tool-action", "write_file=delete" }, "--tool-action: 'write_file=delete' is not TOOL=read or TOOL=write.")]
    [InlineData(new[] { "--name", "files", "--upstream", "stdio:true", "--listen", "localhost:80" }, "--listen: 'localhost:80' is not an absolute http(s) URL.")]
    public async Task CommandLine_ShouldBeAUsageError_NamingTheOption(string[] args, string expected)
    {
        var (code, output, error) = await Cli.RunAsync(["gateway", "mcp", .. args, "--token-file", tokenFile]);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith("mandate: error: " + expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFile_WithAnError_ShouldFail_NamingFileLineAndColumn()
    {
        var config = Path.Combine(directory, "gateway.json");
        await File.WriteAllTextAsync(config, "{\n  \"upstreams\": [\n    { \"name\": \"files\", \"command\": [] }\n  ]\n}", TestContext.Current.CancellationToken);

        var (code, _, error) = await Cli.RunAsync("gateway", "mcp", "--config", config, "--token-file", tokenFile);

        Assert.Equal(1, code);
        Assert.StartsWith($"mandate: error: {config}:3:15: the command of upstream 'files' must be a non-empty array", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFile_AndUpstreamOptions_ShouldNotBeMixed()
    {
        var config = Path.Combine(directory, "ok.json");
        await File.WriteAllTextAsync(config, """{ "upstreams": [ { "name": "files", "url": "http://127.0.0.1:9/mcp" } ] }""", TestContext.Current.CancellationToken);

        var (code, _, error) = await Cli.RunAsync("gateway", "mcp", "--config", config, "--name", "x", "--token-file", tokenFile);

        Assert.Equal(2, code);
        Assert.Contains("give either --config or --name and --upstream", error, StringComparison.Ordinal);
    }
}
