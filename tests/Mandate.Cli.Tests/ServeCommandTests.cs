namespace Mandate.Cli.Tests;

public sealed class ServeCommandTests
{
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
