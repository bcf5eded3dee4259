namespace Mandate.Cli.Tests.Tasks;

public sealed class TaskCommandTests
{
    [Fact]
    public async Task Open_ShouldRefuse_WithoutAnSvid()
    {
        var previous = Environment.GetEnvironmentVariable("MANDATE_SVID");
        Environment.SetEnvironmentVariable("MANDATE_SVID", null);
        try
        {
            var (code, _, error) = await Cli.RunAsync("task", "open", "--description", "d", "--action", "read", "--resource", "Ticket");
            Assert.Equal(2, code);
            Assert.Contains("JWT-SVID", error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MANDATE_SVID", previous);
        }
    }

    [Fact]
    public async Task Open_ShouldBeAUsageError_WithoutTheIntent()
    {
        var (code, _, error) = await Cli.RunAsync("task", "open");
        Assert.Equal(2, code);
        Assert.Contains("--description", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ShouldSayWhichServerItCannotReach()
    {
        var tokenFile = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"), "admin.token");
        Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
        await File.WriteAllTextAsync(tokenFile, "not-a-real-token", TestContext.Current.CancellationToken);
        var (code, _, error) = await Cli.RunAsync("task", "list", "--server", "http://127.0.0.1:1", "--token-file", tokenFile);
        Assert.Equal(3, code);
        Assert.StartsWith("mandate: error: ", error, StringComparison.Ordinal);
        Assert.Contains("cannot reach http://127.0.0.1:1/", error, StringComparison.Ordinal);
    }
}
