using Mandate.Samples.AgentTask;

// dotnet Mandate.Samples.AgentTask.dll upstream tickets|admin        an MCP server over stdio (the gateway starts it)
// dotnet Mandate.Samples.AgentTask.dll story --server URL --gateway URL --token-file FILE
//                                                                    the scripted orchestrator and sub-agent (run.sh)
if (args is ["upstream", var name])
{
    await SampleUpstreams.RunStdioAsync(name);
    return 0;
}

if (args.Length > 0 && args[0] == "story")
{
    string Option(string option) =>
        Array.IndexOf(args, option) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{option} is required");
    var adminToken = (await File.ReadAllTextAsync(Option("--token-file"))).Trim();
    var story = new AgentTaskStory(new Uri(Option("--server")), new Uri(Option("--gateway")), adminToken, Console.Out);
    return await story.RunAsync(CancellationToken.None) ? 0 : 1;
}

await Console.Error.WriteLineAsync("usage: upstream tickets|admin | story --server URL --gateway URL --token-file FILE (or run samples/agent-task/run.sh)");
return 2;
