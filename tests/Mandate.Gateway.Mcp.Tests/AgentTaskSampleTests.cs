using Mandate.Samples.AgentTask;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// samples/agent-task runs: its story against a real server in demo mode and the gateway in front of the sample's two
/// MCP servers (its own stdio processes), over HTTP only, holds at every step.
/// </summary>
public sealed class AgentTaskSampleTests
{
    [Fact]
    public async Task Story_HoldsAtEveryStep()
    {
        var sample = SampleDll;
        await using var estate = await GatewayEstate.StartAsync(
        [
            new UpstreamOptions { Name = "tickets", Command = ["dotnet", sample, "upstream", "tickets"] },
            new UpstreamOptions { Name = "admin", Command = ["dotnet", sample, "upstream", "admin"] },
        ]);
        using var output = new StringWriter();

        var story = new AgentTaskStory(estate.Server.Address, estate.GatewayAddress, estate.Server.AdminToken, output);
        var held = await story.RunAsync(TestContext.Current.CancellationToken);

        Assert.True(held, output.ToString());
        var text = output.ToString();
        Assert.Contains("Mandate refused tools/call of 'send_summary'", text, StringComparison.Ordinal);
        Assert.Contains("outside_task_scope", text, StringComparison.Ordinal);
        Assert.Contains("The story held at every step.", text, StringComparison.Ordinal);
    }

    private static string SampleDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
            var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "Mandate.Samples.AgentTask", configuration, "Mandate.Samples.AgentTask.dll"));
            Assert.True(File.Exists(path), "the sample is not built: " + path);
            return path;
        }
    }
}
