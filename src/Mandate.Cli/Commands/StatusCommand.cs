using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate status</c>: the server's version, store and schema version (<c>GET /v1/status</c>).</summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("status", "Show the server's version, store and schema version (admin API).");
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var status = await api.GetAsync("v1/status", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(status);
                return ExitCodes.Success;
            }

            context.Output.Fields([("server", api.Server.ToString()), .. status.EnumerateObject().Select(p => (p.Name, (string?)CliOutput.Cell(p.Value)))]);
            return ExitCodes.Success;
        });
        return command;
    }
}
