using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
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

    /// <summary>The errors an MCP server may answer a call with: the SDK's special error types, and plain ones.</summary>
    [McpServerTool(Name = "fail", ReadOnly = false, Destructive = false), Description("Fails the way it is told to.")]
    public static string Fail(string kind) => kind switch
    {
        "url_elicitation" => throw new UrlElicitationRequiredException(
            "Sign in to the ticket system first.",
            [new ElicitRequestParams { Mode = "url", ElicitationId = "sign-in-1", Url = "https://auth.example/sign-in", Message = "Sign in" }]),
        "missing_capability" => throw new MissingRequiredClientCapabilityException(new ClientCapabilities { Elicitation = new ElicitationCapability() }, null),
        "unsupported_version" => throw new UnsupportedProtocolVersionException("Not this version.", ["2025-06-18"], "2099-01-01"),
        "invalid_params" => throw new McpProtocolException("The text is not acceptable.", McpErrorCode.InvalidParams) { Data = { ["field"] = "text", ["limit"] = 3 } },
        "method_not_found" => throw new McpProtocolException("No such operation upstream.", McpErrorCode.MethodNotFound),
        "mcp" => throw new McpException("The upstream's own failure."),
        _ => throw new InvalidOperationException("An unexpected failure: " + kind),
    };
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
