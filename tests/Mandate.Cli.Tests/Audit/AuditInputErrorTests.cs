using Mandate.Core.Audit;

namespace Mandate.Cli.Tests.Audit;

/// <summary>Bad paths, URLs and files given to the audit commands: a clear error naming the input, a non-zero exit, no exception.</summary>
public sealed class AuditInputErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Verify_ShouldTakeAnArgumentStartingWithAt_AsAPath()
    {
        var (_, directory) = await SeedAsync();

        var (code, _, error) = await Cli.RunAsync("audit", "verify", "--file", "@" + directory);

        Assert.Equal(1, code);
        Assert.Contains("--file", error, StringComparison.Ordinal);
        Assert.Contains("@" + directory, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ShouldNameTheOutput_WhenItsDirectoryIsMissing_OrItIsADirectory()
    {
        var (store, directory) = await SeedAsync();

        var missing = Path.Combine(directory, "nodir", "x.jsonl");
        var (code, _, error) = await Cli.RunAsync("audit", "export", "--store", store, "--output", missing);
        Assert.Equal(1, code);
        Assert.Contains("--output", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(directory, "nodir"), error, StringComparison.Ordinal);

        (code, _, error) = await Cli.RunAsync("audit", "export", "--store", store, "--output", directory);
        Assert.Equal(1, code);
        Assert.Contains("--output", error, StringComparison.Ordinal);
        Assert.Contains("is a directory", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--since", "1/2/2026")]
    [InlineData("--since", "2026-01-02T00:00:00")]
    [InlineData("--until", "yesterday")]
    public async Task Query_ShouldRefuseTimesThatAreNotRfc3339WithAZone(string option, string value)
    {
        var (store, _) = await SeedAsync();

        var (code, _, error) = await Cli.RunAsync("audit", "query", "--store", store, option, value);

        Assert.Equal(2, code);
        Assert.Contains(option, error, StringComparison.Ordinal);
        Assert.Contains("RFC 3339", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--from", "0")]
    [InlineData("--from", "-5")]
    [InlineData("--to", "0")]
    public async Task Export_ShouldRefuseARangeThatCannotHoldAnEvent(string option, string value)
    {
        var (store, _) = await SeedAsync();

        var (code, output, error) = await Cli.RunAsync("audit", "export", "--store", store, option, value);

        Assert.Equal(2, code);
        Assert.Contains(option, error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task Export_ShouldLeaveAnExistingOutputAsItWas_WhenTheExportFails()
    {
        var (_, directory) = await SeedAsync();
        var unmigrated = Path.Combine(directory, "unmigrated.db");
        await File.WriteAllBytesAsync(unmigrated, [], Ct);
        var output = Path.Combine(directory, "previous.jsonl");
        await File.WriteAllTextAsync(output, "the previous export\n", Ct);

        var (code, _, error) = await Cli.RunAsync("audit", "export", "--store", "sqlite:" + unmigrated, "--output", output);

        Assert.Equal(1, code);
        Assert.Contains("no audit ledger tables", error, StringComparison.Ordinal);
        Assert.Equal("the previous export\n", await File.ReadAllTextAsync(output, Ct));
        Assert.Equal(["previous.jsonl"], Directory.GetFiles(directory, "*.jsonl*").Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("not a url", "audit", "query")]
    [InlineData("ftp://x", "audit", "query")]
    [InlineData("not a url", "audit", "prove", "1")]
    [InlineData("ftp://x", "audit", "prove", "1")]
    [InlineData("not a url", "identity", "timeline", "spiffe://demo.mandate.local/svc/billing")]
    [InlineData("ftp://x", "identity", "timeline", "spiffe://demo.mandate.local/svc/billing")]
    public async Task AdminApiCommands_ShouldRefuseAServerThatIsNotAnHttpUrl(string server, params string[] command)
    {
        var (code, _, error) = await Cli.RunAsync([.. command, "--server", server]);

        Assert.Equal(2, code);
        Assert.Contains($"--server: '{server}' is not an http(s) URL", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyFile_ShouldNameLineAndColumn_OfAByteThatIsNotUtf8()
    {
        var export = await ExportAsync();
        var bytes = await File.ReadAllBytesAsync(export, Ct);
        var lineStart = StartOfLine(bytes, 3);
        bytes[lineStart + 20] = 0xFF;
        await File.WriteAllBytesAsync(export, bytes, Ct);

        var (code, _, error) = await Cli.RunAsync("audit", "verify", "--file", export);

        Assert.Equal(1, code);
        Assert.Contains($"{export}:3:21: not valid UTF-8", error, StringComparison.Ordinal);
        Assert.DoesNotContain("index", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyFile_ShouldNameLineAndColumn_OfAJsonError_WithoutTheReadersZeroBasedPosition()
    {
        var export = await ExportAsync();
        var lines = (await File.ReadAllTextAsync(export, Ct)).Split('\n');
        Assert.StartsWith("{\"kind\":\"event\",", lines[2], StringComparison.Ordinal);
        lines[2] = lines[2].Insert("{\"kind\":\"event\"".Length, "#");
        await File.WriteAllTextAsync(export, string.Join('\n', lines), Ct);

        var (code, _, error) = await Cli.RunAsync("audit", "verify", "--file", export);

        Assert.Equal(1, code);
        Assert.Contains($"{export}:3:16: not valid JSON (", error, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error, StringComparison.Ordinal);
        Assert.Contains("1 events verified before it", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ShouldReportABrokenKeyFile_ByLineAndColumn_AsAContentError()
    {
        var export = await ExportAsync();
        var keys = Path.Combine(Path.GetDirectoryName(export)!, "keys.json");
        await File.WriteAllTextAsync(keys, "{\n  \"keys\": [ }\n", Ct);

        var (code, _, error) = await Cli.RunAsync("audit", "verify", "--file", export, "--key", keys);

        Assert.Equal(1, code);
        Assert.Contains($"{keys}:2:13: not valid JSON (", error, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error, StringComparison.Ordinal);
    }

    private static int StartOfLine(byte[] bytes, int line)
    {
        var start = 0;
        for (var i = 1; i < line; i++)
        {
            start = Array.IndexOf(bytes, (byte)'\n', start) + 1;
        }

        return start;
    }

    private static async Task<string> ExportAsync()
    {
        var (store, directory) = await SeedAsync();
        var export = Path.Combine(directory, "audit.jsonl");
        var (code, _, error) = await Cli.RunAsync("audit", "export", "--store", store, "--output", export);
        Assert.True(code == 0, error);
        return export;
    }

    private static Task<(string Store, string Directory)> SeedAsync() =>
        AuditTestLedger.CreateAsync(
            Enumerable.Range(0, 5).Select(i => new AuditEvent { Type = "decision", Subject = "spiffe://demo.mandate.local/svc/billing", Action = "write", Resource = $"doc:{i}", Decision = "deny" }));
}
