using System.ComponentModel;
using ModelContextProtocol.Server;

namespace Mandate.Gateway.Mcp.TestUpstream;

[McpServerToolType]
internal sealed class UpstreamTools
{
    [McpServerTool(Name = "echo", ReadOnly = true), Description("Returns its text.")]
    public static string Echo(string text) => "echo: " + text;

    [McpServerTool(Name = "write_note", ReadOnly = false, Destructive = true), Description("Writes a note file.")]
    public static string WriteNote(string name, string text)
    {
        var directory = Environment.GetEnvironmentVariable("TEST_UPSTREAM_NOTES") ?? Path.GetTempPath();
        File.WriteAllText(Path.Combine(directory, Path.GetFileName(name)), text);
        return "written " + name;
    }

    [McpServerTool(Name = "append_log", ReadOnly = false, Destructive = false), Description("Appends to a log (not destructive).")]
    public static string AppendLog(string text) => "appended " + text.Length;

    [McpServerTool(Name = "crash", ReadOnly = true), Description("Exits the process.")]
    public static string Crash()
    {
        Environment.Exit(3);
        return "unreachable";
    }

    [McpServerTool(Name = "slow", ReadOnly = true), Description("Answers after the given milliseconds.")]
    public static async Task<string> Slow(int milliseconds)
    {
        await Task.Delay(milliseconds);
        return "slept " + milliseconds;
    }

    [McpServerTool(Name = "big", ReadOnly = true), Description("Returns that many characters.")]
    public static string Big(int size) => new('x', size);

    [McpServerTool(Name = "pid", ReadOnly = true), Description("The process id.")]
    public static int Pid() => Environment.ProcessId;
}

[McpServerResourceType]
internal sealed class UpstreamResources
{
    [McpServerResource(UriTemplate = "note://readme", Name = "readme"), Description("A readme.")]
    public static string Readme() => "read me";
}

[McpServerPromptType]
internal sealed class UpstreamPrompts
{
    [McpServerPrompt(Name = "greet"), Description("Greets someone.")]
    public static string Greet(string name) => "Hello, " + name;
}
