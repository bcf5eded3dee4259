using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate breakglass --identity ID --action A --resource R [--ttl DURATION] --reason TEXT</c>: <c>POST
/// /v1/breakglass</c>. The emergency path: active at once (self-approved, security), at most an hour, alerted on every
/// channel at once, and reviewed afterwards.
/// </summary>
internal static class BreakGlassCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var grant = ExceptionCommand.GrantOptions.Create(ttlRequired: false, "How long: seconds or a duration (30m); at most 1h, the default.");
        var command = new Command("breakglass", "Break the glass (security): a permit in force at once for at most an hour, with a critical alert and a mandatory review.");
        foreach (var option in grant.All)
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, globals, async context =>
        {
            var body = grant.Body(context);
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync("v1/breakglass", body, context.CancellationToken);
            await ExceptionCommand.WriteAsync(context, answer);
            return ExitCodes.Success;
        });
        return command;
    }
}
