using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Server.Tests.Tasks;
using static Mandate.Server.Tests.Security.DelegationAttack;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// H1: the effective rights of a credential are the intersection of its scope and its intent along the whole chain. An
/// exchange narrows the intent itself, never only the scope string, and the decision point checks both.
/// </summary>
public sealed class NarrowingBypassTests
{
    [Fact]
    public async Task TokenExchangedDownToRead_ShouldBeDeniedWrite_AtTheDecisionPoint()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read", "write"], [TaskEstate.SubAgent]));
        var readOnly = await DelegateAsync(estate, saTask, TaskEstate.SubAgent, scope: "read");

        var (write, body) = await DecideAsync(estate, TaskEstate.Agent, "write", "Ticket", "T-1001", readOnly);
        var (read, _) = await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", readOnly);

        Assert.False(write, body.ToString());
        Assert.True(read);
        // The exchange narrowed the intent itself: the copied task intent no longer lists write.
        var intent = TaskEstate.Claims(readOnly).GetProperty("mandate_intent");
        Assert.Equal(["read"], intent.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task ScopeAlone_ShouldNotGrantAnActionTheIntentLacks_AtTheDecisionPoint()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read", "write"], [TaskEstate.SubAgent]));
        var narrowed = await DelegateAsync(estate, saTask, TaskEstate.SubAgent, scope: "write");

        var (read, body) = await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", narrowed);

        Assert.False(read, body.ToString());
    }

    [Fact]
    public async Task Exchange_ShouldNarrowTheIntent_ToTheResourcesAndCeilingAskedFor()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read", "write"], [TaskEstate.SubAgent]));
        using var ts = estate.As(TaskEstate.SubAgent);
        var narrower = JsonSerializer.Serialize(new { resources = new[] { "Ticket::\"T-1001\"" }, sensitivity_ceiling = "low" });
        var (status, body) = await ExchangeAsync(ts, saTask, estate.Svid(TaskEstate.SubAgent), extra: [new("intent", narrower)]);
        Assert.True(status == 200, body.ToString());
        var token = body.GetProperty("access_token").GetString()!;

        Assert.True((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", token)).Decision);
        Assert.False((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1002", token)).Decision);
        var intent = TaskEstate.Claims(token).GetProperty("mandate_intent");
        Assert.Equal("low", intent.GetProperty("sensitivity_ceiling").GetString());
    }

    [Fact]
    public async Task TokenNarrowedToALowCeiling_ShouldBeDeniedMediumData_AtTheDecisionPoint()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        using var ts = estate.As(TaskEstate.SubAgent);
        var (status, body) = await ExchangeAsync(ts, saTask, estate.Svid(TaskEstate.SubAgent), extra: [new("intent", "{\"sensitivity_ceiling\":\"low\"}")]);
        Assert.True(status == 200, body.ToString());
        var low = body.GetProperty("access_token").GetString()!;

        Assert.False((await DecideAsync(estate, TaskEstate.Agent, "read", "Dataset", "customer-profiles", low)).Decision);
        Assert.True((await DecideAsync(estate, TaskEstate.Agent, "read", "Dataset", "kb-articles", low)).Decision);
        Assert.True((await DecideAsync(estate, TaskEstate.Agent, "read", "Dataset", "customer-profiles", saTask)).Decision);
    }

    [Fact]
    public async Task TokenNarrowedToNoOutsideDestination_ShouldBeDeniedSendingDataOutside_AtTheDecisionPoint()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, new
        {
            description = "Summarize tickets into the partner's paste bin",
            actions = new[] { "read" },
            resources = new[] { "Ticket" },
            sensitivity_ceiling = "medium",
            destinations = new[] { "paste.example.com" },
            delegates = new[] { TaskEstate.SubAgent },
        });
        using var ts = estate.As(TaskEstate.SubAgent);
        var (status, body) = await ExchangeAsync(ts, saTask, estate.Svid(TaskEstate.SubAgent), extra: [new("intent", "{\"destinations\":[]}")]);
        Assert.True(status == 200, body.ToString());
        var inside = body.GetProperty("access_token").GetString()!;
        var paste = new JsonObject { ["destination"] = "https://paste.example.com/upload" };
        var billing = new JsonObject { ["destination"] = "spiffe://demo.mandate.local/svc/billing" };

        Assert.True((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", saTask, context: paste)).Decision);
        Assert.False((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", inside, context: paste)).Decision);
        Assert.True((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", inside, context: billing)).Decision);
    }

    [Theory]
    [InlineData("{\"actions\":[\"read\",\"delete\"]}", "invalid_scope")]
    [InlineData("{\"resources\":[\"*\"]}", "invalid_scope")]
    [InlineData("{\"resources\":[\"Invoice\"]}", "invalid_scope")]
    [InlineData("{\"sensitivity_ceiling\":\"restricted\"}", "invalid_scope")]
    [InlineData("{\"destinations\":[\"https://paste.example.com\"]}", "invalid_scope")]
    [InlineData("{\"actions\":\"read\"}", "invalid_request")]
    [InlineData("not json", "invalid_request")]
    public async Task Exchange_ShouldRefuse_AnIntentWiderThanTheSubjectTokens(string intent, string error)
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read", "write"], [TaskEstate.SubAgent]));
        using var ts = estate.As(TaskEstate.SubAgent);

        var (status, body) = await ExchangeAsync(ts, saTask, estate.Svid(TaskEstate.SubAgent), extra: [new("intent", intent)]);

        Assert.True(status == 400, body.ToString());
        Assert.Equal(error, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Exchange_ShouldRefuse_AScopeWiderThanTheSubjectTokens()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        using var ts = estate.As(TaskEstate.SubAgent);

        var (status, body) = await ExchangeAsync(ts, saTask, estate.Svid(TaskEstate.SubAgent), extra: [new("scope", "read write")]);

        Assert.True(status == 400, body.ToString());
        Assert.Equal("invalid_scope", body.GetProperty("error").GetString());
    }
}
