using Mandate.Core.Audit;

namespace Mandate.Cli.Tests.Audit;

/// <summary>Bad paths, URLs and files given to the audit commands: a clear error naming the input, a non-zero exit, no exception.</summary>
public sealed class AuditInputErrorTests
{
    [Fact]
    public async Task Verify_ShouldTakeAnArgumentStartingWithAt_AsAPath()
    {
        var (_, directory) = await SeedAsync();

        var (code, _, error) = await Cli.RunAsync("audit", "verify", "--file", "@" + directory);

        Assert.Equal(1, code);
        Assert.Contains("--file", error, StringComparison.Ordinal);
        Assert.Contains("@" + directory, error, StringComparison.Ordinal);
    }

    private static Task<(string Store, string Directory)> SeedAsync() =>
        AuditTestLedger.CreateAsync(
            Enumerable.Range(0, 5).Select(i => new AuditEvent { Type = "decision", Subject = "spiffe://demo.mandate.local/svc/billing", Action = "write", Resource = $"doc:{i}", Decision = "deny" }));
}
