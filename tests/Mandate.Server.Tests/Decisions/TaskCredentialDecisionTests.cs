using Mandate.Server.Tests.Tasks;
using static Mandate.Server.Tests.Decisions.AuthZenHttp;

namespace Mandate.Server.Tests.Decisions;

/// <summary>
/// End to end with the real tasks feature: the support assistant opens a task under the demo policies, then presents
/// its task credential in <c>context.credential</c>; the same task reads data but cannot write outside the trust domain.
/// </summary>
public sealed class TaskCredentialDecisionTests
{
    [Fact]
    public async Task RealTaskCredential_ShouldAllowRead_AndForbidCrossDomainWrite_InTheSameTask()
    {
        await using var estate = await TaskEstate.StartAsync(o =>
        {
            o.DataDirectory = null;
            o.Demo = true;
        });
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent, new
        {
            description = "Answer ticket T-1001",
            actions = new[] { "read", "write" },
            resources = new[] { "Ticket", "Dataset" },
            sensitivity_ceiling = "medium",
            destinations = Array.Empty<string>(),
            delegates = Array.Empty<string>(),
        });

        async Task<bool> DecideAsync(string action, string type, string id, string? destination = null)
        {
            var destinationMember = destination is null ? "" : ",\"destination\":\"" + destination + "\"";
            var json = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + TaskEstate.Agent + "\"},\"action\":{\"name\":\"" + action +
                "\"},\"resource\":{\"type\":\"" + type + "\",\"id\":\"" + id + "\"},\"context\":{\"credential\":\"" + token + "\"" + destinationMember + "}}";
            var (status, body, _) = await PostAsync(estate.Server.Client, "/access/v1/evaluation", json);
            Assert.Equal(200, status);
            return body.GetProperty("decision").GetBoolean();
        }

        Assert.True(await DecideAsync("read", "Dataset", "customer-profiles"));
        Assert.False(await DecideAsync("read", "Dataset", "payment-cards"));
        Assert.True(await DecideAsync("write", "Ticket", "T-1001", "spiffe://demo.mandate.local/svc/billing"));
        Assert.False(await DecideAsync("write", "Ticket", "T-1001", "https://paste.example.com/upload"));
        Assert.False(await DecideAsync("read", "Invoice", "INV-2026-001"));
    }
}
