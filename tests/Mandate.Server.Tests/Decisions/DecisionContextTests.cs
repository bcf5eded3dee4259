using Mandate.Core.Credentials;
using Mandate.Core.Tasks;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Decisions.AuthZenHttp;

namespace Mandate.Server.Tests.Decisions;

/// <summary>
/// The credential in <c>context.credential</c> drives the demo policies: the support assistant's task lets it read data
/// and update tickets, while a write to a destination outside the trust domain is forbidden in the same task.
/// The verifier here stands in for the tasks feature's (it maps fixed test tokens to verified credentials).
/// </summary>
public sealed class DecisionContextTests : IAsyncLifetime
{
    private const string Agent = "spiffe://demo.mandate.local/agent/support-assistant";
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync() => server = await MandateTestServer.StartAsync(
        configureBuilder: b => b.Services.AddSingleton<ICredentialVerifier>(new FixedCredentialVerifier()));

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Task_ShouldAllowADataRead_AndForbidACrossDomainWrite_InTheSameTask()
    {
        var read = await DecideAsync("read", "Dataset", "customer-profiles", "task-token");
        var inDomainWrite = await DecideAsync("write", "Ticket", "T-1001", "task-token", "spiffe://demo.mandate.local/svc/billing");
        var crossDomainWrite = await DecideAsync("write", "Ticket", "T-1001", "task-token", "https://paste.example.com/upload");

        Assert.True(read.Allowed);
        Assert.True(inDomainWrite.Allowed);
        Assert.False(crossDomainWrite.Allowed);
        Assert.Contains("forbid-cross-domain-write", crossDomainWrite.Reasons);
    }

    [Fact]
    public async Task Read_ShouldBeDenied_WithoutATaskCredential_EvenWhenTheCallerClaimsATask()
    {
        var json = """{"subject":{"type":"Workload","id":"AGENT"},"action":{"name":"read"},"resource":{"type":"Dataset","id":"customer-profiles"},"context":{"task":{"actions":["read"],"sensitivity_ceiling_level":4}}}"""
            .Replace("AGENT", Agent, StringComparison.Ordinal);
        var (_, body, _) = await PostAsync(server.Client, "/access/v1/evaluation", json);
        Assert.False(body.GetProperty("decision").GetBoolean());
    }

    [Fact]
    public async Task Read_ShouldBeDenied_AboveTheTaskSensitivityCeiling()
    {
        var decision = await DecideAsync("read", "Dataset", "payment-cards", "task-token");
        Assert.False(decision.Allowed);
        Assert.Contains("forbid-above-task-ceiling", decision.Reasons);
    }

    [Fact]
    public async Task Action_ShouldBeDenied_WhenOutsideTheTaskScope()
    {
        var decision = await DecideAsync("read", "Invoice", "INV-2026-001", "task-token");
        Assert.False(decision.Allowed);
        Assert.Equal("outside_task_scope", decision.Reason);
    }

    [Fact]
    public async Task Credential_ShouldDeny_WhenItDoesNotVerify()
    {
        var decision = await DecideAsync("read", "Dataset", "kb-articles", "revoked-token");
        Assert.False(decision.Allowed);
        Assert.Equal("invalid_token", decision.Reason);
    }

    [Fact]
    public async Task Credential_ShouldDeny_WhenItBelongsToAnotherSubject()
    {
        var decision = await DecideAsync("read", "Dataset", "kb-articles", "billing-token");
        Assert.False(decision.Allowed);
        Assert.Equal("subject_mismatch", decision.Reason);
    }

    [Fact]
    public async Task Chain_ShouldReachPolicies_SoADeepDelegatedWriteIsForbidden()
    {
        var shallow = await DecideAsync("write", "Ticket", "T-1002", "delegated-token");
        var deep = await DecideAsync("write", "Ticket", "T-1002", "deep-delegated-token");
        Assert.True(shallow.Allowed);
        Assert.False(deep.Allowed);
        Assert.Contains("forbid-deep-delegated-write", deep.Reasons);
    }

    private async Task<(bool Allowed, string[] Reasons, string? Reason)> DecideAsync(string action, string type, string id, string token, string? destination = null)
    {
        using var admin = server.CreateAdminClient();
        var destinationMember = destination is null ? "" : $",\"destination\":\"{destination}\"";
        var json = $$$"""{"subject":{"type":"Workload","id":"{{{Agent}}}"},"action":{"name":"{{{action}}}"},"resource":{"type":"{{{type}}}","id":"{{{id}}}"},"context":{"credential":"{{{token}}}"{{{destinationMember}}}}}""";
        var (status, body, _) = await PostAsync(admin, "/access/v1/evaluation", json);
        Assert.Equal(200, status);
        var context = body.GetProperty("context");
        return (
            body.GetProperty("decision").GetBoolean(),
            context.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray(),
            context.TryGetProperty("reason", out var reason) ? reason.GetString() : null);
    }

    private sealed class FixedCredentialVerifier : ICredentialVerifier
    {
        public ValueTask<CredentialVerification> VerifyAsync(string token, CancellationToken ct) => VerifyAsync(new CredentialPresentation(token), ct);

        public ValueTask<CredentialVerification> VerifyAsync(CredentialPresentation presentation, CancellationToken ct) =>
            ValueTask.FromResult(presentation.Token switch
            {
                "task-token" => CredentialVerification.Success(Credential(Agent, [])),
                "delegated-token" => CredentialVerification.Success(Credential("spiffe://demo.mandate.local/user/carol", [Agent, "spiffe://demo.mandate.local/user/carol"])),
                "deep-delegated-token" => CredentialVerification.Success(Credential(
                    "spiffe://demo.mandate.local/user/carol",
                    [Agent, "spiffe://demo.mandate.local/agent/planner", "spiffe://demo.mandate.local/agent/router"])),
                "billing-token" => CredentialVerification.Success(Credential("spiffe://demo.mandate.local/svc/billing", [])),
                _ => CredentialVerification.Failure("The credential is revoked."),
            });

        private static VerifiedCredential Credential(string subject, IReadOnlyList<string> chain) => new()
        {
            Jti = "jti-" + subject.GetHashCode(StringComparison.Ordinal),
            Subject = subject,
            Kind = chain.Count > 0 ? "exchanged" : "task",
            TaskId = "task-1",
            Scopes = ["read", "write"],
            Audiences = ["mandate"],
            IssuedAt = DateTimeOffset.UnixEpoch,
            ExpiresAt = DateTimeOffset.MaxValue,
            Chain = chain,
            Intent = new TaskIntent
            {
                Description = "Answer customer tickets",
                Actions = ["read", "write"],
                Resources = ["Ticket", "Dataset"],
                SensitivityCeiling = DataSensitivity.Medium,
                // The task lets data go to the paste host, so the cross-domain write is left to the estate's policy.
                Destinations = ["paste.example.com"],
            },
        };
    }
}
