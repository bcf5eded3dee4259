using System.ComponentModel;
using ModelContextProtocol.Server;

namespace Mandate.Samples.AgentTask;

/// <summary>The two MCP servers of the story: support tickets (read and send a summary) and user administration.</summary>
internal static class SampleUpstreams
{
    public static async Task RunStdioAsync(string name)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var mcp = builder.Services.AddMcpServer().WithStdioServerTransport();
        _ = name switch
        {
            "tickets" => mcp.WithTools<TicketTools>(),
            "admin" => mcp.WithTools<AdminTools>(),
            _ => throw new ArgumentException($"no sample upstream '{name}' (tickets, admin)"),
        };
        await builder.Build().RunAsync();
    }

    [McpServerToolType]
    internal sealed class TicketTools
    {
        [McpServerTool(Name = "read_ticket", ReadOnly = true), Description("Reads a support ticket.")]
        public static string ReadTicket(string id) => $"{id}: customer cannot log in since the password reset (priority high)";

        [McpServerTool(Name = "send_summary", ReadOnly = false, Destructive = false, OpenWorld = true), Description("Sends a ticket summary to a destination.")]
        public static string SendSummary(string destination, string text) => $"sent {text.Length} characters to {destination}";
    }

    [McpServerToolType]
    internal sealed class AdminTools
    {
        [McpServerTool(Name = "delete_user", ReadOnly = false, Destructive = true), Description("Deletes a user account.")]
        public static string DeleteUser(string user) => "deleted " + user;
    }
}
