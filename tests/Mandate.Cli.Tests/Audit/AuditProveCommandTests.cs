using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;

namespace Mandate.Cli.Tests.Audit;

/// <summary><c>mandate audit prove</c> and <c>mandate audit verify --proof</c>: one event proven offline with a pinned key.</summary>
public sealed class AuditProveCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prove_ThenVerify_ShouldPass_WithThePinnedKey_AndFail_WhenTheEventIsEdited()
    {
        var (store, directory) = await SeedAsync(checkpoint: true);
        var keyFile = Path.Combine(directory, "keys.json");
        await File.WriteAllTextAsync(keyFile, await KeysJsonAsync(store), Ct);

        var (code, proof, error) = await Cli.RunAsync("audit", "prove", "3", "--store", store);
        Assert.True(code == 0, error);
        var proofFile = Path.Combine(directory, "proof.json");
        await File.WriteAllTextAsync(proofFile, proof, Ct);

        var (verified, output, verifyError) = await Cli.RunAsync("audit", "verify", "--proof", proofFile, "--key", keyFile);
        Assert.True(verified == 0, verifyError);
        Assert.Contains("event 3 is in the ledger", output, StringComparison.Ordinal);

        var edited = Path.Combine(directory, "edited.json");
        await File.WriteAllTextAsync(edited, proof.Replace("\"deny\"", "\"allow\"", StringComparison.Ordinal), Ct);
        var (refused, _, reason) = await Cli.RunAsync("audit", "verify", "--proof", edited, "--key", keyFile);
        Assert.Equal(1, refused);
        Assert.Contains("does NOT verify", reason, StringComparison.Ordinal);
        Assert.Contains("modified", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ShouldNameLineAndColumn_ForATruncatedProof()
    {
        var (store, directory) = await SeedAsync(checkpoint: true);
        var (_, proof, _) = await Cli.RunAsync("audit", "prove", "2", "--store", store);
        var truncated = Path.Combine(directory, "truncated.json");
        await File.WriteAllTextAsync(truncated, proof[..(proof.Length / 2)], Ct);

        var (code, _, error) = await Cli.RunAsync("audit", "verify", "--proof", truncated);

        Assert.Equal(1, code);
        Assert.Matches(@"truncated\.json:\d+:\d+: not valid JSON", error);
    }

    [Fact]
    public async Task Prove_ShouldSayWhy_WhenNoCheckpointCoversTheEventYet()
    {
        var (store, _) = await SeedAsync(checkpoint: false);

        var (code, _, error) = await Cli.RunAsync("audit", "prove", "2", "--store", store);

        Assert.Equal(1, code);
        Assert.Contains("not covered by a signed checkpoint", error, StringComparison.Ordinal);
    }

    private static async Task<string> KeysJsonAsync(string store)
    {
        await using var opened = new SqliteStore(store["sqlite:".Length..]);
        await using var session = await opened.BeginAsync(StoreIntent.Read, Ct);
        var keys = await session.Get<IAuditRepository>().GetPublicKeysAsync(Ct);
        return "{\"keys\":[" + string.Join(',', keys.Select(k => k.ToJwkJson())) + "]}";
    }

    private static Task<(string Store, string Directory)> SeedAsync(bool checkpoint) =>
        AuditTestLedger.CreateAsync(
            Enumerable.Range(0, 5).Select(i => new AuditEvent { Type = "decision", Subject = "spiffe://demo.mandate.local/svc/billing", Action = "write", Resource = $"doc:{i}", Decision = "deny" }),
            checkpoint);
}
