namespace Mandate.Cli.Tests;

public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("--bogus")]
    [InlineData("serve", "--no-such-option")]
    [InlineData("nosuchcommand")]
    public async Task UnknownOptionOrCommand_ShouldExit2_AndNameTheMistake(params string[] args)
    {
        var (code, _, error) = await Cli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(args[^1], error, StringComparison.Ordinal);
        Assert.Contains("usage: mandate", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql:whatever")]
    [InlineData("sqlite:")]
    [InlineData("postgres")]
    public async Task BadStore_ShouldListTheAcceptedForms(string store)
    {
        var (code, _, error) = await Cli.RunAsync(["serve", "--store", store]);
        Assert.Equal(2, code);
        Assert.Contains("sqlite:PATH", error, StringComparison.Ordinal);
        Assert.Contains("postgres:CONNSTR", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ShouldListServe()
    {
        var (code, output, _) = await Cli.RunAsync(["--help"]);
        Assert.Equal(0, code);
        Assert.Contains("serve", output, StringComparison.Ordinal);
    }
}
