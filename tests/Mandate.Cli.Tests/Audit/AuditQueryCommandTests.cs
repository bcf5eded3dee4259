using Mandate.Core.Audit;

namespace Mandate.Cli.Tests.Audit;

public sealed class AuditQueryCommandTests
{
    private const string Agent = "spiffe://demo.mandate.local/agent/support-assistant";
    private const string Billing = "spiffe://demo.mandate.local/svc/billing";

    [Fact]
    public async Task Query_ShouldPrintTheMatchingEvents_FromAStoreOffline()
    {
        var store = await SeedAsync();

        var (code, output, error) = await Cli.RunAsync("audit", "query", "--store", store, "--identity", Agent, "--decision", "deny");

        Assert.True(code == 0, error);
        Assert.Contains("https://evil.example/upload", output, StringComparison.Ordinal);
        Assert.DoesNotContain("ticket:42  allow", output, StringComparison.Ordinal);
        Assert.Contains("1 events", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeline_ShouldShowCredentialsUsesDelegationsDecisionsAndRevocation()
    {
        var store = await SeedAsync();

        var (code, output, error) = await Cli.RunAsync("audit", "timeline", Agent, "--store", store);

        Assert.True(code == 0, error);
        Assert.Contains("jti-task (task) issued", output, StringComparison.Ordinal);
        Assert.Contains("revoked", output, StringComparison.Ordinal);
        Assert.Contains("task closed", output, StringComparison.Ordinal);
        Assert.Contains($"{Agent} acted for {Billing}", output, StringComparison.Ordinal);
        Assert.Contains("deny write on https://evil.example/upload", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdentityTimeline_ShouldBeTheSameCommand()
    {
        var store = await SeedAsync();

        var (code, output, error) = await Cli.RunAsync("identity", "timeline", Agent, "--store", store, "--json");

        Assert.True(code == 0, error);
        Assert.Contains("\"jti\": \"jti-task\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeline_ShouldBeAUsageError_ForAnIdThatIsNotASpiffeId()
    {
        var store = await SeedAsync();

        var (code, _, error) = await Cli.RunAsync("identity", "timeline", "nobody", "--store", store);

        Assert.Equal(2, code);
        Assert.Contains("'nobody' is not a SPIFFE ID", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_ShouldBeAUsageError_ForABadDecision()
    {
        var (code, _, error) = await Cli.RunAsync("audit", "query", "--decision", "maybe");
        Assert.Equal(2, code);
        Assert.Contains("maybe", error, StringComparison.Ordinal);
    }

    private static async Task<string> SeedAsync()
    {
        AuditEvent[] events =
        [
            new() { Type = "credential.issued", Actor = "spiffe://demo.mandate.local/mandate", Subject = Agent, CredentialId = "jti-task", TaskId = "task-7", Details = new Dictionary<string, string> { ["kind"] = "task" } },
            new() { Type = "token.exchanged", Actor = Agent, Subject = Billing, Chain = [Agent], CredentialId = "jti-delegated", TaskId = "task-7", Details = new Dictionary<string, string> { ["parent_jti"] = "jti-task" } },
            new() { Type = "decision", Subject = Billing, Chain = [Agent], CredentialId = "jti-delegated", Action = "read", Resource = "ticket:42", Decision = "allow" },
            new() { Type = "decision", Subject = Billing, Chain = [Agent], CredentialId = "jti-delegated", Action = "write", Resource = "https://evil.example/upload", Decision = "deny" },
            new() { Type = "credential.revoked", Actor = "admin", CredentialId = "jti-task", Reason = "task closed" },
        ];

        return (await AuditTestLedger.CreateAsync(events)).Store;
    }
}
